/// Exits (strategy.md §4): Upbit has no stop or OCO orders, so the reducer emulates them from
/// the last trade price `p` against the entry price `e`.
extension State {
    mutating func checkExits(_ index: Int, price: Fixed, into commands: inout [Command]) {
        let position = positions[index]
        guard position.phase == .open, position.pendingExit == nil, let entry = position.entryPrice,
              !hasLiveFullExit(position) else { return }
        let exit = config.exit
        if exit.trailingStop.isPositive {
            if let high = position.trailingHigh {
                let newHigh = Fixed.max(high, price)
                positions[index].trailingHigh = newHigh
                if price <= newHigh * (Fixed.one - exit.trailingStop) {
                    return startExit(index, reason: .trailingStop, into: &commands)
                }
            } else if exit.partialFraction.isZero, price >= entry * (Fixed.one + exit.effectiveTrailingActivation) {
                positions[index].trailingHigh = price  // armed instead of taking profit
            }
        }
        if let target = position.takeProfitPrice, price >= target, !hasRestingTakeProfit(position) {
            if exit.partialFraction.isPositive && !position.partialTaken {
                return takePartialProfit(index, price: price, into: &commands)
            }
            if exit.partialFraction.isZero && exit.trailingStop.isZero {
                return startExit(index, reason: .takeProfit, into: &commands)
            }
        }
        if let stop = positions[index].stopPrice, price <= stop {
            startExit(index, reason: .stopLoss, into: &commands)
        }
    }

    /// Partial take-profit: sell the fraction, move the stop of the rest to break even and arm the
    /// trailing stop, all in this step. When either piece would be below the minimum order
    /// total, everything is sold instead (reason `take_profit`).
    mutating func takePartialProfit(_ index: Int, price: Fixed, into commands: inout [Command]) {
        guard let market = market(positions[index].market) else { return }
        let free = freeVolume(positions[index])
        let part = (free * config.exit.partialFraction).floored(places: 8)
        let minimum = minimumTotal(market)
        guard part * price >= minimum, (free - part) * price >= minimum else {
            return startExit(index, reason: .takeProfit, into: &commands)
        }
        var position = positions[index]
        send(.marketSell(volume: part), for: &position, purpose: .exit, exitReason: .partialTakeProfit, into: &commands)
        positions[index] = position
        partialTaken(index, price: price)
    }

    /// The state after a partial take-profit: break-even stop, trailing stop armed at `price`.
    mutating func partialTaken(_ index: Int, price: Fixed) {
        guard let entry = positions[index].entryPrice, let market = market(positions[index].market) else { return }
        let fee = feeRate(market)
        positions[index].partialTaken = true
        positions[index].stopPrice = entry * (Fixed.one + fee) / (Fixed.one - fee)
        if config.exit.trailingStop.isPositive {
            positions[index].trailingHigh = Fixed.max(positions[index].trailingHigh ?? price, price)
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

    /// A market sell of everything not already promised to a working sell.
    mutating func placeExitNow(_ index: Int, reason: ExitReason, into commands: inout [Command]) {
        guard let market = market(positions[index].market) else { return }
        positions[index].pendingExit = nil
        positions[index].exitRetryAt = nil
        let free = freeVolume(positions[index])
        guard free.isPositive else { return }
        let price = sellValuationPrice(market) ?? positions[index].entryPrice ?? .zero
        guard free * price >= minimumTotal(market) else {
            return writeOffDust(index, into: &commands)
        }
        var position = positions[index]
        send(.marketSell(volume: free), for: &position, purpose: .exit, exitReason: reason, into: &commands)
        positions[index] = position
    }

    /// Volume below the minimum order total cannot be sold: the bot stops tracking it.
    mutating func writeOffDust(_ index: Int, into commands: inout [Command]) {
        guard positions[index].orderIdentifiers.isEmpty else { return }
        let dust = positions[index].volume
        positions[index].writtenOffVolume += dust
        positions[index].volume = 0
        commands.append(notification(.warning, positions[index].market,
            "left \(dust) \(positions[index].market) unsold: below the minimum order total"))
        closePosition(index, into: &commands)
    }

    func hasLiveSell(_ position: Position) -> Bool {
        position.orderIdentifiers.contains { orders[$0]?.side == .ask }
    }

    func hasRestingTakeProfit(_ position: Position) -> Bool {
        position.orderIdentifiers.contains { orders[$0]?.purpose == .restingTakeProfit }
    }

    /// A working sell of everything (not a partial take-profit).
    func hasLiveFullExit(_ position: Position) -> Bool {
        position.orderIdentifiers.contains {
            guard let order = orders[$0] else { return false }
            return order.purpose == .exit && order.exitReason != .partialTakeProfit
        }
    }

    /// Held volume minus what working sells may still sell.
    func freeVolume(_ position: Position) -> Fixed {
        var free = position.volume
        for identifier in position.orderIdentifiers {
            guard let order = orders[identifier], order.side == .ask, let requested = order.requestedVolume else { continue }
            free -= requested - order.executedVolume
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
        if let pending = position.pendingExit {
            if hasRestingTakeProfit(position) {
                for identifier in position.orderIdentifiers where orders[identifier]?.phase == .open {
                    cancel(identifier, into: &commands)
                }
            } else if !hasLiveSell(position), (position.exitRetryAt ?? now) <= now {
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

    /// The operator's close: sell everything at market (reason `manual`); a stuck position gets
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

    /// End of a backtest: every position is sold on paper at its market's last price, with the
    /// configured fee, so that the report accounts for it (reason `end_of_data`).
    mutating func closeAllAtLastPrice(into commands: inout [Command]) {
        for identifier in orders.keys.sorted() {
            if let order = orders[identifier] { detach(order) }
        }
        while let position = positions.first {
            let price = market(position.market)?.lastPrice ?? position.entryPrice ?? .zero
            let fee = market(position.market).map(feeRate) ?? config.fees.rate
            guard position.volume.isPositive, position.entryPrice != nil else {
                positions.removeFirst()
                continue
            }
            let funds = position.volume * price
            var order = Order(
                request: OrderRequest(identifier: "end-of-data", market: position.market,
                                      kind: .marketSell(volume: position.volume)),
                positionId: position.id, purpose: .exit, exitReason: .endOfData, phase: .open,
                reservedKRW: 0, sentAt: now)
            applyFill(Fill(volume: position.volume, fundsKRW: funds, feeKRW: funds * fee), to: &order)
            recordLeg(0, order, into: &commands)
            positions.removeFirst()
        }
    }
}
