import Core
import TOMLKit

/// The TOML keys, section by section, and where each one goes.
enum ConfigKeys {
    typealias Assign = @Sendable (inout Settings, any TOMLValueConvertible) throws -> Void

    static let sections: [String: [String: Assign]] = [
        "capital": [
            "initial_krw": { $0.strategy.capital.initialCapital = try decimal($1) },
            // the same setting under a venue-neutral name (the quote asset's cash)
            "initial_capital": { $0.strategy.capital.initialCapital = try decimal($1) },
            "position_fraction": { $0.strategy.capital.positionFraction = try decimal($1) },
            "max_positions": { $0.strategy.capital.maxPositions = try integer($1) },
        ],
        "entry": [
            "candidates": { $0.strategy.entry.candidates = try integer($1) },
            "surge_window_seconds": { $0.strategy.entry.surgeWindowSeconds = try integer($1) },
            "average_window_minutes": { $0.strategy.entry.averageWindowMinutes = try integer($1) },
            "min_volume_ratio": { $0.strategy.entry.minVolumeRatio = try number($1) },
            "rsi_period": { $0.strategy.entry.rsiPeriod = try integer($1) },
            "rsi_min": { $0.strategy.entry.rsiMin = try number($1) },
            "rsi_max": { $0.strategy.entry.rsiMax = try number($1) },
            "require_bid_dominance": { $0.strategy.entry.requireBidDominance = try boolean($1) },
            "min_recent_value_krw": { $0.strategy.entry.minRecentValue = try decimal($1) },
            "order": { $0.strategy.entry.order = try choice($1) },
            "limit_timeout_seconds": { $0.strategy.entry.limitTimeoutSeconds = try integer($1) },
            "limit_fallback": { $0.strategy.entry.limitFallback = try choice($1) },
            "direction": { $0.strategy.entry.direction = try choice($1) },
        ],
        "exit": [
            "take_profit": { $0.strategy.exit.takeProfit = try decimal($1) },
            "stop_loss": { $0.strategy.exit.stopLoss = try decimal($1) },
            "partial_fraction": { $0.strategy.exit.partialFraction = try decimal($1) },
            "trailing_stop": { $0.strategy.exit.trailingStop = try decimal($1) },
            "trailing_activation": { $0.strategy.exit.trailingActivation = try decimal($1) },
            "max_hold_minutes": { $0.strategy.exit.maxHoldMinutes = try integer($1) },
            "order": { $0.strategy.exit.order = try choice($1) },
        ],
        "risk": [
            "cooldown_minutes": { $0.strategy.risk.cooldownMinutes = try integer($1) },
            "stop_loss_pause_minutes": { $0.strategy.risk.stopLossPauseMinutes = try integer($1) },
            "daily_loss_limit": { $0.strategy.risk.dailyLossLimit = try decimal($1) },
            "stale_feed_seconds": { $0.strategy.risk.staleFeedSeconds = try integer($1) },
            "max_clock_skew_seconds": { $0.strategy.risk.maxClockSkewSeconds = try integer($1) },
            "price_band": { $0.strategy.risk.priceBand = try decimal($1) },
            "day_start": { $0.strategy.risk.dayStartOffsetMinutes = try utcOffset($1) },
            "max_unrealized_loss": { $0.strategy.risk.maxUnrealizedLoss = try decimal($1) },
        ],
        "universe": [
            "exclude_warning": { $0.strategy.universe.excludeWarning = try boolean($1) },
            "exclude": { $0.strategy.universe.exclude = try strings($1) },
        ],
        "fees": [
            "rate": { $0.strategy.fees.rate = try decimal($1) },
        ],
        "venue": [
            "name": { $0.venue = try choice($1) },
        ],
        "binance": [
            "leverage": { $0.binance.leverage = try integer($1) },
            "safety_stop": { $0.binance.safetyStop = try boolean($1) },
            "safety_stop_buffer": { $0.binance.safetyStopBuffer = try decimal($1) },
            "rest_url": { $0.binance.restURL = try text($1) },
            "ws_url": { $0.binance.webSocketURL = try text($1) },
            "margin_type": { $0.binance.isolatedMargin = try marginType($1) },
            "countdown_seconds": { $0.binance.countdownSeconds = try integer($1) },
            "recv_window_ms": { $0.binance.recvWindowMilliseconds = try integer($1) },
        ],
        "upbit": [
            "rest_url": { $0.upbit.restURL = try text($1) },
            "ws_url": { $0.upbit.webSocketURL = try text($1) },
        ],
        "email": [
            "server": { $0.email!.server = try text($1) },
            "user": { $0.email!.user = try text($1) },
            "from": { $0.email!.from = try text($1) },
            "to": { $0.email!.to = try strings($1) },
            "starttls": { $0.email!.starttls = try boolean($1) },
            "daily_report_time": { $0.email!.dailyReportTime = try text($1) },
            "notifications": { $0.email!.notifications = try boolean($1) },
            "password_file": { $0.email!.passwordFile = try text($1) },
        ],
        "notify": [
            "webhook_url": { $0.notify.webhookURL = try text($1) },
            "batch_seconds": { $0.notify.batchSeconds = try integer($1) },
            "max_messages_per_hour": { $0.notify.maxMessagesPerHour = try integer($1) },
        ],
    ]

    /// A number as an exact decimal: `0.003` stays 0.003 (the shortest text of the TOML float).
    static func decimal(_ value: any TOMLValueConvertible) throws -> Fixed {
        if let integer = value.int { return Fixed(integer) }
        if let double = value.double, let fixed = Fixed(approximating: double) { return fixed }
        throw ConfigValueError(message: "expected a number, got \(value.debugDescription)")
    }

    static func number(_ value: any TOMLValueConvertible) throws -> Double {
        if let integer = value.int { return Double(integer) }
        if let double = value.double, double.isFinite { return double }
        throw ConfigValueError(message: "expected a number, got \(value.debugDescription)")
    }

    static func integer(_ value: any TOMLValueConvertible) throws -> Int {
        guard value.type == .int, let integer = value.int else {
            throw ConfigValueError(message: "expected a whole number, got \(value.debugDescription)")
        }
        return integer
    }

    static func boolean(_ value: any TOMLValueConvertible) throws -> Bool {
        guard value.type == .bool, let bool = value.bool else {
            throw ConfigValueError(message: "expected true or false, got \(value.debugDescription)")
        }
        return bool
    }

    /// `isolated` (true) or `cross` (false).
    static func marginType(_ value: any TOMLValueConvertible) throws -> Bool {
        switch try text(value) {
        case "isolated": return true
        case "cross": return false
        case let other: throw ConfigValueError(message: "expected \"isolated\" or \"cross\", got \"\(other.prefix(40))\"")
        }
    }

    static func text(_ value: any TOMLValueConvertible) throws -> String {
        guard let string = value.string else {
            throw ConfigValueError(message: "expected a string, got \(value.debugDescription)")
        }
        return string
    }

    /// A time zone offset: `"+09:00"`, `"-05:30"`, `"UTC"` or `"Z"`, in minutes east of UTC.
    static func utcOffset(_ value: any TOMLValueConvertible) throws -> Int {
        let string = try text(value)
        if string == "UTC" || string == "Z" { return 0 }
        let bytes = Array(string.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard bytes[range].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
              let hours = digits(1..<3), let minutes = digits(4..<6), hours <= 14, minutes < 60 else {
            throw ConfigValueError(message: "expected a UTC offset like \"+09:00\" or \"UTC\", got \"\(string)\"")
        }
        return (bytes[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes)
    }

    static func strings(_ value: any TOMLValueConvertible) throws -> [String] {
        guard let array = value.array else {
            throw ConfigValueError(message: "expected a list of strings, got \(value.debugDescription)")
        }
        return try array.map { try text($0) }
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ value: any TOMLValueConvertible) throws -> T
        where T.RawValue == String {
        let string = try text(value)
        guard let choice = T(rawValue: string) else {
            let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            throw ConfigValueError(message: "expected \(allowed), got \"\(string)\"")
        }
        return choice
    }
}
