extension State {
    static let balanceRetryMilliseconds: Milliseconds = 10_000

    /// Minutes east of UTC where the trading day starts (`risk.day_start`, else the venue's).
    public var dayStartOffsetMinutes: Int { config.risk.dayStartOffsetMinutes ?? venue.dayStartOffsetMinutes }

    /// The zone of the trading day in messages: the venue's (`KST`), or `UTC+09:00` for a
    /// configured offset of 540 minutes.
    public var dayZone: String {
        guard let offset = config.risk.dayStartOffsetMinutes else { return venue.dayStartZone }
        let hours = abs(offset) / 60, minutes = abs(offset) % 60
        return "UTC\(offset < 0 ? "-" : "+")\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }

    /// At the day's start (00:00 KST on Upbit) the day's P&L starts over from the equity of that moment.
    mutating func rollDayIfNeeded(into commands: inout [Command]) {
        let day = Time.day(now, offsetMinutes: dayStartOffsetMinutes)
        guard day != risk.day else { return }
        risk.day = day
        risk.dayStartEquity = equity
        risk.dayRealizedPnL = 0
        if risk.dailyLossLimitHit {
            risk.dailyLossLimitHit = false
            commands.append(notification(.resume, nil, "new \(dayZone) day: entries resume"))
        }
    }

    /// Realised loss today >= limit * the day's starting equity: no entries until the next day.
    mutating func checkDailyLossLimit(into commands: inout [Command]) {
        let limit = config.risk.dailyLossLimit
        guard limit.isPositive, !risk.dailyLossLimitHit,
              -risk.dayRealizedPnL >= risk.dayStartEquity * limit else { return }
        risk.dailyLossLimitHit = true
        commands.append(notification(.halt, nil,
            "daily loss limit reached (\(risk.dayRealizedPnL.floored(places: 0)) \(venue.quoteAsset) today): no entries until 00:00 \(dayZone)"))
    }

    /// Startup and crash recovery: every working order is asked about by identifier and the
    /// balances are fetched; no entries until the balances are known.
    mutating func startReconciliation(into commands: inout [Command]) {
        risk.reconciling = true
        risk.balanceRequestId = nil  // a request of the process before this start is never answered
        risk.nextBalanceFetchAt = nil
        commands.append(notification(.halt, nil, "reconciling with the exchange: entries wait"))
        var released: [Order] = []
        for identifier in orders.keys.sorted() {
            guard var order = orders[identifier] else { continue }
            if order.phase == .held || order.phase == .withdrawn {
                // released, perhaps, by a transaction the crash lost: looked for like the others
                probes[identifier] = Probe(positionId: order.positionId, purpose: order.purpose)
                released.append(order)
                continue
            }
            if order.phase == .sent {
                order.phase = .unknown  // the send may or may not have happened before the restart
                orders[identifier] = order
            }
            query(identifier, into: &commands)
        }
        // The counters move past every identifier the lost step could have used before anything
        // new is decided: ending a held order can decide the next sell, whose identifier the lost
        // step may have sent already (simulator seed 2540).
        probeLostOrders(into: &commands)
        for order in released {
            if order.phase == .held { orderGone(order, rejected: false, into: &commands) } else { orderEnded(order, into: &commands) }
        }
        if probes.isEmpty { fetchBalances(into: &commands) }
        let requestId = counters.nextRequestId
        counters.nextRequestId += 1
        counters.openOrdersRequestId = requestId
        commands.append(.fetchOpenOrders(requestId: requestId))
    }

    /// An open order with this bot's identifier prefix that the state does not know can only come
    /// from a transaction lost in a crash: nobody manages it, so it is cancelled (and said). Orders
    /// without the prefix are the operator's and are left alone.
    mutating func openOrdersFetched(requestId: Int, open: [OrderUpdate], into commands: inout [Command]) {
        let checked = confirmAbsences(requestId: requestId, open: open, into: &commands)
        guard counters.openOrdersRequestId == requestId else { return checked ? () : ignoredOrderEvent() }
        counters.openOrdersRequestId = nil
        let prefix = options.identifierPrefix + "-"
        for order in open.sorted(by: { $0.identifier < $1.identifier })
        where order.identifier.hasPrefix(prefix) && orders[order.identifier] == nil && probes[order.identifier] == nil
            && !order.state.isFinal {
            commands.append(notification(.warning, order.market,
                "order \(order.identifier) is open on the exchange but unknown to the bot (lost in a crash): cancelling it"))
            commands.append(.cancelOrder(identifier: order.identifier, uuid: order.uuid, market: order.market))
        }
    }

    mutating func fetchBalances(into commands: inout [Command]) {
        let requestId = counters.nextRequestId
        counters.nextRequestId += 1
        risk.balanceRequestId = requestId
        risk.balanceRequestActivity = counters.orderActivity
        risk.nextBalanceFetchAt = nil
        commands.append(.fetchBalances(requestId: requestId))
    }

    /// Adopts the exchange's cash, and shrinks positions to what the exchange proves is held, only
    /// when no order of ours worked between the request and now (at a live start, or after the
    /// operator moved money). Otherwise fills may sit between the snapshot and their updates and
    /// adopting would lose or double them: the books are kept.
    /// Assets without an order of ours behind them are the operator's and are left alone.
    mutating func balancesFetched(requestId: Int, account: AccountSnapshot, into commands: inout [Command]) {
        guard risk.balanceRequestId == requestId else { return ignoredOrderEvent() }
        risk.balanceRequestId = nil
        settleDoubtedHoldings(account, into: &commands)
        if orders.isEmpty && counters.orderActivity == risk.balanceRequestActivity {
            adopt(account, into: &commands)
        } else if venue.isMargin, !quietSinceBalanceRequest {
            // orders moved while the answer was on its way: read again once they are quiet, or
            // a cash the books lost (funding in a lost journal transaction) is never caught up
            risk.balancesStale = true
        } else if agreesOnEverythingButCash(account), let free = account.cash {
            // every position as the venue holds it, every order confirmed working: a difference
            // in cash is funding the bot did not hear of (paid while it was down, a lost frame)
            let reserved = orders.values.reduce(Fixed.zero) { $0 + $1.reserved }
            let books = free + (account.lockedCash ?? reserved) - reserved
            if books != cash {
                commands.append(notification(.warning, nil,
                    "the venue's cash is \(books) \(venue.quoteAsset) where the books said \(cash): adopted (funding not heard of)"))
                cash = books
            }
        } else {
            doubtShortHoldings(account, into: &commands)
        }
        if risk.reconciling {
            risk.reconciling = false
            commands.append(notification(.resume, nil, "reconciled with the exchange: trading"))
        }
    }

    /// A margin venue where nothing moved since the request, every order of ours is confirmed
    /// working (none sent, unknown or being cancelled), and every market holds on the venue
    /// exactly what the books hold (so no fill went unseen).
    func agreesOnEverythingButCash(_ account: AccountSnapshot) -> Bool {
        guard venue.isMargin, quietSinceBalanceRequest else { return false }
        var books: [String: Fixed] = [:]
        for position in positions { books[position.market, default: 0] += position.direction.sign * position.quantity }
        let markets = Set(books.keys).union(account.holdings.keys)
        return markets.allSatisfy { (books[$0] ?? 0) == (account.holdings[$0] ?? 0) }
    }

    /// What the venue holds in `position`'s direction: a spot venue's coins, or a margin venue's
    /// signed size read the position's way (a short is negative there; the other way holds none).
    func venueHolds(_ account: AccountSnapshot, of position: Position) -> Fixed {
        let held = account.holdings[position.market] ?? 0
        guard venue.isMargin else { return held }
        return Fixed.max(.zero, position.direction.sign * held)
    }

    /// No order of ours ended since the balances were asked for, none is being searched for,
    /// and every one is confirmed working: the answer shows the venue as the books know it.
    var quietSinceBalanceRequest: Bool { counters.orderActivity == risk.balanceRequestActivity && everyOrderConfirmed }

    /// Every order of ours confirmed working (none sent, unknown or being cancelled), and no lost
    /// one being searched for.
    var everyOrderConfirmed: Bool { probes.isEmpty && orders.values.allSatisfy { $0.phase == .open } }

    /// A minute after each funding time, with a position open, the balances are read again.
    mutating func checkFundingTime(previousSecond: Int64, into commands: inout [Command]) {
        guard let minutes = venue.fundingIntervalMinutes, minutes > 0, !positions.isEmpty else { return }
        let interval = Milliseconds(minutes) * Time.minute
        let checkAt = { (time: Milliseconds) in Time.floorDivide(time - Time.minute, interval) }
        guard checkAt(now) > checkAt(previousSecond * 1_000) else { return }
        refetchBalances(into: &commands)
    }

    private mutating func adopt(_ account: AccountSnapshot, into commands: inout [Command]) {
        if let free = account.cash { cash = free }
        var index = 0
        while index < positions.count {
            let position = positions[index]
            let exchangeHeld = venueHolds(account, of: position)
            if exchangeHeld < position.quantity {
                commands.append(notification(.warning, position.market,
                    "exchange holds \(exchangeHeld) of position \(position.id)'s \(position.quantity): adopted"))
                if writeOff(index, downTo: exchangeHeld, into: &commands) { continue }
            }
            index += 1
        }
    }

    /// Takes the venue's word that it holds only `held` of a position: the rest is written off,
    /// its margin with it (the venue's cash already holds what that margin came to: simulator seed
    /// 633 of the futures venue counted it twice). True when nothing is left and it closed.
    mutating func writeOff(_ index: Int, downTo held: Fixed, into commands: inout [Command]) -> Bool {
        let position = positions[index]
        positions[index].writtenOffQuantity += position.quantity - held
        positions[index].margin = position.margin * held / position.quantity
        positions[index].quantity = held
        guard held.isZero else { return false }
        closePosition(index, into: &commands)
        return true
    }

    mutating func balancesFetchFailed(requestId: Int, error: String, into commands: inout [Command]) {
        guard risk.balanceRequestId == requestId else { return ignoredOrderEvent() }
        risk.balanceRequestId = nil
        risk.nextBalanceFetchAt = Time.adding(now, State.balanceRetryMilliseconds)
        commands.append(notification(.error, nil, "cannot reconcile, balances unavailable (\(error)): not trading, retrying"))
    }

    mutating func checkBalanceRetry(into commands: inout [Command]) {
        fetchStaleBalancesIfQuiet(into: &commands)
        guard let next = risk.nextBalanceFetchAt, now >= next else { return }
        fetchBalances(into: &commands)
    }
}
