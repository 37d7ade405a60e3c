import Core
import Foundation
import Shells
import Testing

/// A backtest of a generated futures market (binance-futures frames after an exchangeInfo line):
/// longs and shorts, funding legs at 08:00 UTC, the report in USDT, the same bytes every time.
@Suite struct FuturesBacktestTests {
    static func report() throws -> (summary: BacktestSummary, csv: String, json: String) {
        var settings = Settings()
        settings.venue = .binanceFutures
        settings.binance.leverage = 3
        settings.strategy.capital.initialCapital = 10_000
        settings.strategy.entry.direction = .both
        settings.strategy.entry.averageWindowMinutes = 10
        settings.strategy.exit.takeProfit = Fixed("0.05")!  // held across 08:00, where funding is settled
        settings.strategy.exit.stopLoss = Fixed("-0.05")!
        let venue = FuturesBacktestVenue(config: settings.strategy, profile: settings.venueProfile)
        var engine = BacktestEngine(config: settings.strategy, venue: venue)
        let start: Milliseconds = 1_767_225_600_000 + 7 * 3_600_000  // 07:00 UTC
        var generator = FuturesMarketGenerator(seed: 11, symbols: 3, startTime: start, secondsBetweenSurges: 600)
        engine.feed(line: generator.exchangeInfoLine())
        for _ in 0..<(90 * 60) {
            for line in generator.nextSecond() { engine.feed(line: line) }
        }
        let summary = engine.finish()
        return (summary, ReportFiles.tradesCSV(summary.ledger, quote: summary.quoteAsset, directions: summary.directions),
                ReportFiles.summaryJSON(summary))
    }

    @Test func aGeneratedFuturesMarketBacktestsWithFundingInUSDTDeterministically() throws {
        let first = try FuturesBacktestTests.report()
        #expect(first.summary.framesRejected == 0)
        #expect(first.csv.hasPrefix("position_id,market,direction,entry_time,entry_price,exit_time,exit_price,volume,gross_pnl_usdt,fee_usdt,net_pnl_usdt,return_pct,reason\n"))
        #expect(first.json.contains("\"net_pnl_usdt\""))
        let reasons = Set(first.summary.ledger.map(\.reason))
        #expect(reasons.contains(.funding), "\(reasons)")
        #expect(first.summary.ledger.contains { $0.reason != .funding })
        let funding = first.summary.ledger.filter { $0.reason == .funding }
        #expect(funding.allSatisfy { $0.exitTime >= 1_767_225_600_000 + 8 * 3_600_000 })
        let second = try FuturesBacktestTests.report()
        #expect(first.csv == second.csv && first.json == second.json)
    }
}
