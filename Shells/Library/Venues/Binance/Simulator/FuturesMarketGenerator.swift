import Core

/// A synthetic USDⓈ-M futures market in the recording format of the futures venue: the combined
/// streams' frames (`{"stream":"btcusdt@aggTrade","data":{…}}`) of `aggTrade`, `depth20@100ms` and
/// `markPrice@1s`, one per line. Random walks on each symbol's tick, and now and then a volume
/// surge of a few minutes, rising with more bids or falling with more asks (so both directions
/// have something to trade). The mark price follows the last trade within a few ticks; the
/// funding rate is 0.01 %. The same seed gives the same bytes.
public struct FuturesMarketGenerator: Sendable {
    struct Symbol: Sendable {
        var name: String
        var price: Fixed
        let tick: Fixed
        let step: Fixed
        /// USDT of an ordinary trade.
        let tradeValue: Int
        var tradesPerSecond: Double
        var surgeUntilSecond: Int64 = .min
        var surgeFactor = 1.0
        /// +1 a rising surge, −1 a falling one.
        var surgeDirection = 1
        var aggregateId: Int64
    }

    static let templates: [(String, Fixed, Fixed, Fixed)] = [
        ("BTCUSDT", 60_000, Fixed("0.1")!, Fixed("0.001")!), ("ETHUSDT", 3_000, Fixed("0.01")!, Fixed("0.001")!),
        ("SOLUSDT", 150, Fixed("0.01")!, Fixed("0.01")!), ("XRPUSDT", Fixed("0.6")!, Fixed("0.0001")!, Fixed("0.1")!),
        ("DOGEUSDT", Fixed("0.15")!, Fixed("0.00001")!, 1), ("ADAUSDT", Fixed("0.45")!, Fixed("0.0001")!, 1),
        ("LINKUSDT", 15, Fixed("0.001")!, Fixed("0.01")!), ("AVAXUSDT", 30, Fixed("0.001")!, 1),
    ]

    var random: SplitMix64
    var symbols: [Symbol]
    var second: Int64
    public let secondsBetweenSurges: Int

    /// 2026-01-01T00:00:00Z unless told otherwise; a surge per symbol every three hours on average.
    public init(seed: UInt64, symbols count: Int, startTime: Milliseconds = 1_767_225_600_000, secondsBetweenSurges: Int = 10_800) {
        random = SplitMix64(seed: seed)
        second = startTime / 1_000
        self.secondsBetweenSurges = max(secondsBetweenSurges, 1)
        var symbols: [Symbol] = []
        for index in 0..<max(1, min(count, FuturesMarketGenerator.templates.count)) {
            let (name, price, tick, step) = FuturesMarketGenerator.templates[index]
            symbols.append(Symbol(name: name, price: price, tick: tick, step: step, tradeValue: random.int(200...4_000),
                                  tradesPerSecond: Double(random.int(5...30)) / 10, aggregateId: Int64(index + 1) * 1_000_000))
        }
        self.symbols = symbols
    }

    public var symbolNames: [String] { symbols.map(\.name) }

    /// The first line of a recording: `exchangeInfo` with the generated symbols and their rules.
    public func exchangeInfoLine() -> String {
        let items = symbols.map { symbol in
            let base = String(symbol.name.dropLast(4))
            return "{\"symbol\":\"\(symbol.name)\",\"pair\":\"\(symbol.name)\",\"contractType\":\"PERPETUAL\",\"status\":\"TRADING\","
                + "\"baseAsset\":\"\(base)\",\"quoteAsset\":\"USDT\",\"marginAsset\":\"USDT\",\"quotePrecision\":8,"
                + "\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"\(symbol.tick)\",\"maxPrice\":\"1000000\",\"tickSize\":\"\(symbol.tick)\"},"
                + "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"\(symbol.step)\",\"maxQty\":\"1000000\",\"stepSize\":\"\(symbol.step)\"},"
                + "{\"filterType\":\"MARKET_LOT_SIZE\",\"minQty\":\"\(symbol.step)\",\"maxQty\":\"1000000\",\"stepSize\":\"\(symbol.step)\"},"
                + "{\"filterType\":\"MIN_NOTIONAL\",\"notional\":\"5\"}]}"
        }
        return "{\"timezone\":\"UTC\",\"serverTime\":\(second * 1_000),\"rateLimits\":[],\"symbols\":[\(items.joined(separator: ","))]}"
    }

    /// The frames of the next second, in time order.
    public mutating func nextSecond() -> [String] {
        var frames: [(time: Milliseconds, index: Int, line: String)] = []
        for index in symbols.indices {
            startOrEndSurge(index)
            let expected = symbols[index].tradesPerSecond * symbols[index].surgeFactor
            var count = Int(expected)
            if random.chance(Int((expected - Double(count)) * 100)) { count += 1 }
            for _ in 0..<count {
                let time = second * 1_000 + Int64(random.int(0...899))
                frames.append((time, index, aggregateTrade(index, time: time)))
            }
            if random.chance(50) { frames.append((second * 1_000 + 900, index, depth(index, time: second * 1_000 + 900))) }
            frames.append((second * 1_000 + 999, index, markPrice(index, time: second * 1_000 + 999)))
        }
        second += 1
        return frames.sorted { ($0.time, $0.index) < ($1.time, $1.index) }.map(\.line)
    }

    private mutating func startOrEndSurge(_ index: Int) {
        guard second >= symbols[index].surgeUntilSecond else { return }
        symbols[index].surgeFactor = 1
        if random.int(0...(secondsBetweenSurges - 1)) == 0 {
            symbols[index].surgeUntilSecond = second + Int64(random.int(120...360))
            symbols[index].surgeFactor = Double(random.int(5...15))
            symbols[index].surgeDirection = random.chance(50) ? 1 : -1
        }
    }

    private mutating func aggregateTrade(_ index: Int, time: Milliseconds) -> String {
        var symbol = symbols[index]
        let surging = symbol.surgeFactor > 1
        let up = random.chance(surging ? (symbol.surgeDirection > 0 ? 56 : 44) : 50)
        // a move of up to 0.02 % of the price (at least a tick), or none
        let largest = max(1, Int(((symbol.price * Fixed("0.0002")!) / symbol.tick).floored(places: 0).doubleValue))
        let move = random.chance(60) ? 0 : (up ? 1 : -1) * random.int(1...largest)
        let moved = symbol.price + symbol.tick * Fixed(move)
        if moved.isPositive { symbol.price = moved }
        let value = Fixed(symbol.tradeValue) * Fixed(random.int(20...180)) / 100
        let quantity = Fixed.max((value / symbol.price).floored(toMultipleOf: symbol.step), symbol.step)
        symbol.aggregateId += 1
        symbols[index] = symbol
        let buyerIsMaker = !random.chance(surging ? (symbol.surgeDirection > 0 ? 65 : 35) : 50)
        let stream = symbol.name.lowercased() + "@aggTrade"
        return "{\"stream\":\"\(stream)\",\"data\":{\"e\":\"aggTrade\",\"E\":\(time + 3),\"a\":\(symbol.aggregateId),"
            + "\"s\":\"\(symbol.name)\",\"p\":\"\(symbol.price)\",\"q\":\"\(quantity)\",\"nq\":\"\(quantity)\","
            + "\"f\":\(symbol.aggregateId * 3),\"l\":\(symbol.aggregateId * 3 + 2),\"T\":\(time),\"m\":\(buyerIsMaker)}}"
    }

    private mutating func depth(_ index: Int, time: Milliseconds) -> String {
        let symbol = symbols[index]
        let surging = symbol.surgeFactor > 1
        let bidHeavy = surging ? symbol.surgeDirection > 0 : random.chance(50)
        var bids: [String] = []
        var asks: [String] = []
        for level in 0..<20 {
            let base = Fixed(symbol.tradeValue) * Fixed(random.int(50...400)) / 100 / symbol.price
            let heavy = Fixed.max(base.floored(toMultipleOf: symbol.step), symbol.step)
            let light = Fixed.max((base * Fixed("0.6")!).floored(toMultipleOf: symbol.step), symbol.step)
            bids.append("[\"\(symbol.price - symbol.tick * Fixed(level))\",\"\(bidHeavy ? heavy : light)\"]")
            asks.append("[\"\(symbol.price + symbol.tick * Fixed(level + 1))\",\"\(bidHeavy ? light : heavy)\"]")
        }
        let stream = symbol.name.lowercased() + "@depth20@100ms"
        return "{\"stream\":\"\(stream)\",\"data\":{\"e\":\"depthUpdate\",\"E\":\(time + 2),\"T\":\(time),\"s\":\"\(symbol.name)\","
            + "\"U\":\(time),\"u\":\(time + 1),\"pu\":\(time - 1),\"b\":[\(bids.joined(separator: ","))],\"a\":[\(asks.joined(separator: ","))]}}"
    }

    private mutating func markPrice(_ index: Int, time: Milliseconds) -> String {
        let symbol = symbols[index]
        let mark = symbol.price + symbol.tick * Fixed(random.int(-2...2))
        let nextFunding = (Time.floorDivide(time, FuturesExchange.fundingInterval) + 1) * FuturesExchange.fundingInterval
        let stream = symbol.name.lowercased() + "@markPrice@1s"
        return "{\"stream\":\"\(stream)\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":\(time),\"s\":\"\(symbol.name)\","
            + "\"p\":\"\(mark)\",\"ap\":\"\(mark)\",\"i\":\"\(symbol.price)\",\"P\":\"\(mark)\",\"r\":\"0.00010000\",\"T\":\(nextFunding)}}"
    }
}
