import Benchmark
import Core
import Foundation
import Shells

/// `SURGE_BENCHMARK_SHORT=1`: a second or two (CI).
let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

/// 2026-01-01 00:00 UTC plus minutes and seconds.
func at(_ minutes: Int, _ seconds: Int = 0) -> Milliseconds { 1_767_225_600_000 + Milliseconds(minutes * 60_000 + seconds * 1_000) }

/// The worked example's situation: 30 quiet minutes of KRW-BTC, a bid-heavy book, so that the
/// next surge trade makes the reducer buy.
func warmedState() -> State {
    var state = State(config: Config(), venue: UpbitVenue.profile, options: .init(identifierPrefix: "bench"))
    for minute in 0..<30 {
        let price: Fixed = minute % 2 == 1 ? 500_000 : 500_500
        _ = reduce(&state, .tradeReceived(Trade(market: "KRW-BTC", price: price, volume: Fixed("0.1")!, side: .buy,
                                                time: at(minute), sequentialId: Int64(minute + 1))))
    }
    _ = reduce(&state, .orderbookReceived(BookTop(market: "KRW-BTC", time: at(30, 4), totalBidSize: 2, totalAskSize: 1,
                                                  bestBidPrice: 500_000, bestAskPrice: 500_500)))
    return state
}

let benchmarks: @Sendable () -> Void = {
    let start = warmedState()
    let frame = Array("""
        {"type":"trade","code":"KRW-BTC","timestamp":\(at(30, 5) + 3),"trade_date":"2026-01-01","trade_time":"00:30:05",\
        "trade_timestamp":\(at(30, 5)),"trade_price":500000,"trade_volume":1,"ask_bid":"BID","prev_closing_price":500000,\
        "change":"EVEN","change_price":0,"sequential_id":31,"best_ask_price":500500,"best_ask_size":1,\
        "best_bid_price":500000,"best_bid_size":1,"stream_type":"REALTIME"}
        """.utf8)
    let credentials = UpbitCredentials(accessKey: "bench-access-key", secretKey: "bench-secret-key")

    // Tick to order, in process: the raw frame's bytes -> decode -> reduce -> `placeOrder` ->
    // the order's JSON body and its signed JWT, ready for the socket write.
    Benchmark(
        "tick to order: frame bytes -> signed order request",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(short ? 1 : 5), maxIterations: short ? 2_000 : 200_000)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var state = start
            let event = frame.withUnsafeBytes { bytes -> Event? in
                guard case .trade(let trade) = try? MarketFrameDecoder.decode(bytes) else { return nil }
                return .tradeReceived(trade)
            }
            for command in reduce(&state, event!) {
                if case .placeOrder(let order) = command, let body = UpbitREST.orderBody(order) {
                    blackHole(body.jsonBody)
                    blackHole(credentials.authorization(for: body))
                }
            }
        }
    }
}
