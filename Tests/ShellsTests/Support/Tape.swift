import Core
import TestSupport
import Foundation
import Shells

/// 2026-01-01 00:00:00 UTC.
let t0: Milliseconds = 1_767_225_600_000

func at(_ minutes: Int, _ seconds: Int = 0, _ milliseconds: Int = 0) -> Milliseconds {
    t0 + Milliseconds(minutes) * 60_000 + Milliseconds(seconds) * 1_000 + Milliseconds(milliseconds)
}

/// Hand-made recordings: raw Upbit frames (DEFAULT format), one per line.
struct Tape {
    var lines: [String] = []
    var sequentialIds: [String: Int64] = [:]

    mutating func trade(_ market: String, _ price: String, _ volume: String, at time: Milliseconds, side: String = "BID") {
        let id = sequentialIds[market, default: 0] + 1
        sequentialIds[market] = id
        lines.append("""
            {"type":"trade","code":"\(market)","timestamp":\(time + 3),"trade_timestamp":\(time),"trade_price":\(price),\
            "trade_volume":\(volume),"ask_bid":"\(side)","sequential_id":\(id),"stream_type":"REALTIME"}
            """)
    }

    /// A book with one level each side: `bid` x `bidSize`, `ask` x `askSize`.
    mutating func book(_ market: String, bid: String, bidSize: String, ask: String, askSize: String, at time: Milliseconds) {
        lines.append("""
            {"type":"orderbook","code":"\(market)","timestamp":\(time),"total_ask_size":\(askSize),"total_bid_size":\(bidSize),\
            "orderbook_units":[{"ask_price":\(ask),"bid_price":\(bid),"ask_size":\(askSize),"bid_size":\(bidSize)}],\
            "stream_type":"REALTIME","level":0}
            """)
    }

    /// 30 quiet minutes: a trade a minute alternating `low` / `high` (RSI near 50), ending on `low`.
    mutating func warmUp(_ market: String, low: String, high: String, minutes: Int = 30) {
        for minute in 0..<minutes {
            trade(market, minute % 2 == (minutes - 1) % 2 ? low : high, "0.1", at: at(minute))
        }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    func write(to path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }
}

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "surge-tests-\(name)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func backtest(_ tape: Tape, config: Config = Config()) -> (summary: BacktestSummary, engine: BacktestEngine) {
    var engine = BacktestEngine(config: config)
    for line in tape.lines { engine.feed(line: line) }
    let summary = engine.finish()
    return (summary, engine)
}
