import Core

/// A synthetic but plausible Upbit market in the recording format (`surge generate`): random
/// walks on the KRW tick grid, a trade stream per market, full 15-level orderbooks every few
/// seconds, and now and then a volume surge of a few minutes (5-15x the volume, rising prices,
/// more bids than asks). The same seed gives the same bytes.
public struct MarketGenerator: Sendable {
    struct Market: Sendable {
        var code: String
        var price: Fixed
        let openingPrice: Fixed
        /// KRW of an ordinary trade.
        let tradeValue: Int
        var tradesPerSecond: Double
        var surgeUntilSecond: Int64 = .min
        var surgeFactor = 1.0
        var nextBookSecond: Int64 = 0
        var sequentialId: Int64
    }

    public static let names = ["BTC", "ETH", "XRP", "SOL", "DOGE", "ADA", "AVAX", "LINK", "DOT", "TRX", "SUI", "SHIB",
                               "ETC", "BCH", "NEAR", "APT", "ARB", "OP", "SEI", "HBAR", "STX", "IMX", "SAND", "MANA"]
    static let startPrices: [Fixed] = [130_000_000, 4_500_000, 3_000, 250_000, 450, 1_000, 40_000, 25_000, 9_000, 300,
                                       Fixed("4.5")!, Fixed("0.0123")!]

    var random: SplitMix64
    var markets: [Market]
    var second: Int64
    public let startTime: Milliseconds
    /// Mean seconds between two surges of one market.
    public let secondsBetweenSurges: Int

    /// 2026-01-01T00:00:00Z unless told otherwise; a surge per market every three hours on average.
    public init(seed: UInt64, markets count: Int, startTime: Milliseconds = 1_767_225_600_000,
                secondsBetweenSurges: Int = 10_800) {
        random = SplitMix64(seed: seed)
        self.startTime = startTime
        self.secondsBetweenSurges = max(secondsBetweenSurges, 1)
        second = startTime / 1_000
        var markets: [Market] = []
        for index in 0..<count {
            let name = index < MarketGenerator.names.count ? MarketGenerator.names[index] : "SYN\(index)"
            let price = MarketGenerator.startPrices[index % MarketGenerator.startPrices.count]
            markets.append(Market(code: "KRW-" + name, price: price, openingPrice: price,
                                  tradeValue: random.int(20_000...400_000),
                                  tradesPerSecond: Double(random.int(2...15)) / 10,
                                  sequentialId: startTime * 1_000 + Int64(index)))
        }
        self.markets = markets
    }

    /// The market time of the next second to generate, in milliseconds.
    public var nextSecondTime: Milliseconds { second * 1_000 }

    /// The codes of the generated markets.
    public var marketCodes: [String] { markets.map(\.code) }

    /// The frames of the next second, in time order, one JSON object per line.
    public mutating func nextSecond() -> [String] {
        var frames: [(time: Milliseconds, market: Int, line: String)] = []
        for index in markets.indices {
            startOrEndSurge(index)
            let expected = markets[index].tradesPerSecond * markets[index].surgeFactor
            var count = Int(expected)
            if random.chance(Int((expected - Double(count)) * 100)) { count += 1 }
            for _ in 0..<count {
                let time = second * 1_000 + Int64(random.int(0...999))
                frames.append((time, index, trade(index, time: time)))
            }
            if second >= markets[index].nextBookSecond {
                let time = second * 1_000 + Int64(random.int(0...999))
                frames.append((time, index, orderbook(index, time: time)))
                markets[index].nextBookSecond = second + Int64(random.int(1...4))
            }
        }
        second += 1
        return frames.sorted { ($0.time, $0.market) < ($1.time, $1.market) }.map(\.line)
    }

    private mutating func startOrEndSurge(_ index: Int) {
        if second >= markets[index].surgeUntilSecond {
            markets[index].surgeFactor = 1
            if random.int(0...(secondsBetweenSurges - 1)) == 0 {
                markets[index].surgeUntilSecond = second + Int64(random.int(120...360))
                markets[index].surgeFactor = Double(random.int(5...15))
            }
        }
    }

    private mutating func trade(_ index: Int, time: Milliseconds) -> String {
        var market = markets[index]
        let surging = market.surgeFactor > 1
        let tick = UpbitVenue.krwTicks.tick(for: market.price)
        let up = random.chance(surging ? 56 : 50)
        let step = random.chance(60) ? 0 : (up ? 1 : -1)
        let moved = market.price + tick * Fixed(step)
        if moved.isPositive { market.price = UpbitVenue.krwTicks.roundDown(moved) }
        let value = Fixed(market.tradeValue) * Fixed(random.int(20...180)) / 100
        let volume = Fixed.max((value / market.price).floored(places: 8), Fixed.unit(places: 8))
        market.sequentialId += 1_000
        markets[index] = market
        let change = market.price - market.openingPrice
        let bestAsk = market.price + UpbitVenue.krwTicks.tick(for: market.price)
        let seconds = time / 1_000 % 86_400
        return "{\"type\":\"trade\",\"code\":\"\(market.code)\",\"timestamp\":\(time + Int64(random.int(1...40))),"
            + "\"trade_date\":\"\(ISOTime.date(time))\",\"trade_time\":\"\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))\","
            + "\"trade_timestamp\":\(time),\"trade_price\":\(market.price),\"trade_volume\":\(volume),"
            + "\"ask_bid\":\"\(random.chance(surging ? 65 : 50) ? "BID" : "ASK")\",\"prev_closing_price\":\(market.openingPrice),"
            + "\"change\":\"\(change.isZero ? "EVEN" : (change.isPositive ? "RISE" : "FALL"))\",\"change_price\":\(change.isNegative ? -change : change),"
            + "\"sequential_id\":\(market.sequentialId),\"best_ask_price\":\(bestAsk),\"best_ask_size\":\(volume),"
            + "\"best_bid_price\":\(market.price),\"best_bid_size\":\(volume),\"stream_type\":\"REALTIME\"}"
    }

    private mutating func orderbook(_ index: Int, time: Milliseconds) -> String {
        let market = markets[index]
        let bidHeavy = random.chance(market.surgeFactor > 1 ? 80 : 50)
        var units: [String] = []
        var totalAsk: Fixed = 0
        var totalBid: Fixed = 0
        var ask = market.price + UpbitVenue.krwTicks.tick(for: market.price)
        var bid = market.price
        for _ in 0..<15 {
            let baseValue = Fixed(market.tradeValue) * Fixed(random.int(50...400)) / 100
            let askSize = ((bidHeavy ? baseValue * Fixed("0.6")! : baseValue) / ask).floored(places: 8)
            let bidSize = ((bidHeavy ? baseValue : baseValue * Fixed("0.6")!) / bid).floored(places: 8)
            units.append("{\"ask_price\":\(ask),\"bid_price\":\(bid),\"ask_size\":\(askSize),\"bid_size\":\(bidSize)}")
            totalAsk += askSize
            totalBid += bidSize
            ask += UpbitVenue.krwTicks.tick(for: ask)
            let lower = bid - UpbitVenue.krwTicks.tick(for: bid)
            bid = lower.isPositive ? UpbitVenue.krwTicks.roundDown(lower) : bid
        }
        return "{\"type\":\"orderbook\",\"code\":\"\(market.code)\",\"timestamp\":\(time),\"total_ask_size\":\(totalAsk),"
            + "\"total_bid_size\":\(totalBid),\"orderbook_units\":[\(units.joined(separator: ","))],"
            + "\"stream_type\":\"REALTIME\",\"level\":0}"
    }

    private func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
