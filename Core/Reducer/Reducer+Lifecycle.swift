extension State {
    /// Exit orders rejected this many times make the position `stuck`.
    static let maximumExitRejections = 5
    static let exitRetryMilliseconds: Milliseconds = 5_000

    /// An order that ended on the exchange (done, cancel, prevented).
    mutating func orderEnded(_ order: Order, into commands: inout [Command]) {
        detach(order)
        guard let index = positionIndex(id: order.positionId) else { return }
        switch order.purpose {
        case .entry:
            if case .limit(_, _, let volume) = order.request.kind, order.executedVolume < volume,
               sendEntryFallback(index, into: &commands) {
                return
            }
            finishEntry(index, into: &commands)
        case .entryFallback:
            finishEntry(index, into: &commands)
        case .restingTakeProfit:
            recordLeg(index, order, into: &commands)
            if let requested = order.requestedVolume, order.executedVolume == requested,
               order.exitReason == .partialTakeProfit {
                partialTaken(index, price: order.executedFundsKRW / order.executedVolume)
            } else if order.executedVolume < (order.requestedVolume ?? 0), positions[index].pendingExit == nil {
                positions[index].restingTakeProfitFailed = true
            }
            afterSell(index, endedExit: nil, into: &commands)
        case .exit:
            recordLeg(index, order, into: &commands)
            afterSell(index, endedExit: order.exitReason, into: &commands)
        }
    }

    /// An order that never was, or was refused: no fills happened.
    mutating func orderGone(_ order: Order, rejected: Bool, into commands: inout [Command]) {
        detach(order)
        guard let index = positionIndex(id: order.positionId) else { return }
        switch order.purpose {
        case .entry, .entryFallback:
            finishEntry(index, into: &commands)
        case .restingTakeProfit:
            positions[index].restingTakeProfitFailed = true
            afterSell(index, endedExit: nil, into: &commands)
        case .exit:
            guard let reason = order.exitReason else { return }
            if rejected { positions[index].exitRejections += 1 }
            if positions[index].exitRejections >= State.maximumExitRejections {
                return becomeStuck(index, reason: reason, into: &commands)
            }
            positions[index].pendingExit = reason
            positions[index].exitRetryAt = Time.adding(now, rejected ? State.exitRetryMilliseconds : 0)
        }
    }

    /// Removes a finished order from the books and returns what it still had reserved.
    mutating func detach(_ order: Order) {
        counters.orderActivity += 1
        orders[order.identifier] = nil
        cashKRW += order.reservedKRW
        if let index = positionIndex(id: order.positionId) {
            positions[index].orderIdentifiers.removeAll { $0 == order.identifier }
        }
    }

    /// After a limit entry timed out unfilled or partly filled: buy the rest at market.
    mutating func sendEntryFallback(_ index: Int, into commands: inout [Command]) -> Bool {
        guard config.entry.limitFallback == .market, let market = market(positions[index].market) else { return false }
        let fee = feeRate(market)
        let left = (positions[index].entryAmountKRW - positions[index].boughtFundsKRW).floored(places: 0)
        let affordable = (cashKRW / (Fixed.one + fee)).floored(places: 0)
        let amount = Fixed.min(left, affordable)
        guard amount >= minimumTotal(market) else { return false }
        var position = positions[index]
        send(.marketBuy(amountKRW: amount), for: &position, purpose: .entryFallback,
             reserve: amount * (Fixed.one + fee), into: &commands)
        positions[index] = position
        return true
    }

    /// The entry is over: open the position with what was bought, or drop it.
    mutating func finishEntry(_ index: Int, into commands: inout [Command]) {
        guard positions[index].orderIdentifiers.isEmpty else { return }
        guard let entry = positions[index].entryPrice else {
            commands.append(notification(.warning, positions[index].market, "entry of position \(positions[index].id) bought nothing"))
            positions.remove(at: index)
            return
        }
        positions[index].phase = .open
        positions[index].takeProfitPrice = entry * (Fixed.one + config.exit.takeProfit)
        positions[index].stopPrice = entry * (Fixed.one + config.exit.stopLoss)
        let position = positions[index]
        commands.append(notification(.entry, position.market,
            "bought \(position.volume) \(position.market) at \(entry.floored(places: 4)) for \(position.boughtFundsKRW.floored(places: 0)) KRW"))
        if config.exit.order == .limitTakeProfit && config.exit.trailingStop.isZero {
            placeRestingTakeProfit(index, into: &commands)
        }
    }

    /// `limit_take_profit`: a limit sell rests at the take-profit price, rounded up to the grid.
    mutating func placeRestingTakeProfit(_ index: Int, into commands: inout [Command]) {
        guard let target = positions[index].takeProfitPrice, let market = market(positions[index].market) else { return }
        let price = TickGrid.roundUp(target, tick: market.rules.tickSize)
        let minimum = minimumTotal(market)
        let held = positions[index].volume
        var volume = held
        var reason = ExitReason.takeProfit
        if config.exit.partialFraction.isPositive {
            let part = (held * config.exit.partialFraction).floored(places: 8)
            if part * price >= minimum && (held - part) * price >= minimum {
                volume = part
                reason = .partialTakeProfit
            }
        }
        guard volume * price >= minimum else {
            positions[index].restingTakeProfitFailed = true
            return
        }
        var position = positions[index]
        send(.limit(side: .ask, price: price, volume: volume), for: &position, purpose: .restingTakeProfit,
             exitReason: reason, into: &commands)
        positions[index] = position
    }

    /// After a sell ended: close the position when nothing is left, or go on selling.
    mutating func afterSell(_ index: Int, endedExit: ExitReason?, into commands: inout [Command]) {
        let position = positions[index]
        if position.volume.isZero {
            for identifier in position.orderIdentifiers { cancel(identifier, into: &commands) }
            if position.orderIdentifiers.isEmpty { closePosition(index, into: &commands) }
            return
        }
        guard !hasLiveSell(position) else { return }
        if let pending = position.pendingExit, (position.exitRetryAt ?? now) <= now {
            placeExitNow(index, reason: pending, into: &commands)
        } else if let reason = endedExit, reason != .partialTakeProfit {
            placeExitNow(index, reason: reason, into: &commands)  // a full exit that sold only part
        }
    }

    /// Books the exit leg of one sell order (strategy.md §7): a `bookLeg` command, carried out by
    /// the shell once the journal holds the event that led to it.
    mutating func recordLeg(_ index: Int, _ order: Order, into commands: inout [Command]) {
        let volume = order.executedVolume
        guard volume.isPositive, let reason = order.exitReason, let entryPrice = positions[index].entryPrice else { return }
        var position = positions[index]
        let unrecordedVolume = position.boughtVolume - position.recordedVolume
        let unrecordedFee = position.entryFeeKRW - position.recordedEntryFeeKRW
        let entryFeeShare = volume >= unrecordedVolume ? unrecordedFee : unrecordedFee * volume / unrecordedVolume
        position.recordedVolume += volume
        position.recordedEntryFeeKRW += entryFeeShare
        position.lastExitReason = reason
        positions[index] = position
        let cost = entryPrice * volume
        let gross = order.executedFundsKRW - cost
        let fee = entryFeeShare + order.paidFeeKRW
        let net = gross - fee
        let entry = LedgerEntry(
            positionId: position.id, market: position.market, entryTime: position.openedAt ?? now,
            entryPrice: entryPrice, exitTime: now, exitPrice: order.executedFundsKRW / volume, volume: volume,
            grossPnLKRW: gross, feeKRW: fee, netPnLKRW: net,
            returnPercent: cost.isPositive ? net * 100 / cost : 0, reason: reason)
        commands.append(.bookLeg(entry, orderIdentifier: order.identifier))
        commands.append(notification(.exit, position.market,
            "\(reason.rawValue): sold \(volume) \(position.market) at \(entry.exitPrice.floored(places: 4)), net \(net.floored(places: 0)) KRW"))
        risk.dayRealizedPnLKRW += net
        checkDailyLossLimit(into: &commands)
    }

    /// Last leg done: cooldown, pause after a stop loss, and the position is gone.
    mutating func closePosition(_ index: Int, into commands: inout [Command]) {
        let position = positions[index]
        let lastReason = position.lastExitReason
        risk.cooldownUntil[position.market] = now + Milliseconds(config.risk.cooldownMinutes) * Time.minute
        if lastReason == .stopLoss, config.risk.stopLossPauseMinutes > 0 {
            risk.pausedUntil = now + Milliseconds(config.risk.stopLossPauseMinutes) * Time.minute
            commands.append(notification(.halt, position.market,
                "stop loss: entries paused for \(config.risk.stopLossPauseMinutes) minutes"))
        }
        positions.remove(at: index)
        pruneCooldowns()
    }

    /// Cooldowns that ended are forgotten, so the map stays small.
    mutating func pruneCooldowns() {
        let now = self.now
        risk.cooldownUntil = risk.cooldownUntil.filter { $0.value > now }
    }
}
