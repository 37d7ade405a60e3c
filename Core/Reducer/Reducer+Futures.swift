/// What only margin venues (perpetual futures) report: the mark price, funding payments,
/// liquidations and margin calls, and the account-level emergency stop of the seed's bot.
extension State {
    mutating func receiveMarkPrice(_ market: String, _ price: Fixed) {
        guard price.isPositive, price <= State.maximumPrice, let index = marketIndex(of: market) else { return }
        markets[index].markPrice = price
    }

    /// A funding payment: cash moves by `amount` (taken from the position's margin where free
    /// cash cannot pay it), it counts toward the day's P&L, and it is a ledger line of its own
    /// (reason `funding`, quantity the position held). A settlement reported twice is booked once.
    mutating func fundingSettled(_ market: String, amount: Fixed, settledAt: Milliseconds, into commands: inout [Command]) {
        guard amount.magnitude <= Config.maximumQuote, let marketIndex = marketIndex(of: market),
              settledAt > markets[marketIndex].lastFundingAt ?? .min else { return ignoredOrderEvent() }
        markets[marketIndex].lastFundingAt = settledAt
        let position = positionIndex(market: market).map { positions[$0] }
        cash += amount
        if cash.isNegative, let index = positionIndex(market: market) {
            let taken = Fixed.min(-cash, positions[index].margin)
            positions[index].margin -= taken
            cash += taken
        }
        if cash.isNegative { cash = 0 }  // the venue cannot take more than the account holds
        let price = markets[marketIndex].markPrice ?? markets[marketIndex].lastPrice ?? .zero
        let leg = LedgerEntry(
            positionId: position?.id ?? 0, market: market, direction: position?.direction ?? .long,
            entryTime: position?.openedAt ?? now, entryPrice: position?.entryPrice ?? .zero, exitTime: now,
            exitPrice: price, quantity: position?.quantity ?? .zero, grossPnL: amount, fee: .zero, netPnL: amount,
            returnPercent: .zero, reason: .funding)
        commands.append(.bookLeg(leg, orderIdentifier: "funding-\(market)-\(settledAt)"))
        risk.dayRealizedPnL += amount
        checkDailyLossLimit(into: &commands)
    }

    /// The venue closed (part of) a position by liquidation: an exit leg with reason
    /// `liquidation`; an isolated position loses at most its margin. The position's other
    /// orders are cancelled once it is flat.
    mutating func positionLiquidated(_ market: String, identifier: String, quantity: Fixed, price: Fixed, fee: Fixed,
                                     into commands: inout [Command]) {
        guard let index = positionIndex(market: market), !positions[index].liquidations.contains(identifier),
              positions[index].quantity.isPositive, quantity.isPositive,
              price.isPositive, price <= State.maximumPrice, !fee.isNegative, fee <= Config.maximumQuote else {
            return ignoredOrderEvent()
        }
        positions[index].liquidations.append(identifier)
        let position = positions[index]
        let closed = Fixed.min(quantity, position.quantity)
        var order = Order(
            request: OrderRequest(identifier: "liquidation-\(position.id)-\(now)", market: market,
                                  side: position.direction.exitSide, kind: .market, size: .quantity(closed), reduceOnly: true),
            positionId: position.id, purpose: .exit, exitReason: .liquidation, phase: .open, reserved: 0, sentAt: now)
        let cashBefore = cash
        applyFill(Fill(quantity: closed, quote: closed * price, fee: fee), to: &order)
        // isolated: the position loses its margin at most (what it gave back cannot be below
        // nothing); the fee comes out of what is left
        cash = Fixed.max(Fixed.max(cash, cashBefore - fee), .zero)
        commands.append(notification(.error, market, "position \(position.id) liquidated: \(closed) at \(price)"))
        recordLeg(index, order, into: &commands)
        afterSell(index, endedExit: nil, into: &commands)
    }

    mutating func marginCalled(into commands: inout [Command]) {
        guard !risk.marginCallHalt else { return }
        risk.marginCallHalt = true
        commands.append(notification(.error, nil, "margin call from the venue: entries halted until `surge resume`"))
    }

    /// Unrealised P&L of the open positions at the mark price (the last price without one).
    public var unrealizedPnL: Fixed {
        var total: Fixed = 0
        for position in positions {
            guard let entry = position.entryPrice, let market = market(position.market),
                  let price = market.markPrice ?? market.lastPrice else { continue }
            total += position.direction.sign * (price - entry) * position.quantity
        }
        return total
    }

    /// `risk.max_unrealized_loss` (margin venues): unrealised losses of that fraction of equity
    /// close every open position at market (reason `emergency_stop`) and halt entries until the
    /// operator resumes them.
    mutating func checkEmergencyStop(into commands: inout [Command]) {
        let limit = config.risk.maxUnrealizedLoss
        guard venue.isMargin, limit.isPositive, !risk.emergencyHalt, !positions.isEmpty else { return }
        let loss = -unrealizedPnL
        guard loss.isPositive, loss >= equity * limit else { return }
        risk.emergencyHalt = true
        commands.append(notification(.halt, nil,
            "emergency stop: unrealised loss \(loss.floored(places: 2)) \(venue.quoteAsset) reached \(limit) of equity; closing every position, entries halted until `surge resume`"))
        for index in positions.indices where positions[index].phase == .open && !hasLiveFullExit(positions[index]) {
            startExit(index, reason: .emergencyStop, into: &commands)
        }
    }
}
