extension State {
    /// A trade of the minute before this long after its end is late: candles close on the clock.
    static let candleCloseGraceMilliseconds: Milliseconds = 2_000

    mutating func listMarkets(_ listings: [MarketListing], into commands: inout [Command]) {
        let excluded = Set(config.universe.exclude)
        var tradable = Set<String>()
        var instruments: [String: Instrument] = [:]
        for listing in listings where venue.accepts(listing.market) && !excluded.contains(listing.market) {
            if config.universe.excludeWarning && listing.warning { continue }
            tradable.insert(listing.market)
            if let instrument = listing.instrument, instrument.symbol == listing.market, plausible(instrument) {
                instruments[listing.market] = instrument
            }
        }
        universeListed = true
        for code in tradable.sorted() {
            guard let index = addMarket(code) else { continue }
            if let instrument = instruments[code] { markets[index].instrument = instrument }
        }
        var subscribed = Set<String>()
        for index in markets.indices {
            let isTradable = tradable.contains(markets[index].code)
            markets[index].isTradable = isTradable
            if isTradable { subscribed.insert(markets[index].code) }
        }
        for position in positions { subscribed.insert(position.market) }
        commands.append(.subscribe(markets: subscribed.sorted()))
    }

    /// An instrument a venue listed is used only when every number in it is sane.
    func plausible(_ instrument: Instrument) -> Bool {
        let tickOK: Bool
        switch instrument.tickScheme {
        case .fixed(let tick): tickOK = tick.isPositive && tick <= State.maximumPrice
        case .tiered(let tiers, let smallest): tickOK = smallest.isPositive && tiers.allSatisfy { $0.tick.isPositive }
        }
        let limit = Config.maximumQuote
        return tickOK && instrument.quantityStep.isPositive && instrument.quantityStep <= State.maximumVolume
            && !instrument.minimumQuantity.isNegative && instrument.maximumQuantity.isPositive
            && !instrument.minimumNotional.isNegative && instrument.minimumNotional <= limit
            && instrument.maximumNotional.isPositive && (0...16).contains(instrument.quoteDecimals)
            && [instrument.makerFee, instrument.takerFee].allSatisfy { fee in fee.map { !$0.isNegative && $0 < State.maximumFeeRate } ?? true }
    }

    static let maximumFeeRate: Fixed = Fixed("0.01")!

    mutating func applyRules(_ rules: MarketRules) {
        guard let index = marketIndex(of: rules.market) ?? addMarketIfAllowed(rules.market) else { return }
        if let tick = rules.tickSize, tick.isPositive, tick <= State.maximumPrice { markets[index].instrument.tickScheme = .fixed(tick) }
        if let minimum = rules.minimumNotional, minimum.isPositive, minimum <= Config.maximumQuote {
            markets[index].instrument.minimumNotional = minimum
        }
        if let fee = rules.feeRate, !fee.isNegative, fee < State.maximumFeeRate {
            markets[index].instrument.makerFee = fee
            markets[index].instrument.takerFee = fee
        }
    }

    /// Before the venue's list arrives (backtests), any market of the venue's shape not excluded
    /// is welcome.
    mutating func addMarketIfAllowed(_ code: String) -> Int? {
        guard !universeListed, venue.accepts(code), !config.universe.exclude.contains(code) else { return nil }
        return addMarket(code)
    }

    mutating func receiveTrade(_ trade: Trade, into commands: inout [Command]) {
        guard trade.price.isPositive, trade.volume.isPositive, trade.price <= State.maximumPrice,
              trade.volume <= State.maximumVolume,
              let index = marketIndex(of: trade.market) ?? addMarketIfAllowed(trade.market) else {
            statistics.ignoredTrades += 1
            return
        }
        if markets[index].isDuplicate(sequentialId: trade.sequentialId) {
            statistics.duplicateTrades += 1
            return
        }
        if isSuspectPrint(trade.price, index) {
            statistics.suspectPrints += 1
            return
        }
        let price = trade.price.doubleValue
        let volume = trade.volume.doubleValue
        let trace = options.trace
        let code = trade.market
        let accepted = markets[index].candles.add(minute: Time.minute(of: trade.time), price: price, volume: volume) {
            candle, rsi in
            if trace { commands.append(.trace(.candle(market: code, candle: candle, rsi: rsi))) }
        }
        guard accepted else {
            statistics.lateTrades += 1
            return
        }
        markets[index].recentVolume.add(second: Time.floorDivide(trade.time, 1_000), volume: volume, quoteValue: price * volume)
        markets[index].lastPrice = trade.price
        markets[index].lastTradeTime = trade.time
        marketDataArrived(into: &commands)
        requestBackfillIfNeeded(index, into: &commands)
        if !positions.isEmpty, let positionIndex = positionIndex(market: trade.market) {
            checkExits(positionIndex, price: trade.price, into: &commands)
        }
    }

    mutating func receiveBook(_ book: BookTop, into commands: inout [Command]) {
        guard book.totalBidSize >= 0, book.totalAskSize >= 0, book.totalBidSize.isFinite, book.totalAskSize.isFinite,
              book.bestBidPrice.map({ $0.isPositive && $0 <= State.maximumPrice }) ?? true,
              book.bestAskPrice.map({ $0.isPositive && $0 <= State.maximumPrice }) ?? true,
              let index = marketIndex(of: book.market) ?? addMarketIfAllowed(book.market) else { return }
        markets[index].book = book
        marketDataArrived(into: &commands)
    }

    mutating func marketDataArrived(into commands: inout [Command]) {
        risk.lastMarketDataAt = now
        if risk.feedStale {
            risk.feedStale = false
            commands.append(notification(.resume, nil, "market data flows again: entries resume"))
        }
    }

    mutating func requestBackfillIfNeeded(_ index: Int, into commands: inout [Command]) {
        guard options.backfillCandles > 0, markets[index].backfill == .notRequested else { return }
        requestBackfill(index, into: &commands)
    }

    mutating func requestBackfill(_ index: Int, into commands: inout [Command]) {
        markets[index].backfill = .requested
        markets[index].backfillRetryAt = nil
        let requestId = counters.nextRequestId
        counters.nextRequestId += 1
        counters.candleRequests[requestId] = markets[index].code
        commands.append(.fetchCandles(requestId: requestId, market: markets[index].code, count: options.backfillCandles))
    }

    /// Fetched candles go in front of the ones built from trades.
    mutating func receiveCandles(requestId: Int, market: String, candles: [Candle], into commands: inout [Command]) {
        guard counters.candleRequests[requestId] == market, let index = marketIndex(of: market) else { return }
        counters.candleRequests[requestId] = nil
        markets[index].backfill = .done
        markets[index].backfillFailures = 0
        markets[index].backfillRetryAt = nil
        let closeBefore = Time.minute(of: now - State.candleCloseGraceMilliseconds)
        let oldest = closeBefore - Int64(CandleSeries.maximumGapMinutes)
        let valid = candles.filter {
            $0.minute < closeBefore && $0.minute > oldest && $0.close > 0 && $0.close.isFinite && $0.volume >= 0
                && $0.volume.isFinite && $0.high.isFinite && $0.low.isFinite && $0.open.isFinite
        }
        markets[index].candles.merge(backfill: valid)
    }

    /// Trades and book prices beyond these are not prices (and would overflow money arithmetic).
    static let maximumPrice: Fixed = 1_000_000_000_000
    static let maximumVolume: Fixed = 1_000_000_000_000_000

    /// Closes every market's candles up to the clock, so silent minutes count as zero volume.
    mutating func closeCandles(into commands: inout [Command]) {
        let closeBefore = Time.minute(of: now - State.candleCloseGraceMilliseconds)
        let trace = options.trace
        for index in markets.indices {
            let code = markets[index].code
            markets[index].candles.closeMinutes(before: closeBefore) { candle, rsi in
                if trace { commands.append(.trace(.candle(market: code, candle: candle, rsi: rsi))) }
            }
        }
    }

    mutating func markFeedStale(into commands: inout [Command]) {
        guard !risk.feedStale else { return }
        risk.feedStale = true
        commands.append(notification(.halt, nil, "market data stalled: entries halted until data flows again"))
    }

    mutating func checkStaleFeed(into commands: inout [Command]) {
        guard let last = risk.lastMarketDataAt,
              Time.elapsed(from: last, to: now) >= Time.duration(config.risk.staleFeedSeconds, Time.second) else { return }
        markFeedStale(into: &commands)
    }
}
