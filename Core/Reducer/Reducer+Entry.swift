extension State {
    /// Surge ratio and KRW traded in the rolling window, or nil while history is too short.
    ///
    /// ratio = volume in the window / (mean volume per minute of the `average_window_minutes`
    /// candles that ended before the window * window / 60 s).
    public func surge(of market: MarketState) -> (ratio: Double, recentValueKRW: Double)? {
        let windowSeconds = Int64(config.entry.surgeWindowSeconds)
        let nowSecond = Time.floorDivide(now, 1_000)
        let windowStart = (nowSecond - windowSeconds + 1) * 1_000
        let lastMinute = Time.minute(of: windowStart) - 1
        guard let average = market.candles.averageVolume(minutes: config.entry.averageWindowMinutes, endingAt: lastMinute),
              average > 0 else { return nil }
        let recent = market.recentVolume.totals(nowSecond: nowSecond)
        return (recent.volume / (average * Double(windowSeconds) / 60), recent.valueKRW)
    }

    /// Ranks markets by surge ratio and buys the top candidates that pass every entry rule.
    mutating func evaluateEntries(into commands: inout [Command]) {
        var ranked: [(ratio: Double, index: Int)] = []
        let minimumValue = config.entry.minRecentValueKRW.doubleValue
        for index in markets.indices where markets[index].isTradable {
            guard let surge = surge(of: markets[index]), surge.recentValueKRW >= minimumValue else { continue }
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
                    action: verdict.plan == nil ? .skip : .buy, reason: verdict.reason)
                commands.append(.trace(.decision(decision)))
            }
            if let plan = verdict.plan { openEntry(candidate.index, plan: plan, into: &commands) }
        }
    }

    /// What an entry would send.
    struct EntryPlan {
        var kind: OrderRequest.Kind
        var amountKRW: Fixed
        var reservedKRW: Fixed
    }

    /// The first entry rule a candidate fails (strategy.md §3, in order), or a plan to buy.
    func entryVerdict(_ index: Int, ratio: Double) -> (reason: String, plan: EntryPlan?) {
        let market = markets[index]
        let entry = config.entry
        if ratio < entry.minVolumeRatio { return ("surge_below_min", nil) }
        guard let rsi = market.candles.rsi.value else { return ("rsi_unavailable", nil) }
        if rsi < entry.rsiMin { return ("rsi_below_min", nil) }
        if rsi > entry.rsiMax { return ("rsi_above_max", nil) }
        if entry.requireBidDominance {
            guard let book = market.book else { return ("no_orderbook", nil) }
            if !(book.totalBidSize > book.totalAskSize) { return ("ask_dominant", nil) }
        }
        if positionIndex(market: market.code) != nil { return ("position_open", nil) }
        if let until = risk.cooldownUntil[market.code], now < until { return ("cooling_down", nil) }
        if positions.count >= config.capital.maxPositions { return ("max_positions", nil) }
        if let halt = entryHaltReason { return (halt, nil) }
        return entryPlan(for: market)
    }

    /// Why entries are halted right now, if they are.
    public var entryHaltReason: String? {
        if risk.reconciling { return "reconciling" }
        if risk.dailyLossLimitHit { return "daily_loss_limit" }
        if risk.feedStale { return "stale_feed" }
        if let until = risk.pausedUntil, now < until { return "paused_after_stop_loss" }
        if risk.pausedByOperator { return "paused_by_operator" }
        if let until = risk.entryBackoffUntil, now < until { return "entry_refused_backoff" }
        return nil
    }

    func feeRate(_ market: MarketState) -> Fixed { market.rules.feeRate ?? config.fees.rate }
    func minimumTotal(_ market: MarketState) -> Fixed { market.rules.minTotalKRW ?? State.defaultMinimumTotalKRW }

    static let defaultMinimumTotalKRW: Fixed = 5_000
    static let maximumOrderTotalKRW: Fixed = 1_000_000_000

    /// Sizing (strategy.md §3): a fraction of equity, capped so amount * (1 + fee) fits in free
    /// KRW, floored to whole KRW. The amount must also stay sellable at the stop price: a
    /// position worth less than the minimum total could never be sold.
    func entryPlan(for market: MarketState) -> (reason: String, plan: EntryPlan?) {
        let fee = feeRate(market)
        let target = (equityKRW * config.capital.positionFraction).floored(places: 0)
        let affordable = (cashKRW / (Fixed.one + fee)).floored(places: 0)
        let amount = Fixed.min(Fixed.min(target, affordable), State.maximumOrderTotalKRW)
        let minimum = minimumTotal(market)
        let sellable = (minimum / (Fixed.one + config.exit.stopLoss)).ceiled(toMultipleOf: .one)
        guard amount >= Fixed.max(minimum, sellable) else { return ("below_min_total", nil) }
        switch config.entry.order {
        case .market:
            return ("entry", EntryPlan(kind: .marketBuy(amountKRW: amount), amountKRW: amount,
                                       reservedKRW: amount * (Fixed.one + fee)))
        case .limit:
            guard let bid = market.book?.bestBidPrice, bid.isPositive else { return ("no_best_bid", nil) }
            let price = TickGrid.roundDown(bid, tick: market.rules.tickSize)
            guard price.isPositive else { return ("no_best_bid", nil) }
            let volume = (amount / price).floored(places: 8)
            let total = price * volume
            guard total >= minimum else { return ("below_min_total", nil) }
            return ("entry", EntryPlan(kind: .limit(side: .bid, price: price, volume: volume), amountKRW: amount,
                                       reservedKRW: total * (Fixed.one + fee)))
        }
    }

    mutating func openEntry(_ index: Int, plan: EntryPlan, into commands: inout [Command]) {
        let market = markets[index]
        var position = Position(id: counters.nextPositionId, market: market.code, phase: .opening,
                                entryAmountKRW: plan.amountKRW)
        counters.nextPositionId += 1
        var cancelAt: Milliseconds?
        if case .limit = plan.kind { cancelAt = Time.adding(now, Time.duration(config.entry.limitTimeoutSeconds, Time.second)) }
        send(plan.kind, for: &position, purpose: .entry, reserve: plan.reservedKRW, cancelAt: cancelAt, into: &commands)
        positions.append(position)
    }
}
