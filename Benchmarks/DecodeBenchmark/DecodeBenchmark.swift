import Benchmark
import Core
import Foundation
import Shells

let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

let trade = Array("""
    {"type":"trade","code":"KRW-BTC","timestamp":1676965262177,"trade_date":"2023-02-21","trade_time":"07:41:02","trade_timestamp":1676965262139,"trade_price":32287000,"trade_volume":0.03103806,"ask_bid":"ASK","prev_closing_price":31883000.00000000,"change":"RISE","change_price":404000.00000000,"sequential_id":1676965262139000,"best_ask_price":32287000,"best_ask_size":0.1,"best_bid_price":32286000,"best_bid_size":0.2,"stream_type":"REALTIME"}
    """.utf8)

/// A real-size book: 30 levels, exponent numbers as Upbit sends them.
let orderbook: [UInt8] = {
    let units = (0..<30).map { level in
        "{\"ask_price\":1.1654\(level)E8,\"bid_price\":1.1653\(level)E8,\"ask_size\":0.0\(level + 1)054761,\"bid_size\":0.0\(level + 1)120946}"
    }
    return Array(("{\"type\":\"orderbook\",\"code\":\"KRW-BTC\",\"timestamp\":1790134742106,\"total_ask_size\":2.51469375,"
        + "\"total_bid_size\":1.63815297,\"orderbook_units\":[\(units.joined(separator: ","))],\"stream_type\":\"REALTIME\",\"level\":0}").utf8)
}()

let myOrder = Array("""
    {"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID","order_type":"limit","state":"trade","trade_uuid":"68315169-fba4-4175-ade3-aff14a616657","price":0.001453,"avg_price":0.00145372,"volume":30925891.29839369,"remaining_volume":29968038.09235948,"executed_volume":30925891.29839369,"trades_count":1,"reserved_fee":44.23943970238218,"remaining_fee":21.77177967409916,"paid_fee":22.467660028283017,"locked":43565.33112787242,"executed_funds":44935.32005656603,"time_in_force":null,"trade_fee":22.467660028283017,"is_maker":true,"identifier":"test-1","smp_type":"cancel_maker","prevented_volume":1.174291929,"prevented_locked":0.001706246173,"trade_timestamp":1710751590421,"order_timestamp":1710751590000,"timestamp":1710751597500,"stream_type":"REALTIME"}
    """.utf8)

/// The futures venue's frames (binance-futures.md §7.3), as the combined streams wrap them.
let aggregateTrade = Array("""
    {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1700000000123,"a":2001442211,"s":"BTCUSDT","p":"60000.0","q":"0.250","nq":"0.250","f":5001001,"l":5001003,"T":1700000000120,"m":false}}
    """.utf8)

let depth20: [UInt8] = {
    let bids = (0..<20).map { "[\"5999\($0).9\",\"3.12\($0)\"]" }.joined(separator: ",")
    let asks = (0..<20).map { "[\"6000\($0).0\",\"1.04\($0)\"]" }.joined(separator: ",")
    return Array(("{\"stream\":\"btcusdt@depth20@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1700000000200,\"T\":1700000000198,"
        + "\"s\":\"BTCUSDT\",\"U\":8823410050,\"u\":8823410095,\"pu\":8823410049,\"b\":[\(bids)],\"a\":[\(asks)]}}").utf8)
}()

/// One iteration decodes 10,000 frames: frames/s = 10,000 / time.
func decodeBenchmark(_ name: String, _ frame: [UInt8], _ decode: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
    Benchmark(name, configuration: .init(metrics: [.wallClock], maxDuration: .seconds(short ? 1 : 5), maxIterations: short ? 3 : 200)) { benchmark in
        for _ in benchmark.scaledIterations {
            var decoded = 0
            frame.withUnsafeBytes { bytes in
                for _ in 0..<10_000 where decode(bytes) { decoded += 1 }
            }
            blackHole(decoded)
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    decodeBenchmark("decode 10k trade frames", trade) { (try? MarketFrameDecoder.decode($0)) != nil }
    decodeBenchmark("decode 10k orderbook frames (30 levels, full depth)", orderbook) {
        (try? MarketFrameDecoder.decode($0, depth: .full)) != nil
    }
    decodeBenchmark("decode 10k orderbook frames (30 levels, best level)", orderbook) {
        (try? MarketFrameDecoder.decode($0, depth: .best)) != nil
    }
    decodeBenchmark("decode 10k myOrder frames", myOrder) { (try? PrivateFrameDecoder.decode(Array($0))) != nil }
    decodeBenchmark("decode 10k futures aggTrade frames", aggregateTrade) { (try? BinanceMarketFrameDecoder.decode($0)) != nil }
    decodeBenchmark("decode 10k futures depth20 frames", depth20) { (try? BinanceMarketFrameDecoder.decode($0)) != nil }
    driverStep()
}

/// A driver step without the network: one raw trade frame in, decoded, reduced into a state
/// warmed with 40 minutes of history on 250 markets, commands out. p50 / p99 per step.
func driverStep() {
    var state = State(config: Config(), venue: UpbitVenue.profile, options: .init(identifierPrefix: "step"))
    let start: Milliseconds = 1_767_225_600_000
    var sequence: Int64 = 0
    for minute in 0..<40 {
        for market in 0..<250 {
            sequence += 1
            _ = reduce(&state, .tradeReceived(Trade(market: "KRW-C\(market)", price: Fixed(100_000 + (minute % 2) * 100),
                                                    volume: Fixed("0.1")!, side: .buy,
                                                    time: start + Milliseconds(minute) * 60_000, sequentialId: sequence)))
        }
    }
    let frames: [[UInt8]] = (0..<200_000).map { index in
        let time = start + 40 * 60_000 + Milliseconds(index / 2)  // 2,000 frames a second
        return Array("""
            {"type":"trade","code":"KRW-C\(index % 250)","timestamp":\(time + 3),"trade_timestamp":\(time),"trade_price":\(100_000 + index % 3 * 100),"trade_volume":0.0\(index % 9 + 1),"ask_bid":"BID","sequential_id":\(sequence + Int64(index) + 1),"stream_type":"REALTIME"}
            """.utf8)
    }
    var next = 0
    Benchmark("driver step: trade frame -> decode -> reduce (250 markets)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(short ? 1 : 10), maxIterations: short ? 5_000 : 200_000)) { benchmark in
        for _ in benchmark.scaledIterations {
            let frame = frames[next % frames.count]
            next += 1
            let event: Event? = frame.withUnsafeBytes { bytes in
                guard case .trade(let trade) = try? MarketFrameDecoder.decode(bytes) else { return nil }
                return .tradeReceived(trade)
            }
            blackHole(reduce(&state, event!))
        }
    }
}
