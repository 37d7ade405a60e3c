import Core
import Foundation
import TOMLKit

/// A config file that cannot run, with every problem named by key.
public struct ConfigFileError: Error, CustomStringConvertible {
    public var file: String
    public var problems: [String]

    public var description: String { problems.map { "\(file): \($0)" }.joined(separator: "\n") }
}

/// Reads the TOML config (sections `capital`, `entry`, `exit`, `risk`, `universe`, `fees`,
/// `upbit`). Missing keys keep their defaults; unknown sections or keys, wrong types and values
/// that fail `Config.validate()` are all reported together, before anything runs.
public enum ConfigFile {
    public static func load(path: String) throws -> Settings {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigFileError(file: path, problems: ["cannot read the file (\(error.localizedDescription))"])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Settings {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigFileError(file: file, problems: ["not valid TOML: \(error.description) at \(error.source.begin)"])
        }
        var settings = Settings()
        var problems: [String] = []
        for section in table.keys.sorted() {
            guard let keys = ConfigKeys.sections[section] else {
                problems.append("unknown section [\(section)] (known: \(ConfigKeys.sections.keys.sorted().joined(separator: ", ")))")
                continue
            }
            guard let values = table[section]?.table else {
                problems.append("\(section): must be a [section]")
                continue
            }
            if section == "email" { settings.email = EmailSettings() }
            for key in values.keys.sorted() {
                guard let assign = keys[key] else {
                    problems.append("\(section).\(key): unknown key")
                    continue
                }
                do {
                    try assign(&settings, values[key]!)
                } catch let error as ConfigValueError {
                    problems.append("\(section).\(key): \(error.message)")
                }
            }
        }
        problems += settings.strategy.validate(for: settings.venueProfile).map(\.description)
        problems += validateBinance(settings.binance)
        problems += validateUpbit(settings.upbit)
        problems += validateEmail(settings.email) + validateNotify(settings.notify)
        guard problems.isEmpty else { throw ConfigFileError(file: file, problems: problems) }
        return settings
    }

    static func validateUpbit(_ upbit: UpbitSettings) -> [String] {
        var problems: [String] = []
        if !(upbit.restURL.hasPrefix("http://") || upbit.restURL.hasPrefix("https://")) {
            problems.append("upbit.rest_url: must start with http:// or https:// (got \(upbit.restURL))")
        }
        if !(upbit.webSocketURL.hasPrefix("ws://") || upbit.webSocketURL.hasPrefix("wss://")) {
            problems.append("upbit.ws_url: must start with ws:// or wss:// (got \(upbit.webSocketURL))")
        }
        return problems
    }

    /// Leverage within what the venue allows and the seed advises against exceeding by far; a
    /// buffer that keeps the safety stop beyond the strategy's stop without leaving it far away.
    static func validateBinance(_ binance: BinanceSettings) -> [String] {
        var problems: [String] = []
        if !(1...BinanceVenue.defaultMaximumLeverage).contains(binance.leverage) {
            problems.append("binance.leverage: must be 1...\(BinanceVenue.defaultMaximumLeverage) (got \(binance.leverage))")
        }
        if binance.safetyStopBuffer.isNegative || binance.safetyStopBuffer >= Fixed("0.1")! {
            problems.append("binance.safety_stop_buffer: must be in [0, 0.1) (got \(binance.safetyStopBuffer))")
        }
        if !(binance.restURL.hasPrefix("http://") || binance.restURL.hasPrefix("https://")) {
            problems.append("binance.rest_url: must start with http:// or https:// (got \(binance.restURL.prefix(200)))")
        }
        if !(binance.webSocketURL.hasPrefix("ws://") || binance.webSocketURL.hasPrefix("wss://")) {
            problems.append("binance.ws_url: must start with ws:// or wss:// (got \(binance.webSocketURL.prefix(200)))")
        }
        if binance.countdownSeconds != 0 && !(10...3_600).contains(binance.countdownSeconds) {
            problems.append("binance.countdown_seconds: must be 0 (off) or 10...3600 (got \(binance.countdownSeconds))")
        }
        if !(1...60_000).contains(binance.recvWindowMilliseconds) {
            problems.append("binance.recv_window_ms: must be 1...60000 (got \(binance.recvWindowMilliseconds))")
        }
        return problems
    }
}

extension ConfigFile {
    static func validateEmail(_ email: EmailSettings?) -> [String] {
        guard let email else { return [] }
        var problems: [String] = []
        if !(email.server.hasPrefix("smtp://") || email.server.hasPrefix("smtps://")) {
            problems.append("email.server: must start with smtp:// or smtps:// (got \(email.server))")
        }
        if !email.from.contains("@") { problems.append("email.from: must be an e-mail address (got \(email.from))") }
        if email.to.isEmpty || !email.to.allSatisfy({ $0.contains("@") }) {
            problems.append("email.to: must list at least one e-mail address")
        }
        if email.server.hasPrefix("smtp://"), !email.starttls, !ConfigFile.isLoopback(url: email.server) {
            problems.append("email.starttls: false sends the login and the reports in clear; allowed only to a loopback server (got \(email.server))")
        }
        if let time = email.dailyReportTime, DailyTime(time) == nil {
            problems.append("email.daily_report_time: must be HH:MM (KST), got \(time)")
        }
        return problems
    }

    /// `scheme://127.x.x.x…`, `scheme://localhost…` or `scheme://[::1]…`.
    static func isLoopback(url: String) -> Bool {
        guard let host = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first else { return false }
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.split(separator: ":").first ?? "")
        return name == "localhost" || name == "[::1]" || name.hasPrefix("127.")
    }

    static func validateNotify(_ notify: NotifySettings) -> [String] {
        var problems: [String] = []
        if let url = notify.webhookURL, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            problems.append("notify.webhook_url: must start with http:// or https:// (got \(url))")
        }
        if notify.batchSeconds < 1 { problems.append("notify.batch_seconds: must be >= 1 (got \(notify.batchSeconds))") }
        if notify.maxMessagesPerHour < 1 {
            problems.append("notify.max_messages_per_hour: must be >= 1 (got \(notify.maxMessagesPerHour))")
        }
        return problems
    }
}

/// A time of day, `HH:MM`.
public struct DailyTime: Equatable, Sendable {
    public var minuteOfDay: Int

    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        minuteOfDay = hour * 60 + minute
    }
}

struct ConfigValueError: Error {
    var message: String
}
