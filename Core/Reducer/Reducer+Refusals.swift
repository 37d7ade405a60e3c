/// Refusals, back-offs and the operator's switches (issue 11, items 5, 6 and 11).
///
/// - Refusals our own client makes without sending anything (`banned` during a 418,
///   `rate_limited`, `not_sent`) say nothing about the order: they never count toward `stuck`;
///   the order is tried again later under a new identifier.
/// - A refused entry pauses all entries for a growing delay (30 s doubling to 10 min), so a
///   refusing exchange is not asked every second under a new position id.
/// - `insufficient_funds_*` means the books and the account disagree: the balances are fetched
///   again (and adopted when no order of ours works), so sizing and sells follow the account.
/// - A stuck position is tried again after 1 min, doubling to 30 min, with an error notification
///   every time it gets stuck again; `closeRequested` gives it fresh attempts at once.
extension State {
    /// The refusals that mean the books and the account disagree start with this (Upbit's
    /// `insufficient_funds_bid`; a venue's gateway names its own so).
    static let insufficientFunds = "insufficient_funds"
    /// Error names the venue gateways make up for requests that never left the process.
    static let unsentRefusals: Set<String> = ["banned", "rate_limited", "not_sent"]
    /// A margin venue's refusal of a reduce-only order: it holds nothing the order would reduce.
    static let nothingToReduce = "reduce_only_rejected"
    static let entryBackoffFirstMilliseconds: Milliseconds = 30_000
    static let entryBackoffMaximumMilliseconds: Milliseconds = 600_000
    static let stuckRetryFirstMilliseconds: Milliseconds = 60_000
    static let stuckRetryMaximumMilliseconds: Milliseconds = 1_800_000
    static let backfillRetryFirstMilliseconds: Milliseconds = 5_000
    static let backfillRetryMaximumMilliseconds: Milliseconds = 300_000

    /// `first` doubled `times` times, at most `maximum`.
    static func backoff(_ first: Milliseconds, doubled times: Int, maximum: Milliseconds) -> Milliseconds {
        var delay = first
        for _ in 0..<Swift.max(0, Swift.min(times, 32)) where delay < maximum { delay *= 2 }
        return Swift.min(delay, maximum)
    }

    mutating func orderRejected(_ identifier: String, error: String, into commands: inout [Command]) {
        guard let order = orders[identifier], order.phase == .sent || order.phase == .unknown else {
            return ignoredOrderEvent()
        }
        let unsent = State.unsentRefusals.contains(error)
        if unsent {
            statistics.unsentOrders += 1
            commands.append(notification(.warning, order.market, "order \(identifier) not sent (\(error)): tried again later"))
        } else {
            commands.append(notification(.warning, order.market, "order \(identifier) rejected: \(error)"))
        }
        if order.purpose == .entry || order.purpose == .entryFallback { backOffEntries(into: &commands) }
        if error == State.nothingToReduce, order.purpose == .exit || order.purpose == .restingTakeProfit, venue.isMargin,
           let index = positionIndex(id: order.positionId), positions[index].quantity.isPositive {
            detach(order)
            if order.purpose == .exit { positions[index].pendingExit = order.exitReason }
            return doubtHolding(index, into: &commands)
        }
        orderGone(order, rejected: !unsent, into: &commands)
        if unsent, order.purpose == .exit, let index = positionIndex(id: order.positionId),
           positions[index].pendingExit != nil {
            positions[index].exitRetryAt = Time.adding(now, State.exitRetryMilliseconds)
        }
        if error.hasPrefix(State.insufficientFunds) {
            refetchBalances(into: &commands)  // after the order left the books, so the answer can be adopted
        }
    }

    mutating func backOffEntries(into commands: inout [Command]) {
        let delay = risk.entryBackoffMilliseconds ?? State.entryBackoffFirstMilliseconds
        risk.entryBackoffUntil = Time.adding(now, delay)
        risk.entryBackoffMilliseconds = Swift.min(delay * 2, State.entryBackoffMaximumMilliseconds)
        commands.append(notification(.halt, nil, "entry refused: no entries for \(delay / 1_000) s"))
    }

    /// Five exit orders refused: the operator is told, and the exit is tried again later.
    mutating func becomeStuck(_ index: Int, reason: ExitReason, into commands: inout [Command]) {
        let delay = State.backoff(State.stuckRetryFirstMilliseconds, doubled: positions[index].stuckCount,
                                  maximum: State.stuckRetryMaximumMilliseconds)
        positions[index].phase = .stuck
        positions[index].pendingExit = reason
        positions[index].exitRetryAt = nil
        positions[index].stuckCount += 1
        positions[index].stuckRetryAt = Time.adding(now, delay)
        let position = positions[index]
        commands.append(notification(.error, position.market,
            "position \(position.id) is stuck: \(State.maximumExitRejections) exit orders rejected; trying again in \(delay / 60_000) min (or close it by hand)"))
        refetchBalances(into: &commands)
    }

    /// Asks for the balances unless a request is out or a reconciliation will ask anyway (its
    /// answer ends the reconciliation, so none may be asked for before the search is over).
    mutating func refetchBalances(into commands: inout [Command]) {
        guard risk.balanceRequestId == nil, !risk.reconciling else { return }
        fetchBalances(into: &commands)
    }

    /// One more attempt for a stuck position; refused again, it is stuck for longer.
    mutating func retryStuck(_ index: Int, into commands: inout [Command]) {
        positions[index].phase = .open
        positions[index].stuckRetryAt = nil
        positions[index].exitRejections = State.maximumExitRejections - 1
        let reason = positions[index].pendingExit ?? .manual
        guard !hasLiveExit(positions[index]) else { return }
        startExit(index, reason: reason, into: &commands)
    }

    mutating func pauseEntries(into commands: inout [Command]) {
        guard !risk.pausedByOperator else { return }
        risk.pausedByOperator = true
        commands.append(notification(.halt, nil, "entries paused by the operator: exits go on"))
    }

    mutating func resumeEntries(into commands: inout [Command]) {
        guard risk.pausedByOperator || risk.marginCallHalt || risk.emergencyHalt else { return }
        risk.pausedByOperator = false
        risk.marginCallHalt = false
        risk.emergencyHalt = false
        commands.append(notification(.resume, nil, "entries resumed by the operator"))
    }

    /// A myAsset frame. It is not adopted as such: a frame from before a fill can arrive after
    /// the fill's answer, and would undo it. When it disagrees with the books, the balances are
    /// fetched (now, or once no order of ours works) and adopted under `balancesFetched`'s rule.
    mutating func balancesPushed(_ account: AccountSnapshot, into commands: inout [Command]) {
        guard !risk.reconciling, disagreesWithBooks(account) else { return }
        risk.balancesStale = true
        fetchStaleBalancesIfQuiet(into: &commands)
    }

    /// Only what a push lists is compared (Upbit's myAsset carries the changed currencies). On
    /// a margin venue cash is not compared (margin and unrealised P&L move it continuously).
    func disagreesWithBooks(_ account: AccountSnapshot) -> Bool {
        if !venue.isMargin, let free = account.cash {
            var reserved: Fixed = 0
            for order in orders.values { reserved += order.reserved }
            if free + (account.lockedCash ?? 0) != cash + reserved { return true }
        }
        return positions.contains { account.holdings[$0.market] != nil && venueHolds(account, of: $0) < $0.quantity }
    }

    /// Stale balances are read once no order of ours works, or on a margin venue once every
    /// order is confirmed working (`balancesFetched` can then adopt the cash alone).
    mutating func fetchStaleBalancesIfQuiet(into commands: inout [Command]) {
        let quiet = orders.isEmpty || (venue.isMargin && everyOrderConfirmed)
        guard risk.balancesStale, quiet, risk.balanceRequestId == nil, !risk.reconciling else { return }
        risk.balancesStale = false
        fetchBalances(into: &commands)
    }

    /// A failed backfill is asked again (5 s doubling to 5 min, for ever); the operator hears of
    /// it once per market. Meanwhile the market builds its own history from trades.
    mutating func candlesFetchFailed(requestId: Int, market: String, into commands: inout [Command]) {
        guard counters.candleRequests[requestId] == market, let index = marketIndex(of: market) else { return }
        counters.candleRequests[requestId] = nil
        let failures = markets[index].backfillFailures
        let delay = State.backoff(State.backfillRetryFirstMilliseconds, doubled: failures,
                                  maximum: State.backfillRetryMaximumMilliseconds)
        markets[index].backfillFailures = failures + 1
        markets[index].backfill = .failed
        markets[index].backfillRetryAt = Time.adding(now, delay)
        if failures == 0 {
            commands.append(notification(.warning, market,
                "candle history of \(market) unavailable: building it from trades, asking again"))
        }
    }

    mutating func checkBackfillRetries(into commands: inout [Command]) {
        guard options.backfillCandles > 0 else { return }
        for index in markets.indices where markets[index].backfill == .failed {
            if let retryAt = markets[index].backfillRetryAt, now < retryAt { continue }
            requestBackfill(index, into: &commands)
        }
    }
}
