import Core
import Shells

/// A deterministic stream of market events for 250 KRW markets: trades (70 %) and orderbooks
/// (30 %), about 2,000 events per second of event time, prices on the tick grid, with history
/// long enough that every market has RSI and a surge ratio (so the full entry path runs).
struct MarketTape {
    static let marketCount = 250
    static let eventsPerSecond = 2_000

    var random: UInt64 = 0x5EED
    var prices: [Fixed]
    var sequentialIds: [Int64]
    let codes: [String]
    var time: Milliseconds = 1_767_225_600_000
    var eventIndex = 0

    init() {
        codes = (0..<MarketTape.marketCount).map { "KRW-C\($0)" }
        prices = (0..<MarketTape.marketCount).map { Fixed([1_000, 50_000, 500_000, 2_000_000][$0 % 4]) }
        sequentialIds = Array(repeating: 1, count: MarketTape.marketCount)
    }

    mutating func nextRandom() -> UInt64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One quiet trade per market per minute for `minutes` minutes: the history a running bot has.
    mutating func history(minutes: Int) -> [Event] {
        var events: [Event] = []
        for _ in 0..<minutes {
            for market in 0..<MarketTape.marketCount { events.append(trade(market, volume: Fixed("0.1")!)) }
            time += 60_000
        }
        return events
    }

    mutating func next(_ count: Int) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            eventIndex += 1
            if eventIndex % (MarketTape.eventsPerSecond / 1_000) == 0 { time += 1 }
            let market = Int(nextRandom() % UInt64(MarketTape.marketCount))
            if nextRandom() % 10 < 7 {
                events.append(trade(market, volume: Fixed(Int(nextRandom() % 5) + 1) / 100))
            } else {
                let price = prices[market]
                let tick = UpbitVenue.krwTicks.tick(for: price)
                events.append(.orderbookReceived(BookTop(
                    market: codes[market], time: time, totalBidSize: Double(nextRandom() % 100),
                    totalAskSize: Double(nextRandom() % 100), bestBidPrice: price - tick, bestAskPrice: price + tick)))
            }
        }
        return events
    }

    mutating func trade(_ market: Int, volume: Fixed) -> Event {
        let tick = UpbitVenue.krwTicks.tick(for: prices[market])
        let step = Int(nextRandom() % 5) - 2
        let moved = prices[market] + tick * Fixed(step)
        if moved.isPositive { prices[market] = UpbitVenue.krwTicks.roundDown(moved) }
        sequentialIds[market] += 1
        return .tradeReceived(Trade(market: codes[market], price: prices[market], volume: volume,
                                    side: nextRandom() % 2 == 0 ? .buy : .sell, time: time,
                                    sequentialId: sequentialIds[market]))
    }
}
