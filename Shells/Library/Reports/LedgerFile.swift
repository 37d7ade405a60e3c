import Core
import Foundation

/// The live ledger on disk: `STATE/ledger.jsonl` (paper mode: `STATE/paper-ledger.jsonl`), one
/// exit leg per line with the equity right after it and the sell order's identifier, appended and
/// fsynced once the journal holds the leg. `surge report` and the daily mail read it.
public struct LedgerFile: Sendable {
    public struct Row: Codable, Equatable, Sendable {
        public var leg: LedgerEntry
        public var equity: Fixed
        /// The sell order whose fills the leg books: one row per identifier, ever (rows written
        /// before identifiers were kept have none).
        public var identifier: String?

        public init(leg: LedgerEntry, equity: Fixed, identifier: String? = nil) {
            self.leg = leg
            self.equity = equity
            self.identifier = identifier
        }

        enum CodingKeys: String, CodingKey {
            case leg
            case equity = "equity_krw"
            case identifier
        }
    }

    public static let liveName = "ledger.jsonl"
    public static let paperName = "paper-ledger.jsonl"

    public let path: String

    public init(directory: String, name: String = LedgerFile.liveName) {
        path = directory + "/" + name
    }

    /// A row cut short by a crash in the middle of a write (no final newline) is removed, so the
    /// next append starts on a line of its own; the row is written again from the store.
    public func repairTornTail() throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard size > 0 else { return }
        var end = size
        while end > 0 {
            let start = end > 4_096 ? end - 4_096 : 0
            try handle.seek(toOffset: start)
            let chunk = try handle.read(upToCount: Int(end - start)) ?? Data()
            if let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                let keep = start + UInt64(newline - chunk.startIndex) + 1
                if keep < size {
                    try handle.truncate(atOffset: keep)
                    try handle.synchronize()
                }
                return
            }
            end = start
        }
        try handle.truncate(atOffset: 0)
        try handle.synchronize()
    }

    public func append(_ rows: [Row]) throws {
        guard !rows.isEmpty else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for row in rows {
            try handle.write(contentsOf: try encoder.encode(row) + Data("\n".utf8))
        }
        try handle.synchronize()
    }

    /// Every row; a line that does not decode is an error naming it.
    public func read() throws -> [Row] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        var rows: [Row] = []
        for (number, line) in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").enumerated() {
            do {
                rows.append(try decoder.decode(Row.self, from: Data(line.utf8)))
            } catch {
                throw RecordingError(message: "\(path) line \(number + 1) is not a ledger row")
            }
        }
        return rows
    }

    /// The rows whose exit falls in [from, to), as a report summary: the equity curve is the
    /// equity after each leg, starting from the equity before the first one.
    public static func summary(_ rows: [Row], from: Milliseconds? = nil, to: Milliseconds? = nil) -> BacktestSummary {
        let chosen = rows.filter { row in
            (from.map { row.leg.exitTime >= $0 } ?? true) && (to.map { row.leg.exitTime < $0 } ?? true)
        }
        let initial = chosen.first.map { $0.equity - $0.leg.netPnL } ?? 0
        var curve = chosen.first.map { [EquityPoint(time: $0.leg.entryTime, equity: initial)] } ?? []
        curve += chosen.map { EquityPoint(time: $0.leg.exitTime, equity: $0.equity) }
        return BacktestSummary(ledger: chosen.map(\.leg), equityCurve: curve, initialEquity: initial,
                               finalEquity: chosen.last?.equity ?? initial, framesRead: 0, framesRejected: 0,
                               firstFrameTime: chosen.first?.leg.entryTime, lastFrameTime: chosen.last?.leg.exitTime)
    }
}

/// Builds and sends a report mail: plain-text summary, report.html and trades.csv attached.
public enum ReportMail {
    public static func message(_ summary: BacktestSummary, title: String, settings: EmailSettings) -> MailMessage {
        let text = """
            \(title)

            exit legs: \(summary.trades) in \(summary.positions) positions, win rate \(summary.winRatePercent.rounded(places: 2)) %
            net P&L: \(summary.netPnL.rounded(places: 0)) KRW (\(summary.returnPercent.rounded(places: 4)) %)
            max drawdown: \(summary.maxDrawdownPercent.rounded(places: 4)) %
            equity: \(summary.finalEquity.rounded(places: 0)) KRW

            The equity curve and every trade are in report.html; trades.csv has the rows.
            """
        return MailMessage(from: settings.from, to: settings.to, subject: title, text: text, attachments: [
            .init(filename: "report.html", contentType: "text/html; charset=utf-8",
                  data: Array(ReportPage.html(summary, title: title).utf8)),
            .init(filename: "trades.csv", contentType: "text/csv; charset=utf-8", data: Array(ReportFiles.tradesCSV(summary.ledger).utf8)),
        ])
    }

    public static func send(_ summary: BacktestSummary, title: String, settings: EmailSettings, password: String?) throws {
        let message = message(summary, title: title, settings: settings)
        let mailer = SMTPMailer(server: settings.server, user: settings.user, password: password, starttls: settings.starttls)
        do {
            try mailer.send(from: MailMessage.address(settings.from), to: settings.to.map(MailMessage.address), message: message.render())
        } catch {
            throw RecordingError(message: error.description)
        }
    }

    /// The SMTP password: `SURGE_SMTP_PASSWORD`, or `password_file` (which must be mode 0600).
    /// The SMTP password: `SURGE_SMTP_PASSWORD`, else `password_file`. A `user` with no password
    /// anywhere is refused before the bot starts (it would log in with an empty one).
    public static func password(_ settings: EmailSettings, environment: [String: String]) throws -> String? {
        let password = try configuredPassword(settings, environment: environment)
        if !settings.user.isEmpty, (password ?? "").isEmpty {
            throw RecordingError(message: "[email] user is \(settings.user) but no password is given: set SURGE_SMTP_PASSWORD or [email] password_file")
        }
        return password
    }

    static func configuredPassword(_ settings: EmailSettings, environment: [String: String]) throws -> String? {
        if let value = environment["SURGE_SMTP_PASSWORD"] { return value }
        guard let file = settings.passwordFile else { return nil }
        var status = stat()
        guard stat(file, &status) == 0 else { throw RecordingError(message: "password file \(file) cannot be read") }
        guard status.st_mode & 0o077 == 0 else {
            throw RecordingError(message: "password file \(file) must be mode 0600 (chmod 600 \(file))")
        }
        return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
