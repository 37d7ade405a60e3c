import Core

/// The invariants a run must keep.
extension Simulation {
    /// After every event: the state's own invariants, and (one time in ten) that a duplicated
    /// exchange event changes nothing.
    mutating func check(after event: Event) {
        let state = self.state
        let broken = state.checkInvariants()
        if !broken.isEmpty { failures.append("event \(statistics.events) after \(event): \(broken)") }
        guard Simulation.isExchangeEvent(event) else { return }
        deliveredExchangeEvents.append(event)
        if random.chance(10) {
            var copy = state
            _ = reduce(&copy, event)
            copy.statistics = state.statistics
            if copy != state { failures.append("duplicate \(event) changed the state") }
        }
    }

    static func isExchangeEvent(_ event: Event) -> Bool {
        switch event {
        case .orderAccepted, .orderRejected, .orderOutcomeUnknown, .orderUpdated, .orderNotFound, .orderQueryFailed,
             .cancelAccepted, .cancelRejected, .cancelOutcomeUnknown, .balancesFetched, .balancesFetchFailed,
             .openOrdersFetched, .openOrdersFetchFailed, .markPriceReceived, .fundingSettled, .positionLiquidated,
             .marginCalled:
            true
        case .balancesPushed, .entriesPaused, .entriesResumed:
            false
        case .marketsListed, .marketRulesReceived, .tradeReceived, .orderbookReceived, .candlesFetched,
             .candlesFetchFailed, .timerFired, .feedStalled, .recovered, .closeRequested, .dataEnded, .configAdopted,
             .userStreamRestored:
            false
        }
    }

    /// Once everything is delivered the bot and the exchange agree: cash, reserves, holdings, and
    /// no open order of ours that the bot does not know.
    func convergenceFailures() -> [String] {
        var problems: [String] = []
        let state = self.state
        if bot == nil { problems.append("the bot is down at the end") }
        if !pending.isEmpty { problems.append("\(pending.count) answers still pending") }
        if state.risk.reconciling { problems.append("still reconciling after the quiet phase") }
        for order in state.orders.values where order.phase != .open {
            problems.append("order \(order.identifier) still \(order.phase) after the quiet phase")
        }
        for identifier in unknownOpenOrders(state) { problems.append("exchange order \(identifier) unknown to the bot") }
        problems += balanceFailures(state)
        return problems
    }
}

extension Simulation {
    /// The ledger file holds every leg the store booked, each exactly once; without a lost
    /// transaction it equals the store's legs row for row.
    mutating func ledgerFailures() -> [String] {
        do {
            guard let store = bot?.store else { return ["the bot is down at the end"] }
            let booked = try store.legs()
            let rows = try LedgerFile(directory: directory).read()
            statistics.exitLegs = rows.count
            statistics.exitReasons = Set(rows.map(\.leg.reason))
            var problems: [String] = []
            let identifiers = rows.compactMap(\.identifier)
            if Set(identifiers).count != rows.count { problems.append("the ledger file holds a leg twice: \(identifiers)") }
            let missing = booked.compactMap(\.identifier).filter { !identifiers.contains($0) }
            if !missing.isEmpty { problems.append("legs booked but not in the ledger file: \(missing)") }
            if !lostTransactions, rows != booked {
                problems.append("the ledger file (\(rows.count) rows) differs from the store's legs (\(booked.count))")
            }
            return problems
        } catch {
            return ["cannot read the legs: \(error)"]
        }
    }
}

extension Event {
    /// The same event with its time set (answers and order updates are stamped when delivered).
    func stamped(_ time: Milliseconds) -> Event {
        guard case .orderUpdated(var update) = self else { return withTime(time) }
        update.time = time
        return .orderUpdated(update)
    }
}
