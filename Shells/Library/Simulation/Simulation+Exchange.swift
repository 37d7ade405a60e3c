import Core

/// The exchange's side and the network between: answers are delayed, duplicated, reordered,
/// lost or failed while faults are on.
extension Simulation {
    mutating func handle(_ command: Command) {
        switch command {
        case .placeOrder(let request): place(request)
        case .cancelOrder(let identifier, _, _): cancel(command, identifier)
        case .queryOrder(let identifier, _): query(command, identifier)
        case .fetchBalances(let requestId):
            if fault(10) {
                schedule(.balancesFetchFailed(requestId: requestId, error: "timeout", time: 0))
            } else {
                for event in venueAnswer(command, time: 0) ?? [] { schedule(event) }
            }
        case .fetchCandles(let requestId, let market, let count):
            fetchCandles(requestId: requestId, market: market, count: count)
        case .fetchOpenOrders(let requestId):
            if fault(10) {
                schedule(.openOrdersFetchFailed(requestId: requestId, error: "timeout", time: 0))
            } else {
                for event in venueAnswer(command, time: clock) ?? [] { schedule(event) }
            }
        case .subscribe, .trace, .bookLeg, .notify:
            break
        }
    }

    /// True (and counted) when a network fault of this percent chance strikes.
    mutating func fault(_ percent: Int) -> Bool {
        guard faults, random.chance(percent) else { return false }
        statistics.networkFaults += 1
        return true
    }

    /// Rejections that mean the bot asked for something it must never ask for.
    static let forbiddenRejections: Set<String> = [
        "duplicated_identifier", "under_min_total_bid", "invalid_price_bid", "invalid_price_ask",
        "insufficient_funds_bid", "insufficient_funds_ask", "invalid_parameter",
        // the futures venue's (a reduce-only exit refused after the safety stop closed the position is a race, not a fault)
        "duplicated_client_order_id", "insufficient_funds_margin", "min_notional", "invalid_quantity",
    ]

    mutating func place(_ request: OrderRequest) {
        if !placedIdentifiers.insert(request.identifier).inserted {
            failures.append("identifier \(request.identifier) placed twice")
        }
        let roll = faults ? random.int(0...99) : 99
        if roll < 5 {
            statistics.networkFaults += 1
            return schedule(.orderRejected(identifier: request.identifier, error: "market_offline", time: 0))
        }
        if roll < 10 {
            // Sent, never arrived: the exchange never sees it and the answer is lost.
            statistics.networkFaults += 1
            return schedule(.orderOutcomeUnknown(identifier: request.identifier, time: 0))
        }
        for event in venueAnswer(.placeOrder(request), time: clock) ?? [] {
            switch event {
            case .orderRejected(_, let error, _) where Simulation.forbiddenRejections.contains(error):
                failures.append("the exchange refused \(request): \(error)")
                schedule(event)
            case .orderAccepted where roll < 20:
                statistics.networkFaults += 1
                schedule(.orderOutcomeUnknown(identifier: request.identifier, time: 0))  // the answer was lost
            default:
                schedule(event)
            }
        }
    }

    mutating func cancel(_ command: Command, _ identifier: String) {
        if fault(5) {
            if random.chance(50) {
                // The cancel happened but its answer was lost: only the order's final state arrives.
                for case .orderUpdated(let update) in venueAnswer(command, time: clock) ?? [] {
                    schedule(.orderUpdated(update))
                }
            }
            return schedule(.cancelOutcomeUnknown(identifier: identifier, time: 0))
        }
        for event in venueAnswer(command, time: clock) ?? [] { schedule(event) }
    }

    mutating func query(_ command: Command, _ identifier: String) {
        if fault(10) { return schedule(.orderQueryFailed(identifier: identifier, time: 0)) }
        for event in venueAnswer(command, time: clock) ?? [] { schedule(event) }
    }

    mutating func fetchCandles(requestId: Int, market: String, count: Int) {
        guard !fault(30), let price = markets.first(where: { $0.code == market })?.price else {
            return schedule(.candlesFetchFailed(requestId: requestId, market: market, time: 0))
        }
        let minute = Time.minute(of: clock)
        let candles = (1...count).map { back in
            Candle(minute: minute - Int64(back) - Int64(random.int(0...1)), open: price.doubleValue,
                   high: price.doubleValue, low: price.doubleValue, close: price.doubleValue,
                   volume: Double(random.int(0...3)))
        }
        schedule(.candlesFetched(requestId: requestId, market: market, candles: candles, time: 0))
    }

    /// Queues an answer for the bot after a random delay (none without faults); its time is the
    /// delivery time, as the exchange would stamp it. Nothing reaches a process that is down.
    mutating func schedule(_ event: Event) {
        guard bot != nil else { return }
        let due = clock + (faults ? Milliseconds(random.int(0...3_000)) : 0)
        pending.append(Pending(due: due, sequence: nextSequence, event: event.stamped(due)))
        nextSequence += 1
    }

    /// Delivers one due answer: usually the oldest, sometimes another (reordering), sometimes
    /// twice (duplicate).
    mutating func deliverPending() -> Bool {
        let due = pending.indices.filter { pending[$0].due <= clock }
        guard !due.isEmpty else { return false }
        let index = fault(30)
            ? random.pick(due)
            : due.min { (pending[$0].due, pending[$0].sequence) < (pending[$1].due, pending[$1].sequence) }!
        let next = pending.remove(at: index)
        if fault(8) {
            pending.append(Pending(due: clock + Milliseconds(random.int(0...2_000)), sequence: nextSequence, event: next.event))
            nextSequence += 1
        }
        feed(next.event)
        return true
    }

    mutating func deliverAllDue() {
        while deliverPending() {}
    }
}
