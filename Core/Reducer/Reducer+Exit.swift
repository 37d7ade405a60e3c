/// Exits (strategy.md §4): the reducer emulates OCO, partial take-profit and the trailing stop
/// from the last trade price `p` against the entry price `e` (Upbit has no stop or OCO orders).
/// A short mirrors every rule: its take-profit is below the entry, its stop above, its trailing
/// stop follows the lowest price. `gain(p)` is the move in the position's favour.
extension State {
    mutating func checkExits(_ index: Int, price: Fixed, into commands: inout [Command]) {
        let position = positions[index]
        guard position.phase == .open, position.pendingExit == nil, let entry = position.entryPrice,
              !hasLiveFullExit(position) else { return }
        let exit = config.exit
        let long = position.direction == .long
        if exit.trailingStop.isPositive {
            if let extreme = position.trailingExtreme {
                let newExtreme = long ? Fixed.max(extreme, price) : Fixed.min(extreme, price)
                positions[index].trailingExtreme = newExtreme
                let triggered = long ? price <= newExtreme * (Fixed.one - exit.trailingStop)
                                     : price >= newExtreme * (Fixed.one + exit.trailingStop)
                if triggered { return startExit(index, reason: .trailingStop, into: &commands) }
            } else if exit.partialFraction.isZero,
                      long ? price >= entry * (Fixed.one + exit.effectiveTrailingActivation)
                           : price <= entry * (Fixed.one - exit.effectiveTrailingActivation) {
                positions[index].trailingExtreme = price  // armed instead of taking profit
            }
        }
        if let target = position.takeProfitPrice, long ? price >= target : price <= target, !hasRestingTakeProfit(position) {
            if exit.partialFraction.isPositive && !position.partialTaken {
                return takePartialProfit(index, price: price, into: &commands)
            }
            if exit.partialFraction.isZero && exit.trailingStop.isZero {
                return startExit(index, reason: .takeProfit, into: &commands)
            }
        }
        if let stop = positions[index].stopPrice, long ? price <= stop : price >= stop {
            startExit(index, reason: .stopLoss, into: &commands)
        }
    }

    /// The take-profit and stop prices of an entry price.
    func exitPrices(entry: Fixed, _ direction: Direction) -> (takeProfit: Fixed, stop: Fixed) {
        let exit = config.exit
        return direction == .long
            ? (entry * (Fixed.one + exit.takeProfit), entry * (Fixed.one + exit.stopLoss))
            : (entry * (Fixed.one - exit.takeProfit), entry * (Fixed.one - exit.stopLoss))
    }

    /// Partial take-profit: close the fraction, move the stop of the rest to break even and arm
    /// the trailing stop, all in this step. When either piece would be below the minimum order
    /// total, everything is closed instead (reason `take_profit`).
    mutating func takePartialProfit(_ index: Int, price: Fixed, into commands: inout [Command]) {
        guard let market = market(positions[index].market) else { return }
        let free = freeQuantity(positions[index])
        let part = market.instrument.flooredQuantity(free * config.exit.partialFraction)
        let minimum = minimumTotal(market)
        guard part * price >= minimum, (free - part) * price >= minimum else {
            return startExit(index, reason: .takeProfit, into: &commands)
        }
        var position = positions[index]
        send(.market, .quantity(part), for: &position, purpose: .exit, exitReason: .partialTakeProfit, into: &commands)
        positions[index] = position
        partialTaken(index, price: price)
    }

    /// The state after a partial take-profit: a break-even stop that covers both fees, the
    /// trailing stop armed at `price`.
    mutating func partialTaken(_ index: Int, price: Fixed) {
        guard let entry = positions[index].entryPrice, let market = market(positions[index].market) else { return }
        let fee = feeRate(market)
        let long = positions[index].direction == .long
        positions[index].partialTaken = true
        positions[index].stopPrice = long ? entry * (Fixed.one + fee) / (Fixed.one - fee)
                                          : entry * (Fixed.one - fee) / (Fixed.one + fee)
        if config.exit.trailingStop.isPositive {
            let extreme = positions[index].trailingExtreme ?? price
            positions[index].trailingExtreme = long ? Fixed.max(extreme, price) : Fixed.min(extreme, price)
        }
    }

    /// Exit everything: at once, or after the resting take-profit's cancel has finished.
    mutating func startExit(_ index: Int, reason: ExitReason, into commands: inout [Command]) {
        let resting = positions[index].orderIdentifiers.filter { orders[$0]?.purpose == .restingTakeProfit }
        guard resting.isEmpty else {
            positions[index].pendingExit = reason
            positions[index].exitRetryAt = nil
            for identifier in resting { cancel(identifier, into: &commands) }
            return
        }
        placeExitNow(index, reason: reason, into: &commands)
    }

    /// A market exit of everything not already promised to a working exit.
    mutating func placeExitNow(_ index: Int, reason: ExitReason, into commands: inout [Command]) {
        guard let market = market(positions[index].market) else { return }
        guard !positions[index].holdingInDoubt else {
            positions[index].pendingExit = reason  // sent once the venue's holding is known
            return
        }
        positions[index].pendingExit = nil
        positions[index].exitRetryAt = nil
        let free = freeQuantity(positions[index])
        guard free.isPositive else { return }
        let price = exitValuationPrice(market, positions[index].direction) ?? positions[index].entryPrice ?? .zero
        // a margin venue's exits are reduce-only, which its minimum notional exempts
        guard venue.isMargin || free * price >= minimumTotal(market) else {
            return writeOffDust(index, into: &commands)
        }
        var position = positions[index]
        send(.market, .quantity(free), for: &position, purpose: .exit, exitReason: reason, into: &commands)
        positions[index] = position
    }

    /// A quantity below the minimum order total cannot be closed: the bot stops tracking it.
    mutating func writeOffDust(_ index: Int, into commands: inout [Command]) {
        guard positions[index].orderIdentifiers.isEmpty else { return }
        let dust = positions[index].quantity
        positions[index].writtenOffQuantity += dust
        positions[index].quantity = 0
        if venue.isMargin { cash += positions[index].margin }
        positions[index].margin = 0
        commands.append(notification(.warning, positions[index].market,
            "left \(dust) \(positions[index].market) unclosed: below the minimum order total"))
        closePosition(index, into: &commands)
    }

    /// A working exit of the reducer's own (the safety stop is a backstop, not one).
    func hasLiveExit(_ position: Position) -> Bool {
        position.orderIdentifiers.contains { orders[$0]?.isOwnExit ?? false }
    }

    func hasRestingTakeProfit(_ position: Position) -> Bool {
        position.orderIdentifiers.contains { orders[$0]?.purpose == .restingTakeProfit }
    }

    /// A working exit of everything (not a partial take-profit).
    func hasLiveFullExit(_ position: Position) -> Bool {
        position.orderIdentifiers.contains {
            guard let order = orders[$0] else { return false }
            return order.purpose == .exit && order.exitReason != .partialTakeProfit
        }
    }

    /// Held quantity minus what working exits may still close.
    func freeQuantity(_ position: Position) -> Fixed {
        var free = position.quantity
        for identifier in position.orderIdentifiers {
            guard let order = orders[identifier], order.isOwnExit, let requested = order.requestedQuantity else { continue }
            free -= requested - order.executedQuantity
        }
        return Fixed.max(free, .zero)
    }

    /// Time stops, exit retries, and resting take-profits to cancel for a pending exit.
    mutating func checkPositionTimers(into commands: inout [Command]) {
        var index = 0
        while index < positions.count {
            let count = positions.count
            checkPositionTimer(index, into: &commands)
            if positions.count == count { index += 1 }
        }
    }

    private mutating func checkPositionTimer(_ index: Int, into commands: inout [Command]) {
        let position = positions[index]
        if position.phase == .stuck, let retryAt = position.stuckRetryAt, now >= retryAt {
            return retryStuck(index, into: &commands)
        }
        guard position.phase == .open else { return }
        checkSafetyStop(index, into: &commands)
        if let pending = position.pendingExit {
            if hasRestingTakeProfit(position) {
                for identifier in position.orderIdentifiers where orders[identifier]?.phase == .open {
                    cancel(identifier, into: &commands)
                }
            } else if !hasLiveExit(position), (position.exitRetryAt ?? now) <= now {
                placeExitNow(index, reason: pending, into: &commands)
            }
            return
        }
        let maximumHold = Time.duration(config.exit.maxHoldMinutes, Time.minute)
        if maximumHold > 0, let opened = position.openedAt, Time.elapsed(from: opened, to: now) >= maximumHold,
           !hasLiveFullExit(position) {
            startExit(index, reason: .timeStop, into: &commands)
        }
    }

    /// The operator's close: close everything at market (reason `manual`); a stuck position gets
    /// a fresh set of attempts.
    mutating func closeRequested(market: String, into commands: inout [Command]) {
        guard let index = positionIndex(market: market) else {
            return commands.append(notification(.warning, market, "close requested but no position in \(market)"))
        }
        if positions[index].phase == .stuck {
            positions[index].phase = .open
            positions[index].exitRejections = 0
            positions[index].stuckCount = 0
            positions[index].stuckRetryAt = nil
        }
        guard positions[index].phase == .open, !hasLiveFullExit(positions[index]) else {
            return commands.append(notification(.warning, market, "close requested while the position is still opening or closing"))
        }
        startExit(index, reason: .manual, into: &commands)
    }

    /// End of a backtest: every position is closed on paper at its market's last price, with the
    /// configured fee, so that the report accounts for it (reason `end_of_data`).
    mutating func closeAllAtLastPrice(into commands: inout [Command]) {
        for identifier in orders.keys.sorted() {
            if let order = orders[identifier] { detach(order) }
        }
        while let position = positions.first {
            let price = market(position.market)?.lastPrice ?? position.entryPrice ?? .zero
            let fee = market(position.market).map(feeRate) ?? config.fees.rate
            guard position.quantity.isPositive, position.entryPrice != nil else {
                if venue.isMargin { cash += position.margin }
                positions.removeFirst()
                continue
            }
            let funds = position.quantity * price
            var order = Order(
                request: OrderRequest(identifier: "end-of-data", market: position.market, side: position.direction.exitSide,
                                      kind: .market, size: .quantity(position.quantity)),
                positionId: position.id, purpose: .exit, exitReason: .endOfData, phase: .open,
                reserved: 0, sentAt: now)
            applyFill(Fill(quantity: position.quantity, quote: funds, fee: funds * fee), to: &order)
            recordLeg(0, order, into: &commands)
            positions.removeFirst()
        }
    }
}
