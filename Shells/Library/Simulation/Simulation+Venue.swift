import Core

/// The two venues a run can simulate: Upbit's spot exchange (`exchange`) or the futures venue
/// (`futures`). Everything venue-specific of the simulator goes through here.
extension Simulation {
    /// Perpetuals with leverage 1-5, and in most runs the exchange-side safety stop.
    static func futuresProfile(_ random: inout SplitMix64) -> VenueProfile {
        var profile = BinanceVenue.profile(leverage: random.int(1...5))
        profile.safetyStopBuffer = random.chance(75) ? Fixed(random.int(1...5)) / 1_000 : nil
        return profile
    }

    /// Futures runs trade both directions, in USDT amounts the 5 USDT minimum allows.
    static func futuresConfig(_ config: inout Config, _ random: inout SplitMix64) {
        config.entry.direction = random.pick([.long, .short, .both])
        config.capital.initialCapital = Fixed(random.pick([500, 10_000, 250_000]))
        config.risk.maxUnrealizedLoss = random.chance(50) ? Fixed(random.int(1...10)) / 100 : 0
    }

    mutating func venueAnswer(_ command: Command, time: Milliseconds) -> [Event]? {
        if futures != nil { return futures?.answer(command, time: time) }
        return exchange.answer(command, time: time)
    }

    mutating func venueReceive(_ trade: Trade) -> [Event] {
        if futures != nil { return futures?.receive(trade) ?? [] }
        return exchange.receive(trade)
    }

    /// Orders of ours open on the venue that the bot does not know.
    func unknownOpenOrders(_ state: State) -> [String] {
        let open = futures.map { $0.orders.filter { !$0.value.status.isFinal }.map(\.key) }
            ?? exchange.orders.filter { !$0.value.state.isFinal }.map(\.key)
        return open.sorted().filter { state.orders[$0] == nil }
    }

    /// The books against the venue's: cash, reserves and holdings.
    func balanceFailures(_ state: State) -> [String] {
        var problems: [String] = []
        let reserved = state.orders.values.reduce(Fixed.zero) { $0 + $1.reserved }
        if let futures {
            // USDT at the venue's own precision (8 decimals): the bot and the simulated venue divide
            // margins and average prices in different orders, which can differ in the 16th decimal
            // (seed 883 after lost transactions)
            func usdt(_ value: Fixed) -> Fixed { value.rounded(places: 8) }
            if usdt(state.cash) != usdt(futures.available) {
                problems.append("cash \(state.cash) != venue available \(futures.available)")
            }
            if usdt(reserved) != usdt(futures.locked) { problems.append("reserved \(reserved) != venue locked \(futures.locked)") }
            for market in markets.map(\.code) {
                let held = futures.positions[market]?.quantity ?? 0
                let books = state.positions.filter { $0.market == market }
                    .reduce(Fixed.zero) { $0 + $1.direction.sign * $1.quantity }
                if held != books { problems.append("\(market): bot holds \(books), venue \(held)") }
            }
            return problems
        }
        if state.cash != exchange.krw { problems.append("cash \(state.cash) != exchange KRW \(exchange.krw)") }
        if reserved != exchange.lockedKRW { problems.append("reserved \(reserved) != exchange locked \(exchange.lockedKRW)") }
        for market in markets.map(\.code) {
            let held = exchange.coins[market, default: 0] + exchange.lockedCoins[market, default: 0]
            let books = state.positions.filter { $0.market == market }.reduce(Fixed.zero) { $0 + $1.quantity }
            if dustMarkets.contains(market) ? held < books : held != books {
                problems.append("\(market): bot holds \(books), exchange \(held)")
            }
        }
        return problems
    }
}
