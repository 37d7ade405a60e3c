import Core

/// Generated markets: prices on the tick grid, surges, late and duplicate trades, deep and thin
/// books.
extension Simulation {
    mutating func trade(in index: Int) {
        var market = markets[index]
        let tick = self.tick(market.price)
        let moved = market.price + tick * Fixed(random.int(-3...3))
        if moved.isPositive { market.price = moved.floored(toMultipleOf: self.tick(moved)) }
        var value = Fixed(random.int(2_000...60_000))
        if random.chance(6) { value = value * Fixed(random.int(10...40)) }
        let volume = Fixed.max((value / market.price).floored(places: 8), Fixed.unit(places: 8))
        var time = clock
        if random.chance(2) { time -= 70_000 }  // late: its minute has closed
        let trade = Trade(market: market.code, price: market.price, volume: volume, side: random.chance(50) ? .buy : .sell,
                          time: time, sequentialId: market.nextSequentialId)
        market.nextSequentialId += 1
        markets[index] = market
        let fills = venueReceive(trade)
        feed(.tradeReceived(trade))
        if random.chance(3) { feed(.tradeReceived(trade)) }  // duplicate frame
        for fill in fills { schedule(fill) }
        if futures != nil { markPrice(market.code, market.price) }
    }

    /// Futures runs: a mark price near the trade (sometimes a jump that fires safety stops, and
    /// rarely one of 15-40 % that liquidates: more often in runs without a safety stop, whose
    /// positions nothing else protects from it); what the venue does on it reaches the bot over
    /// the network.
    mutating func markPrice(_ market: String, _ price: Fixed) {
        var jump: Fixed = 0
        if random.chance(3) {
            let large = initialState.venue.safetyStopBuffer == nil ? 50 : 10
            jump = random.chance(large) ? Fixed(random.pick([-1, 1]) * random.int(150...400)) / 1_000
                                    : Fixed(random.int(-30...30)) / 1_000
        }
        let mark = (price * (Fixed.one + jump)).floored(toMultipleOf: tick(price))
        guard mark.isPositive else { return }
        for event in futures?.receive(markPrice: mark, market: market, time: clock) ?? [] { schedule(event) }
        feed(.markPriceReceived(market: market, price: mark, time: clock))
    }

    /// Upbit's KRW grid, or the futures venue's fixed tick of 0.1.
    func tick(_ price: Fixed) -> Fixed { futures == nil ? UpbitVenue.krwTicks.tick(for: price) : Fixed("0.1")! }

    /// A book around the last price: usually five deep levels, sometimes one thin level (so
    /// market orders fill only in part), more bids than asks 70 % of the time.
    mutating func book(in index: Int) {
        let market = markets[index]
        let tick = self.tick(market.price)
        let bidDominant = random.chance(70)
        let thin = random.chance(10)
        var levels: [Orderbook.Level] = []
        var totalBid: Fixed = 0
        var totalAsk: Fixed = 0
        for depth in 0..<(thin ? 1 : 5) {
            // integer multiples of the size unit: no decimal division per level
            let units = Int128(thin ? random.int(1...2) : random.int(5...500))
            let bidPrice = market.price - tick * Fixed(depth + 1)
            let askPrice = market.price + tick * Fixed(depth + 1)
            let bidSize = bidPrice.isPositive ? Fixed(raw: market.sizeUnit.raw * units * (bidDominant ? 2 : 1)) : 0
            let askSize = Fixed(raw: market.sizeUnit.raw * units * (bidDominant ? 1 : 2))
            levels.append(Orderbook.Level(askPrice: askPrice, askSize: askSize, bidPrice: bidPrice.isPositive ? bidPrice : 0,
                                          bidSize: bidSize))
            totalBid += bidSize
            totalAsk += askSize
        }
        let book = Orderbook(market: market.code, time: clock, totalAskSize: totalAsk, totalBidSize: totalBid, levels: levels)
        if futures != nil { futures?.receive(book.top) } else { exchange.receive(book) }
        feed(.orderbookReceived(book.top))
    }
}
