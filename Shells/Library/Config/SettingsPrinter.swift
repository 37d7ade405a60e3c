import Core

/// The effective settings as TOML, in the file's own layout.
public enum SettingsPrinter {
    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    static func emailSection(_ email: EmailSettings?) -> [(String, [(String, String)])] {
        guard let email else { return [] }
        var keys: [(String, String)] = [
            ("server", quoted(email.server)), ("user", quoted(email.user)), ("from", quoted(email.from)),
            ("to", "[" + email.to.map(quoted).joined(separator: ", ") + "]"), ("starttls", "\(email.starttls)"),
            ("notifications", "\(email.notifications)"),
        ]
        if let time = email.dailyReportTime { keys.append(("daily_report_time", quoted(time))) }
        if let file = email.passwordFile { keys.append(("password_file", quoted(file))) }
        return [("email", keys)]
    }

    /// `+09:00` for 540 minutes.
    static func utcOffset(_ minutes: Int) -> String {
        let magnitude = abs(minutes)
        let hours = magnitude / 60, rest = magnitude % 60
        return (minutes < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    public static func toml(_ settings: Settings) -> String {
        let strategy = settings.strategy
        let quoted = SettingsPrinter.quoted
        let sections: [(String, [(String, String)])] = [
            ("capital", [
                ("initial_krw", "\(strategy.capital.initialCapital)"),
                ("position_fraction", "\(strategy.capital.positionFraction)"),
                ("max_positions", "\(strategy.capital.maxPositions)"),
            ]),
            ("entry", [
                ("candidates", "\(strategy.entry.candidates)"),
                ("surge_window_seconds", "\(strategy.entry.surgeWindowSeconds)"),
                ("average_window_minutes", "\(strategy.entry.averageWindowMinutes)"),
                ("min_volume_ratio", "\(strategy.entry.minVolumeRatio)"),
                ("rsi_period", "\(strategy.entry.rsiPeriod)"),
                ("rsi_min", "\(strategy.entry.rsiMin)"),
                ("rsi_max", "\(strategy.entry.rsiMax)"),
                ("require_bid_dominance", "\(strategy.entry.requireBidDominance)"),
                ("min_recent_value_krw", "\(strategy.entry.minRecentValue)"),
                ("order", quoted(strategy.entry.order.rawValue)),
                ("limit_timeout_seconds", "\(strategy.entry.limitTimeoutSeconds)"),
                ("limit_fallback", quoted(strategy.entry.limitFallback.rawValue)),
                ("direction", quoted(strategy.entry.direction.rawValue)),
            ]),
            ("exit", [
                ("take_profit", "\(strategy.exit.takeProfit)"),
                ("stop_loss", "\(strategy.exit.stopLoss)"),
                ("partial_fraction", "\(strategy.exit.partialFraction)"),
                ("trailing_stop", "\(strategy.exit.trailingStop)"),
                ("trailing_activation", "\(strategy.exit.effectiveTrailingActivation)"),
                ("max_hold_minutes", "\(strategy.exit.maxHoldMinutes)"),
                ("order", quoted(strategy.exit.order.rawValue)),
            ]),
            ("risk", [
                ("cooldown_minutes", "\(strategy.risk.cooldownMinutes)"),
                ("stop_loss_pause_minutes", "\(strategy.risk.stopLossPauseMinutes)"),
                ("daily_loss_limit", "\(strategy.risk.dailyLossLimit)"),
                ("stale_feed_seconds", "\(strategy.risk.staleFeedSeconds)"),
                ("max_clock_skew_seconds", "\(strategy.risk.maxClockSkewSeconds)"),
                ("price_band", "\(strategy.risk.priceBand)"),
                ("max_unrealized_loss", "\(strategy.risk.maxUnrealizedLoss)"),
            ] + (strategy.risk.dayStartOffsetMinutes.map { [("day_start", quoted(utcOffset($0)))] } ?? [])),
            ("universe", [
                ("exclude_warning", "\(strategy.universe.excludeWarning)"),
                ("exclude", "[" + strategy.universe.exclude.map(quoted).joined(separator: ", ") + "]"),
            ]),
            ("fees", [("rate", "\(strategy.fees.rate)")]),
            ("venue", [("name", quoted(settings.venue.rawValue))]),
            ("binance", [("rest_url", quoted(settings.binance.restURL)), ("ws_url", quoted(settings.binance.webSocketURL)),
                         ("leverage", "\(settings.binance.leverage)"),
                         ("margin_type", quoted(settings.binance.isolatedMargin ? "isolated" : "cross")),
                         ("safety_stop", "\(settings.binance.safetyStop)"),
                         ("safety_stop_buffer", "\(settings.binance.safetyStopBuffer)"),
                         ("countdown_seconds", "\(settings.binance.countdownSeconds)"),
                         ("recv_window_ms", "\(settings.binance.recvWindowMilliseconds)")]),
            ("upbit", [("rest_url", quoted(settings.upbit.restURL)), ("ws_url", quoted(settings.upbit.webSocketURL))]),
            ("notify", [("batch_seconds", "\(settings.notify.batchSeconds)"),
                        ("max_messages_per_hour", "\(settings.notify.maxMessagesPerHour)")]
                + (settings.notify.webhookURL.map { [("webhook_url", quoted($0))] } ?? [])),
        ] + emailSection(settings.email)
        return sections.map { name, keys in
            "[\(name)]\n" + keys.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
