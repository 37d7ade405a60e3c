import ArgumentParser
import Core
import Foundation
import Shells

/// `surge report`: the backtest's report files, from the live ledger.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write trades.csv, summary.json and report.html from the live ledger, and e-mail them on request."
    )

    @Option(help: "State directory of the bot.") var state = "state"
    @Option(help: "First day (YYYY-MM-DD, the venue's trading day: KST on Upbit, UTC on Binance) to include.") var from: String?
    @Option(help: "Last day (YYYY-MM-DD, the venue's trading day) to include.") var to: String?
    @Option(help: "Directory for the report files.") var out: String
    @Flag(help: "Send the report to [email] to.") var email = false
    @Option(help: "The TOML config file (for [email], [venue] and risk.day_start).") var config: String?
    @Flag(help: "Report paper mode's legs (paper-ledger.jsonl) instead of the live ledger.") var paper = false

    /// When the trading day `date` starts, for a day starting `offsetMinutes` after 00:00 UTC.
    static func dayStart(_ date: String, offsetMinutes: Int) -> Milliseconds? {
        ISOTime.parse(date + "T00:00:00Z").map { $0 - Milliseconds(offsetMinutes) * 60_000 }
    }

    func run() throws {
        let settings = try Settings.load(option: config)
        let venue = State(config: settings.strategy, venue: settings.venueProfile, options: .init(identifierPrefix: "report"))
        let offset = venue.dayStartOffsetMinutes
        let start = try from.map { text in
            guard let time = ReportCommand.dayStart(text, offsetMinutes: offset) else { throw ValidationError("--from must be YYYY-MM-DD") }
            return time
        }
        let end = try to.map { text in
            guard let time = ReportCommand.dayStart(text, offsetMinutes: offset) else { throw ValidationError("--to must be YYYY-MM-DD") }
            return time + Time.day
        }
        let rows: [LedgerFile.Row]
        let file = LedgerFile(directory: state, name: paper ? LedgerFile.paperName : LedgerFile.liveName)
        do { rows = try file.read() } catch { throw CommandFailure(message: "\(error)") }
        var summary = LedgerFile.summary(rows, from: start, to: end)
        summary.quoteAsset = settings.venueProfile.quoteAsset
        summary.directions = settings.venueProfile.isMargin
        let title = "surge report \(from ?? "start") to \(to ?? "now") (\(venue.dayZone))"
        try ReportFiles.write(summary, title: title, to: out)
        let places = summary.quoteAsset == "KRW" ? 0 : 2
        print("\(summary.trades) exit legs, net P&L \(summary.netPnL.rounded(places: places)) \(summary.quoteAsset): \(out)/report.html")
        guard email else { return }
        guard let emailSettings = settings.email else { throw CommandFailure(message: "--email needs an [email] section in the config") }
        do {
            let password = try ReportMail.password(emailSettings, environment: ProcessInfo.processInfo.environment)
            try ReportMail.send(summary, title: title, settings: emailSettings, password: password)
        } catch {
            throw CommandFailure(message: "report written, but not e-mailed: \(error)")
        }
        print("e-mailed to \(emailSettings.to.joined(separator: ", "))")
    }
}
