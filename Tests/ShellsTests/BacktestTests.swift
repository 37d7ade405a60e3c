import Core
import TestSupport
import Foundation
import Shells
import Testing

@Suite struct BacktestTests {
    /// Warm-up, a bid-heavy book with asks at 500,000, and a 10x surge at 30:05: the bot buys
    /// 500,000 KRW = 1 BTC at 500,000.
    func entryTape() -> Tape {
        var tape = Tape()
        tape.warmUp("KRW-BTC", low: "500000", high: "500500")
        tape.book("KRW-BTC", bid: "499500", bidSize: "20", ask: "500000", askSize: "10", at: at(30, 4))
        tape.trade("KRW-BTC", "500000", "1", at: at(30, 5))
        return tape
    }

    @Test func theWorkedExampleGivesExactlyOneTakeProfitLeg() {
        var tape = entryTape()
        tape.book("KRW-BTC", bid: "501500", bidSize: "20", ask: "502000", askSize: "10", at: at(30, 6))
        tape.trade("KRW-BTC", "501500", "0.01", at: at(30, 7))
        let (summary, _) = backtest(tape)
        #expect(summary.ledger.count == 1)
        let leg = summary.ledger[0]
        #expect(leg.reason == .takeProfit)
        #expect(leg.entryPrice == 500_000)
        #expect(leg.exitPrice == 501_500)
        #expect(leg.quantity == 1)
        #expect(leg.netPnL == Fixed("999.25")!)
        #expect(summary.finalEquity == Fixed("1000999.25")!)
    }

    @Test func aStopLoss() {
        var tape = entryTape()
        tape.book("KRW-BTC", bid: "495000", bidSize: "20", ask: "495500", askSize: "10", at: at(30, 6))
        tape.trade("KRW-BTC", "495000", "0.01", at: at(30, 7))
        let (summary, _) = backtest(tape)
        #expect(summary.ledger.map(\.reason) == [.stopLoss])
        #expect(summary.ledger[0].exitPrice == 495_000)
        #expect(summary.ledger[0].netPnL == Fixed("-5497.5")!)
    }

    @Test func partialTakeProfitAndTrailingStopAreTwoLegs() {
        var config = Config()
        config.exit.partialFraction = Fixed("0.5")!
        config.exit.trailingStop = Fixed("0.002")!
        var tape = entryTape()
        tape.book("KRW-BTC", bid: "501500", bidSize: "20", ask: "502000", askSize: "10", at: at(30, 6))
        tape.trade("KRW-BTC", "501500", "0.01", at: at(30, 7))
        tape.trade("KRW-BTC", "502500", "0.01", at: at(30, 8))
        tape.book("KRW-BTC", bid: "501400", bidSize: "20", ask: "501500", askSize: "10", at: at(30, 9))
        tape.trade("KRW-BTC", "501400", "0.01", at: at(30, 10))
        let (summary, _) = backtest(tape, config: config)
        #expect(summary.ledger.map(\.reason) == [.partialTakeProfit, .trailingStop])
        #expect(summary.ledger.map(\.quantity) == [Fixed("0.5")!, Fixed("0.5")!])
        #expect(summary.ledger.map(\.exitPrice) == [501_500, 501_400])
        #expect(summary.positions == 1)
    }

    @Test func noTradeWhenRSIIsBelow30() {
        var tape = Tape()
        for minute in 0..<30 { tape.trade("KRW-BTC", "\(600_000 - minute * 1_000)", "0.1", at: at(minute)) }
        tape.book("KRW-BTC", bid: "569000", bidSize: "20", ask: "570000", askSize: "10", at: at(30, 4))
        tape.trade("KRW-BTC", "570000", "1", at: at(30, 5))
        tape.trade("KRW-BTC", "570000", "1", at: at(30, 6))
        let (summary, engine) = backtest(tape)
        #expect(summary.ledger.isEmpty)
        #expect(engine.state.counters.nextPositionId == 1)
    }

    @Test func atMostMaxPositionsAreOpen() {
        var tape = Tape()
        let markets = ["KRW-AAA", "KRW-BBB", "KRW-CCC"]
        for market in markets { tape.warmUp(market, low: "10000", high: "10010") }
        for market in markets {
            tape.book(market, bid: "9990", bidSize: "2000", ask: "10000", askSize: "1000", at: at(30, 1))
        }
        for (index, market) in markets.enumerated() { tape.trade(market, "10000", "\(index + 2)", at: at(30, 5, index)) }
        tape.trade("KRW-AAA", "10000", "0.01", at: at(30, 6))
        let (summary, engine) = backtest(tape)
        // AAA's trade starts second 30:05 and is bought at once; at 30:06 CCC (the stronger
        // surge) takes the second slot and BBB is skipped. Both are closed when the data ends.
        #expect(summary.ledger.map(\.reason) == [.endOfData, .endOfData])
        #expect(Set(summary.ledger.map(\.market)) == ["KRW-AAA", "KRW-CCC"])
        #expect(engine.state.counters.nextPositionId == 3)
    }

    @Test func malformedLinesAreCountedNotFatal() {
        var tape = entryTape()
        tape.lines.insert("this is not json", at: 3)
        tape.lines.insert(#"{"type":"trade","code":"KRW-BTC"}"#, at: 5)
        tape.lines.insert("", at: 6)
        let (summary, engine) = backtest(tape)
        #expect(summary.framesRejected == 2)
        #expect(summary.framesRead == tape.lines.count - 1)
        #expect(engine.rejections == ["line 4: malformed JSON: expected '{' at byte 0",
                                      "line 6: missing field trade_price"])
        #expect(summary.ledger.map(\.reason) == [.endOfData])
    }

    @Test func theSameRecordingGivesByteIdenticalReports() throws {
        var generator = MarketGenerator(seed: 3, markets: 4)
        let lines = (0..<(60 * 40)).flatMap { _ in generator.nextSecond() }
        let recording = temporaryDirectory("recording") + "/market.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: recording, atomically: true, encoding: .utf8)
        func report() throws -> [Data] {
            let directory = temporaryDirectory("report")
            var engine = BacktestEngine(config: Config())
            try RecordingReader.read(paths: [recording]) { engine.feed(line: $0) }
            try ReportFiles.write(engine.finish(), title: "t", to: directory)
            return try ["trades.csv", "summary.json", "report.html"].map {
                try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))
            }
        }
        let first = try report()
        #expect(try report() == first)
        let trades = String(decoding: first[0], as: UTF8.self)
        #expect(trades.hasPrefix(ReportFiles.tradesHeader + "\n"))
    }
}

@Suite struct CompressedRecordingTests {
    @Test func gzipRecordingsAreWrittenAndReadTransparently() throws {
        let path = temporaryDirectory("gz") + "/market.jsonl.gz"
        var generator = MarketGenerator(seed: 9, markets: 2)
        let lines = (0..<60).flatMap { _ in generator.nextSecond() }
        let writer = try LineWriter(path: path)
        for line in lines { try writer.write(line) }
        try writer.close()
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(2)
        #expect(Array(header) == [0x1F, 0x8B])  // gzip magic
        var read: [String] = []
        try RecordingReader.read(paths: [path]) { read.append(String(decoding: $0, as: UTF8.self)) }
        #expect(read == lines)
    }
}
