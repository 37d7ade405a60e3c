import Core
import Foundation

/// Writes a report directory: `trades.csv`, `summary.json`, `report.html`. The same inputs give
/// byte-identical files (fixed key order, exact decimals, no generation time).
public enum ReportFiles {
    public static let tradesHeader = tradesHeader(quote: "KRW", directions: false)

    /// Upbit's columns since the first release; a margin venue adds `direction` after `market`,
    /// and amounts are named by the quote asset (`net_pnl_usdt`).
    public static func tradesHeader(quote: String, directions: Bool) -> String {
        let quote = quote.lowercased()
        return "position_id,market," + (directions ? "direction," : "")
            + "entry_time,entry_price,exit_time,exit_price,volume,gross_pnl_\(quote),fee_\(quote),net_pnl_\(quote),return_pct,reason"
    }

    public static func write(_ summary: BacktestSummary, title: String, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try tradesCSV(summary.ledger, quote: summary.quoteAsset, directions: summary.directions).write(toFile: directory + "/trades.csv", atomically: true, encoding: .utf8)
        try summaryJSON(summary).write(toFile: directory + "/summary.json", atomically: true, encoding: .utf8)
        try ReportPage.html(summary, title: title).write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
    }

    /// One row per exit leg; times ISO 8601 UTC; prices and volumes to 8 decimals, KRW to 4,
    /// `return_pct` in percent of the leg's entry cost to 4.
    public static func tradesCSV(_ ledger: [LedgerEntry], quote: String = "KRW", directions: Bool = false) -> String {
        var lines = [tradesHeader(quote: quote, directions: directions)]
        for entry in ledger {
            let head: [String] = ["\(entry.positionId)", entry.market] + (directions ? [entry.direction.rawValue] : [])
            let times: [String] = [ISOTime.string(entry.entryTime), "\(entry.entryPrice.rounded(places: 8))",
                                   ISOTime.string(entry.exitTime), "\(entry.exitPrice.rounded(places: 8))"]
            let amounts: [String] = ["\(entry.quantity.rounded(places: 8))", "\(entry.grossPnL.rounded(places: 4))",
                                     "\(entry.fee.rounded(places: 4))", "\(entry.netPnL.rounded(places: 4))",
                                     "\(entry.returnPercent.rounded(places: 4))", entry.reason.rawValue]
            lines.append((head + times + amounts).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func summaryJSON(_ summary: BacktestSummary) -> String {
        func time(_ value: Milliseconds?) -> String { value.map { "\"\(ISOTime.string($0))\"" } ?? "null" }
        let quote = summary.quoteAsset.lowercased()
        let fields: [(String, String)] = [
            ("trades", "\(summary.trades)"),
            ("positions", "\(summary.positions)"),
            ("win_rate_pct", "\(summary.winRatePercent.rounded(places: 2))"),
            ("net_pnl_\(quote)", "\(summary.netPnL.rounded(places: 4))"),
            ("return_pct", "\(summary.returnPercent.rounded(places: 4))"),
            ("max_drawdown_pct", "\(summary.maxDrawdownPercent.rounded(places: 4))"),
            ("initial_equity_\(quote)", "\(summary.initialEquity.rounded(places: 4))"),
            ("final_equity_\(quote)", "\(summary.finalEquity.rounded(places: 4))"),
            ("frames_read", "\(summary.framesRead)"),
            ("frames_rejected", "\(summary.framesRejected)"),
            ("first_frame_time", time(summary.firstFrameTime)),
            ("last_frame_time", time(summary.lastFrameTime)),
        ]
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }
}

/// `trace.jsonl`: one JSON object per closed candle and per evaluated candidate.
public enum TraceLine {
    public static func json(_ record: TraceRecord) -> String {
        switch record {
        case .candle(let market, let candle, let rsi):
            return "{\"type\":\"candle\",\"market\":\"\(market)\",\"minute\":\"\(ISOTime.string(candle.minute * Time.minute, milliseconds: false))\","
                + "\"close\":\(number(candle.close)),\"volume\":\(number(candle.volume)),\"rsi\":\(rsi.map(number) ?? "null")}"
        case .decision(let decision):
            return "{\"type\":\"decision\",\"time\":\"\(ISOTime.string(decision.time))\",\"market\":\"\(decision.market)\","
                + "\"surge_ratio\":\(number(decision.surgeRatio)),\"rsi\":\(decision.rsi.map(number) ?? "null"),"
                + "\"bid_dominant\":\(decision.bidDominant.map { "\($0)" } ?? "null"),"
                + "\"action\":\"\(decision.action.rawValue)\",\"reason\":\"\(decision.reason)\"}"
        }
    }

    /// Shortest round-trip text of a Double, as JSON (no NaN or infinity: those become null).
    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
}
