extension State {
    static let balanceRetryMilliseconds: Milliseconds = 10_000

    /// At 00:00 KST the day's P&L starts over from the equity of that moment.
    mutating func rollDayIfNeeded(into commands: inout [Command]) {
        let day = Time.kstDay(now)
        guard day != risk.day else { return }
        risk.day = day
        risk.dayStartEquityKRW = equityKRW
        risk.dayRealizedPnLKRW = 0
        if risk.dailyLossLimitHit {
            risk.dailyLossLimitHit = false
            commands.append(notification(.resume, nil, "new KST day: entries resume"))
        }
    }

    /// Realised loss today >= limit * the day's starting equity: no entries until tomorrow (KST).
    mutating func checkDailyLossLimit(into commands: inout [Command]) {
        let limit = config.risk.dailyLossLimit
        guard limit.isPositive, !risk.dailyLossLimitHit,
              -risk.dayRealizedPnLKRW >= risk.dayStartEquityKRW * limit else { return }
        risk.dailyLossLimitHit = true
        commands.append(notification(.halt, nil,
            "daily loss limit reached (\(risk.dayRealizedPnLKRW.floored(places: 0)) KRW today): no entries until 00:00 KST"))
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
            commands.append(.cancelOrder(identifier: order.identifier, uuid: order.uuid))
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

    /// Adopts the exchange's KRW, and shrinks positions to what the exchange proves is held, only
    /// when no order of ours worked between the request and now (at a live start, or after the
    /// operator moved money). Otherwise fills may sit between the snapshot and their updates and
    /// adopting would lose or double them: the books are kept.
    /// Coins without an order of ours behind them are the operator's and are left alone.
    mutating func balancesFetched(requestId: Int, balances: [Balance], into commands: inout [Command]) {
        guard risk.balanceRequestId == requestId else { return ignoredOrderEvent() }
        risk.balanceRequestId = nil
        if orders.isEmpty && counters.orderActivity == risk.balanceRequestActivity {
            adopt(balances, into: &commands)
        }
        if risk.reconciling {
            risk.reconciling = false
            commands.append(notification(.resume, nil, "reconciled with the exchange: trading"))
        }
    }

    private mutating func adopt(_ balances: [Balance], into commands: inout [Command]) {
        var held: [String: Fixed] = [:]
        for balance in balances { held[balance.currency] = balance.balance + balance.locked }
        if let krw = balances.first(where: { $0.currency == "KRW" }) { cashKRW = krw.balance }
        var index = 0
        while index < positions.count {
            let position = positions[index]
            let exchangeHeld = held[MarketCode.baseCurrency(of: position.market)] ?? 0
            if exchangeHeld < position.volume {
                commands.append(notification(.warning, position.market,
                    "exchange holds \(exchangeHeld) of position \(position.id)'s \(position.volume): adopted"))
                positions[index].writtenOffVolume += position.volume - exchangeHeld
                positions[index].volume = exchangeHeld
                if exchangeHeld.isZero {
                    closePosition(index, into: &commands)
                    continue
                }
            }
            index += 1
        }
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
