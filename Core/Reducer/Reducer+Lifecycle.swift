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
            if case .limit = order.request.kind, let quantity = order.requestedQuantity, order.executedQuantity < quantity,
               sendEntryFallback(index, into: &commands) {
                return
            }
            finishEntry(index, into: &commands)
        case .entryFallback:
            finishEntry(index, into: &commands)
        case .restingTakeProfit:
            recordLeg(index, order, into: &commands)
            if let requested = order.requestedQuantity, order.executedQuantity == requested,
               order.exitReason == .partialTakeProfit {
                partialTaken(index, price: order.executedQuote / order.executedQuantity)
            } else if order.executedQuantity < (order.requestedQuantity ?? 0), positions[index].pendingExit == nil {
                positions[index].restingTakeProfitFailed = true
            }
            afterSell(index, endedExit: nil, into: &commands)
        case .exit:
            recordLeg(index, order, into: &commands)
            afterSell(index, endedExit: order.exitReason, into: &commands)
        case .safetyStop:
            recordLeg(index, order, into: &commands)
            safetyStopEnded(index, ended: order, into: &commands)
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
        case .safetyStop:
            safetyStopEnded(index, ended: order, into: &commands)
        case .exit:
            guard let reason = order.exitReason else { return }
            // Another order (the exchange's safety stop, a liquidation) closed the position
            // meanwhile: a refusal of this exit is no reason to try again.
            if positions[index].quantity.isZero { return afterSell(index, endedExit: nil, into: &commands) }
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
        cash += order.reserved
        if let index = positionIndex(id: order.positionId) {
            positions[index].orderIdentifiers.removeAll { $0 == order.identifier }
        }
    }

    /// After a limit entry timed out unfilled or partly filled: enter the rest at market.
    mutating func sendEntryFallback(_ index: Int, into commands: inout [Command]) -> Bool {
        guard config.entry.limitFallback == .market, let market = market(positions[index].market) else { return false }
        let left = market.instrument.flooredQuote(positions[index].entryAmount - positions[index].enteredQuote)
        let amount = Fixed.min(left, affordableNotional(market))
        guard amount >= minimumTotal(market), let order = marketEntry(amount, market, positions[index].direction) else {
            return false
        }
        var position = positions[index]
        send(.market, order.size, for: &position, purpose: .entryFallback, reserve: order.reserve, into: &commands)
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
        let prices = exitPrices(entry: entry, positions[index].direction)
        positions[index].takeProfitPrice = prices.takeProfit
        positions[index].stopPrice = prices.stop
        let position = positions[index]
        let verb = position.direction == .long ? "bought" : "sold short"
        commands.append(notification(.entry, position.market,
            "\(verb) \(position.enteredQuantity) \(position.market) at \(entry.floored(places: 4)) for \(position.enteredQuote.floored(places: 0)) \(venue.quoteAsset)"))
        // all of it already closed while the entry worked (a liquidation of its first fills):
        // nothing is left to manage (simulator seed 8795 of the futures venue)
        if position.quantity.isZero { return closePosition(index, into: &commands) }
        if config.exit.order == .limitTakeProfit && config.exit.trailingStop.isZero {
            placeRestingTakeProfit(index, into: &commands)
        }
        placeSafetyStop(index, into: &commands)
    }

    /// `limit_take_profit`: a limit exit rests at the take-profit price, rounded away from the
    /// entry to the grid (up for a long's sell, down for a short's buy).
    mutating func placeRestingTakeProfit(_ index: Int, into commands: inout [Command]) {
        guard let target = positions[index].takeProfitPrice, let market = market(positions[index].market) else { return }
        let scheme = market.instrument.tickScheme
        let price = positions[index].direction == .long ? scheme.roundUp(target) : scheme.roundDown(target)
        guard price.isPositive else {
            positions[index].restingTakeProfitFailed = true
            return
        }
        let minimum = minimumTotal(market)
        let held = positions[index].quantity
        var volume = held
        var reason = ExitReason.takeProfit
        if config.exit.partialFraction.isPositive {
            let part = market.instrument.flooredQuantity(held * config.exit.partialFraction)
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
        send(.limit(price: price), .quantity(volume), for: &position, purpose: .restingTakeProfit,
             exitReason: reason, into: &commands)
        positions[index] = position
    }

    /// After an exit ended: close the position when nothing is left, or go on closing.
    mutating func afterSell(_ index: Int, endedExit: ExitReason?, into commands: inout [Command]) {
        let position = positions[index]
        if position.quantity.isZero {
            for identifier in position.orderIdentifiers { cancel(identifier, into: &commands) }
            if position.orderIdentifiers.isEmpty { closePosition(index, into: &commands) }
            return
        }
        guard !hasLiveExit(position) else { return }
        if let pending = position.pendingExit, (position.exitRetryAt ?? now) <= now {
            placeExitNow(index, reason: pending, into: &commands)
        } else if let reason = endedExit, reason != .partialTakeProfit {
            placeExitNow(index, reason: reason, into: &commands)  // a full exit that closed only part
        }
    }

    /// Books the exit leg of one exit order (strategy.md §7): a `bookLeg` command, carried out by
    /// the shell once the journal holds the event that led to it.
    mutating func recordLeg(_ index: Int, _ order: Order, into commands: inout [Command]) {
        let volume = order.executedQuantity
        guard volume.isPositive, let reason = order.exitReason, let entryPrice = positions[index].entryPrice else { return }
        var position = positions[index]
        let unrecordedVolume = position.enteredQuantity - position.recordedQuantity
        let unrecordedFee = position.entryFee - position.recordedEntryFee
        let entryFeeShare = volume >= unrecordedVolume ? unrecordedFee : unrecordedFee * volume / unrecordedVolume
        position.recordedQuantity += volume
        position.recordedEntryFee += entryFeeShare
        position.lastExitReason = reason
        positions[index] = position
        let cost = entryPrice * volume
        let gross = position.direction == .long ? order.executedQuote - cost : cost - order.executedQuote
        let fee = entryFeeShare + order.paidFee
        let net = gross - fee
        let entry = LedgerEntry(
            positionId: position.id, market: position.market, direction: position.direction,
            entryTime: position.openedAt ?? now, entryPrice: entryPrice, exitTime: now,
            exitPrice: order.executedQuote / volume, quantity: volume, grossPnL: gross, fee: fee, netPnL: net,
            returnPercent: cost.isPositive ? net * 100 / cost : 0, reason: reason)
        commands.append(.bookLeg(entry, orderIdentifier: order.identifier))
        let verb = position.direction == .long ? "sold" : "bought back"
        commands.append(notification(.exit, position.market,
            "\(reason.rawValue): \(verb) \(volume) \(position.market) at \(entry.exitPrice.floored(places: 4)), net \(net.floored(places: 0)) \(venue.quoteAsset)"))
        risk.dayRealizedPnL += net
        checkDailyLossLimit(into: &commands)
    }

    /// Last leg done: cooldown, pause after a stop loss, and the position is gone.
    mutating func closePosition(_ index: Int, into commands: inout [Command]) {
        let position = positions[index]
        if venue.isMargin { cash += position.margin }  // what rounding left of the margin
        let lastReason = position.lastExitReason
        risk.cooldownUntil[position.market] = now + Milliseconds(config.risk.cooldownMinutes) * Time.minute
        if lastReason == .stopLoss, config.risk.stopLossPauseMinutes > 0 {
            risk.pausedUntil = now + Milliseconds(config.risk.stopLossPauseMinutes) * Time.minute
            commands.append(notification(.halt, position.market,
                "stop loss: entries paused for \(config.risk.stopLossPauseMinutes) minutes"))
        }
        positions.remove(at: index)
        pruneCooldowns()
        // funding paid or received while the bot did not listen (down, a lost frame) is only in
        // the venue's balance: read once nothing works any more, and adopted
        if venue.fundingIntervalMinutes != nil { risk.balancesStale = true }
    }

    /// Cooldowns that ended are forgotten, so the map stays small.
    mutating func pruneCooldowns() {
        let now = self.now
        risk.cooldownUntil = risk.cooldownUntil.filter { $0.value > now }
    }
}
