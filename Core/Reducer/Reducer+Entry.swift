extension State {
    /// Surge ratio and quote traded in the rolling window, or nil while history is too short.
    ///
    /// ratio = volume in the window / (mean volume per minute of the `average_window_minutes`
    /// candles that ended before the window * window / 60 s).
    public func surge(of market: MarketState) -> (ratio: Double, recentValue: Double)? {
        let windowSeconds = Int64(config.entry.surgeWindowSeconds)
        let nowSecond = Time.floorDivide(now, 1_000)
        let windowStart = (nowSecond - windowSeconds + 1) * 1_000
        let lastMinute = Time.minute(of: windowStart) - 1
        guard let average = market.candles.averageVolume(minutes: config.entry.averageWindowMinutes, endingAt: lastMinute),
              average > 0 else { return nil }
        let recent = market.recentVolume.totals(nowSecond: nowSecond)
        return (recent.volume / (average * Double(windowSeconds) / 60), recent.quoteValue)
    }

    /// Ranks markets by surge ratio and buys the top candidates that pass every entry rule.
    mutating func evaluateEntries(into commands: inout [Command]) {
        var ranked: [(ratio: Double, index: Int)] = []
        let minimumValue = config.entry.minRecentValue.doubleValue
        for index in markets.indices where markets[index].isTradable {
            guard let surge = surge(of: markets[index]), surge.recentValue >= minimumValue else { continue }
            ranked.append((surge.ratio, index))
        }
        guard !ranked.isEmpty else { return }
        ranked.sort { lhs, rhs in
            lhs.ratio != rhs.ratio ? lhs.ratio > rhs.ratio : markets[lhs.index].code < markets[rhs.index].code
        }
        for candidate in ranked.prefix(config.entry.candidates) {
            let verdict = entryVerdict(candidate.index, ratio: candidate.ratio)
            if options.trace {
                let market = markets[candidate.index]
                let decision = Decision(
                    time: now, market: market.code, surgeRatio: candidate.ratio, rsi: market.candles.rsi.value,
                    bidDominant: market.book.map { $0.totalBidSize > $0.totalAskSize },
                    action: verdict.plan.map { $0.direction == .long ? .buy : .sell } ?? .skip, reason: verdict.reason)
                commands.append(.trace(.decision(decision)))
            }
            if let plan = verdict.plan { openEntry(candidate.index, plan: plan, into: &commands) }
        }
    }

    /// What an entry would send.
    struct EntryPlan {
        var direction: Direction
        var kind: OrderRequest.Kind
        var size: OrderRequest.Size
        /// The notional meant, in the quote asset.
        var amount: Fixed
        var reserved: Fixed
    }

    /// The first entry rule a candidate fails (strategy.md §3, in order; a short mirrors it), or
    /// a plan to enter. With `direction = "both"` the long rule is tried first.
    func entryVerdict(_ index: Int, ratio: Double) -> (reason: String, plan: EntryPlan?) {
        let market = markets[index]
        if ratio < config.entry.minVolumeRatio { return ("surge_below_min", nil) }
        guard let rsi = market.candles.rsi.value else { return ("rsi_unavailable", nil) }
        let direction: Direction
        switch config.entry.direction {
        case .long:
            if let failed = signalFails(.long, rsi: rsi, book: market.book) { return (failed, nil) }
            direction = .long
        case .short:
            if let failed = signalFails(.short, rsi: rsi, book: market.book) { return (failed, nil) }
            direction = .short
        case .both:
            if let failed = signalFails(.long, rsi: rsi, book: market.book) {
                guard signalFails(.short, rsi: rsi, book: market.book) == nil else { return (failed, nil) }
                direction = .short
            } else {
                direction = .long
            }
        }
        if positionIndex(market: market.code) != nil { return ("position_open", nil) }
        // the venue would refuse the leverage (Binance: -4028 when it is set before the entry)
        if let maximum = market.instrument.maximumLeverage, venue.leverage > maximum { return ("leverage_above_maximum", nil) }
        if let until = risk.cooldownUntil[market.code], now < until { return ("cooling_down", nil) }
        if positions.count >= config.capital.maxPositions { return ("max_positions", nil) }
        if let halt = entryHaltReason { return (halt, nil) }
        return entryPlan(for: market, direction: direction)
    }

    /// The RSI and book rule of one direction: a long wants RSI in [rsi_min, rsi_max] and more bid
    /// than ask volume; a short RSI in [100 − rsi_max, 100 − rsi_min] and more ask than bid volume.
    func signalFails(_ direction: Direction, rsi: Double, book: BookTop?) -> String? {
        let entry = config.entry
        let low = direction == .long ? entry.rsiMin : 100 - entry.rsiMax
        let high = direction == .long ? entry.rsiMax : 100 - entry.rsiMin
        if rsi < low { return "rsi_below_min" }
        if rsi > high { return "rsi_above_max" }
        if entry.requireBidDominance {
            guard let book else { return "no_orderbook" }
            let dominant = direction == .long ? book.totalBidSize > book.totalAskSize : book.totalAskSize > book.totalBidSize
            if !dominant { return direction == .long ? "ask_dominant" : "bid_dominant" }
        }
        return nil
    }

    /// Why entries are halted right now, if they are.
    public var entryHaltReason: String? {
        if risk.reconciling { return "reconciling" }
        if risk.dailyLossLimitHit { return "daily_loss_limit" }
        if risk.feedStale { return "stale_feed" }
        if let until = risk.pausedUntil, now < until { return "paused_after_stop_loss" }
        if risk.pausedByOperator { return "paused_by_operator" }
        if risk.marginCallHalt { return "margin_call" }
        if risk.emergencyHalt { return "emergency_stop" }
        if let until = risk.entryBackoffUntil, now < until { return "entry_refused_backoff" }
        return nil
    }

    func feeRate(_ market: MarketState) -> Fixed { market.instrument.takerFee ?? config.fees.rate }
    func minimumTotal(_ market: MarketState) -> Fixed { market.instrument.minimumNotional }

    /// What an entry of `notional` sets aside: the cost (spot) or the margin (notional / leverage),
    /// plus the fee.
    func reserve(forNotional notional: Fixed, fee: Fixed) -> Fixed {
        venue.isMargin ? notional / Fixed(venue.leverage) + notional * fee : notional * (Fixed.one + fee)
    }

    /// The largest notional free cash can enter with.
    func affordableNotional(_ market: MarketState) -> Fixed {
        market.instrument.flooredQuote(cash / reserve(forNotional: 1, fee: feeRate(market)))
    }

    /// Sizing (strategy.md §3): a fraction of equity (times the leverage on a margin venue),
    /// capped so what it sets aside fits in free cash, floored to the quote decimals. The
    /// notional must also stay closable at the stop price: a position worth less than the
    /// minimum total could never be closed.
    func entryPlan(for market: MarketState, direction: Direction) -> (reason: String, plan: EntryPlan?) {
        let instrument = market.instrument
        let fee = feeRate(market)
        let target = instrument.flooredQuote(equity * config.capital.positionFraction * Fixed(venue.leverage))
        let amount = Fixed.min(Fixed.min(target, affordableNotional(market)), instrument.maximumNotional)
        let minimum = minimumTotal(market)
        let closable = (minimum / (Fixed.one - config.exit.stopLoss.magnitude)).ceiled(toMultipleOf: instrument.quoteUnit)
        guard amount >= Fixed.max(minimum, closable) else { return ("below_min_total", nil) }
        let side = direction.entrySide
        switch config.entry.order {
        case .market:
            guard let order = marketEntry(amount, market, direction) else {
                return (marketReference(market, side) == nil ? "no_price" : "below_min_total", nil)
            }
            return ("entry", EntryPlan(direction: direction, kind: .market, size: order.size, amount: amount,
                                       reserved: order.reserve))
        case .limit:
            let best = side == .buy ? market.book?.bestBidPrice : market.book?.bestAskPrice
            guard let best, best.isPositive else { return (side == .buy ? "no_best_bid" : "no_best_ask", nil) }
            let price = side == .buy ? instrument.tickScheme.roundDown(best) : instrument.tickScheme.roundUp(best)
            guard price.isPositive else { return ("no_best_bid", nil) }
            guard let quantity = entryQuantity(amount, price: price, instrument) else { return ("below_min_total", nil) }
            return ("entry", EntryPlan(direction: direction, kind: .limit(price: price), size: .quantity(quantity),
                                       amount: amount, reserved: reserve(forNotional: price * quantity, fee: fee)))
        }
    }

    /// A market entry of `amount`: by quote amount where the instrument allows it (Upbit's market
    /// buy), else by quantity at the reference price; and what it sets aside: the price band over
    /// the reference, since it may fill that much worse (a buy's cost grows with the price, and
    /// on a margin venue so does either side's margin). When free cash cannot set that aside, the
    /// quantity shrinks until it can: the venue checks the margin at its own view of the price,
    /// which may be ahead of the bot's (simulator seeds 507 and 5747 of the futures venue). Nil
    /// when there is no price or the quantity would be below the instrument's minimums.
    func marketEntry(_ amount: Fixed, _ market: MarketState, _ direction: Direction)
        -> (size: OrderRequest.Size, reserve: Fixed)? {
        let fee = feeRate(market)
        let side = direction.entrySide
        if side == .buy, market.instrument.quoteSizedMarketBuys {
            return (.quote(amount), reserve(forNotional: amount, fee: fee))
        }
        guard let price = marketReference(market, side), price.isPositive else { return nil }
        let worst = side == .buy || venue.isMargin ? price * (Fixed.one + config.risk.priceBand) : price
        let affordable = Fixed.min(amount, affordableNotional(market) * price / worst)
        guard let quantity = entryQuantity(affordable, price: price, market.instrument) else { return nil }
        return (.quantity(quantity), reserve(forNotional: worst * quantity, fee: fee))
    }

    /// The price a market order by quantity is sized at: the touch it takes (best ask for a buy,
    /// best bid for a sell) or the last price, whichever is higher, so that the notional the venue
    /// computes (and the margin it asks) is not above the plan when the book is behind the trades
    /// (simulator seed 474 of the futures venue).
    func marketReference(_ market: MarketState, _ side: Side) -> Fixed? {
        let touch = side == .buy ? market.book?.bestAskPrice : market.book?.bestBidPrice
        return [touch, market.lastPrice].compactMap { $0 }.max()
    }

    /// The quantity `amount` buys at `price`, on the step and within the limits, or nil.
    func entryQuantity(_ amount: Fixed, price: Fixed, _ instrument: Instrument) -> Fixed? {
        let quantity = Fixed.min(instrument.flooredQuantity(amount / price), instrument.maximumQuantity)
        guard quantity.isPositive, quantity >= instrument.minimumQuantity,
              price * quantity >= instrument.minimumNotional else { return nil }
        return quantity
    }

    mutating func openEntry(_ index: Int, plan: EntryPlan, into commands: inout [Command]) {
        let market = markets[index]
        var position = Position(id: counters.nextPositionId, market: market.code, direction: plan.direction,
                                phase: .opening, entryAmount: plan.amount)
        counters.nextPositionId += 1
        var cancelAt: Milliseconds?
        if case .limit = plan.kind { cancelAt = Time.adding(now, Time.duration(config.entry.limitTimeoutSeconds, Time.second)) }
        send(plan.kind, plan.size, for: &position, purpose: .entry, reserve: plan.reserved, cancelAt: cancelAt,
             into: &commands)
        positions.append(position)
    }
}
