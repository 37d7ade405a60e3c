import Benchmark
import Core
import Shells
import Foundation

let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

/// Simulated trading on 250 markets: every market trades about once a second, books refresh,
/// surges come and go, entries and exits happen against an exchange that fills at once. Memory
/// must not grow with time: the benchmark runs 1 hour and 24 hours of market time.
func trade(hours: Int) -> State {
    var state = State(config: Config(), venue: UpbitVenue.profile, options: .init(identifierPrefix: "mem"))
    var random: UInt64 = 0x5EED
    func next() -> UInt64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var prices = (0..<250).map { _ in Fixed(100_000) }
    var sequence: Int64 = 0
    let start: Milliseconds = 1_767_225_600_000
    for second in 0..<(hours * 3_600) {
        let time = start + Milliseconds(second) * 1_000
        for market in 0..<250 {
            sequence += 1
            let step = Int(next() % 3) - 1
            prices[market] = Fixed.max(prices[market] + Fixed(step * 100), Fixed(10_000))
            let surge = (second / 60 + market) % 97 == 0
            let volume = Fixed(Int(next() % 5) + (surge ? 40 : 1)) / 100
            let code = "KRW-C\(market)"
            var commands = reduce(&state, .tradeReceived(Trade(market: code, price: prices[market], volume: volume,
                                                              side: .buy, time: time + Milliseconds(market), sequentialId: sequence)))
            if market % 4 == 0 {
                commands += reduce(&state, .orderbookReceived(BookTop(market: code, time: time + Milliseconds(market), totalBidSize: 2,
                                                                      totalAskSize: 1, bestBidPrice: prices[market] - 100,
                                                                      bestAskPrice: prices[market] + 100)))
            }
            fill(commands, &state, price: prices[market], time: time)
        }
    }
    return state
}

/// An exchange that fills every order at once at `price`.
func fill(_ commands: [Command], _ state: inout State, price: Fixed, time: Milliseconds) {
    for case .placeOrder(let order) in commands {
        let events: [Event]
        switch order.size {
        case .quote(let amount):
            let volume = (amount / price).floored(places: 8)
            events = [.orderUpdated(OrderUpdate(identifier: order.identifier, uuid: order.identifier, market: order.market,
                                                state: .cancelled, executedQuantity: volume, executedQuote: volume * price,
                                                paidFee: volume * price * Fixed("0.0005")!, time: time))]
        case .quantity(let volume):
            events = [.orderUpdated(OrderUpdate(identifier: order.identifier, uuid: order.identifier, market: order.market,
                                                state: .filled, executedQuantity: volume, executedQuote: volume * price,
                                                paidFee: volume * price * Fixed("0.0005")!, time: time))]
        }
        for event in events { fill(reduce(&state, event), &state, price: price, time: time) }
    }
}

let benchmarks: @Sendable () -> Void = {
    for hours in short ? [1] : [1, 24] {
        Benchmark("memory: \(hours) h of trading on 250 markets",
                  configuration: .init(metrics: [.peakMemoryResident, .wallClock], maxDuration: .seconds(600), maxIterations: 1)) { benchmark in
            for _ in benchmark.scaledIterations {
                let state = trade(hours: hours)
                blackHole(state)
                print("after \(hours) h: \(state.markets.count) markets, \(state.positions.count) positions")
            }
        }
    }
}
