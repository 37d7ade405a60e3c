import Core
import TestSupport
import Foundation
import Shells
import Testing

@Suite struct ConfigFileTests {
    func problems(_ toml: String) -> [String] {
        do {
            _ = try ConfigFile.parse(toml, file: "bot.toml")
            return []
        } catch let error as ConfigFileError {
            return error.description.split(separator: "\n").map(String.init)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func theShippedDefaultFileEqualsTheBuiltInDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/default.toml").path
        let settings = try ConfigFile.load(path: path)
        #expect(settings == Settings())
    }

    @Test func valuesAreReadExactly() throws {
        let settings = try ConfigFile.parse("""
            [capital]
            initial_krw = 2500000
            [exit]
            take_profit = 0.0045
            stop_loss = -0.007
            trailing_stop = 0.002
            trailing_activation = 0.004
            order = "limit_take_profit"
            [entry]
            rsi_min = 35
            order = "limit"
            limit_fallback = "none"
            [universe]
            exclude = ["KRW-XRP", "KRW-DOGE"]
            [upbit]
            rest_url = "http://127.0.0.1:8080"
            """, file: "bot.toml")
        let strategy = settings.strategy
        #expect(strategy.capital.initialCapital == Fixed(2_500_000))
        #expect(strategy.exit.takeProfit == Fixed("0.0045")!)
        #expect(strategy.exit.stopLoss == Fixed("-0.007")!)
        #expect(strategy.exit.effectiveTrailingActivation == Fixed("0.004")!)
        #expect(strategy.exit.order == .limitTakeProfit)
        #expect(strategy.entry.rsiMin == 35)
        #expect(strategy.entry.order == .limit)
        #expect(strategy.entry.limitFallback == Config.LimitFallback.none)
        #expect(strategy.universe.exclude == ["KRW-XRP", "KRW-DOGE"])
        #expect(settings.upbit.restURL == "http://127.0.0.1:8080")
        #expect(settings.upbit.webSocketURL == "wss://api.upbit.com/websocket/v1")
    }

    /// The keys of the venue-neutral core (issue 12): direction, the day's start, the venue, and
    /// the capital under a neutral name.
    @Test func directionDayStartAndVenueAreRead() throws {
        let settings = try ConfigFile.parse("""
            [capital]
            initial_capital = 3000000
            [risk]
            day_start = "-05:30"
            [venue]
            name = "upbit"
            """, file: "bot.toml")
        #expect(settings.strategy.capital.initialCapital == 3_000_000)
        #expect(settings.strategy.risk.dayStartOffsetMinutes == -330)
        #expect(settings.venue == .upbit)
        #expect(try ConfigFile.parse("[risk]\nday_start = \"UTC\"", file: "b").strategy.risk.dayStartOffsetMinutes == 0)
        #expect(problems("""
            [entry]
            direction = "short"
            [risk]
            day_start = "9"
            [venue]
            name = "binance"
            """) == [
            #"bot.toml: risk.day_start: expected a UTC offset like "+09:00" or "UTC", got "9""#,
            #"bot.toml: venue.name: expected "upbit" or "binance-futures", got "binance""#,
            #"bot.toml: entry.direction: upbit is a spot venue: only "long" positions can be opened there (got "short")"#,
        ])
    }

    @Test func theFuturesVenuesSectionIsReadAndChecked() throws {
        let settings = try ConfigFile.parse("""
            [venue]
            name = "binance-futures"
            [binance]
            rest_url = "http://127.0.0.1:9000"
            ws_url = "ws://127.0.0.1:9000"
            leverage = 3
            margin_type = "cross"
            countdown_seconds = 0
            recv_window_ms = 3000
            """, file: "b")
        #expect(settings.venue == .binanceFutures)
        #expect(settings.binance.restURL == "http://127.0.0.1:9000" && settings.binance.webSocketURL == "ws://127.0.0.1:9000")
        #expect(settings.binance.leverage == 3 && !settings.binance.isolatedMargin)
        #expect(settings.binance.countdownSeconds == 0 && settings.binance.recvWindowMilliseconds == 3_000)
        #expect(problems("""
            [binance]
            rest_url = "fapi.binance.com"
            ws_url = "https://fstream.binance.com"
            margin_type = "crossed"
            countdown_seconds = 5
            recv_window_ms = 0
            """) == [
            #"bot.toml: binance.margin_type: expected "isolated" or "cross", got "crossed""#,
            "bot.toml: binance.rest_url: must start with http:// or https:// (got fapi.binance.com)",
            "bot.toml: binance.ws_url: must start with ws:// or wss:// (got https://fstream.binance.com)",
            "bot.toml: binance.countdown_seconds: must be 0 (off) or 10...3600 (got 5)",
            "bot.toml: binance.recv_window_ms: must be 1...60000 (got 0)",
        ])
    }

    @Test func everyProblemIsNamedWithFileAndKey() {
        #expect(problems("""
            [capital]
            position_fraction = 1.5
            [exit]
            take_profit = -0.1
            stop_los = -0.01
            [entry]
            rsi_period = 14.5
            order = "stop"
            [strategy]
            x = 1
            """) == [
            "bot.toml: entry.order: expected \"market\" or \"limit\", got \"stop\"",
            "bot.toml: entry.rsi_period: expected a whole number, got 14.5",
            "bot.toml: exit.stop_los: unknown key",
            "bot.toml: unknown section [strategy] (known: binance, capital, email, entry, exit, fees, notify, risk, universe, upbit, venue)",
            "bot.toml: capital.position_fraction: must be in (0, 1] (got 1.5)",
            "bot.toml: exit.take_profit: must be in (0, 10) (got -0.1)",
        ])
    }

    @Test func brokenTOMLAndMissingFilesAreClearErrors() {
        #expect(problems("[capital\ninitial_krw = 1").first?.hasPrefix("bot.toml: not valid TOML:") == true)
        #expect(problems("[upbit]\nws_url = \"https://x\"") == [
            "bot.toml: upbit.ws_url: must start with ws:// or wss:// (got https://x)"])
        #expect(throws: ConfigFileError.self) { try ConfigFile.load(path: "/nonexistent/bot.toml") }
    }
}

@Suite struct SettingsPrinterTests {
    /// What `surge config` prints reads back as the same settings.
    @Test func printedSettingsParseBackUnchanged() throws {
        var settings = Settings()
        settings.strategy.exit.trailingStop = Fixed("0.002")!
        settings.strategy.universe.exclude = ["KRW-XRP"]
        settings.upbit.restURL = "http://127.0.0.1:9000"
        var expected = settings
        expected.strategy.exit.trailingActivation = settings.strategy.exit.takeProfit  // printed explicitly
        #expect(try ConfigFile.parse(SettingsPrinter.toml(settings), file: "printed") == expected)
    }
}

@Suite struct EmailConfigTests {
    @Test func emailAndNotifySectionsAreRead() throws {
        let settings = try ConfigFile.parse("""
            [email]
            server = "smtps://smtp.example.com:465"
            user = "bot@example.com"
            from = "surge <bot@example.com>"
            to = ["me@example.com"]
            daily_report_time = "08:30"
            password_file = "/etc/surge/smtp.password"
            [notify]
            webhook_url = "https://hooks.example.com/surge"
            batch_seconds = 120
            max_messages_per_hour = 6
            """, file: "bot.toml")
        #expect(settings.email?.server == "smtps://smtp.example.com:465")
        #expect(settings.email?.to == ["me@example.com"])
        #expect(settings.email?.dailyReportTime == "08:30")
        #expect(settings.email?.passwordFile == "/etc/surge/smtp.password")
        #expect(settings.notify.webhookURL == "https://hooks.example.com/surge")
        #expect(settings.notify.maxMessagesPerHour == 6)
        var expected = settings
        expected.strategy.exit.trailingActivation = settings.strategy.exit.takeProfit  // printed explicitly
        #expect(try ConfigFile.parse(SettingsPrinter.toml(settings), file: "printed") == expected)
    }

    @Test func badEmailSettingsAreNamed() {
        do {
            _ = try ConfigFile.parse("""
                [email]
                server = "mail.example.com"
                from = "nobody"
                daily_report_time = "25:00"
                password = "do-not-put-it-here"
                [notify]
                max_messages_per_hour = 0
                """, file: "bot.toml")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".components(separatedBy: "\n") == [
                "bot.toml: email.password: unknown key",
                "bot.toml: email.server: must start with smtp:// or smtps:// (got mail.example.com)",
                "bot.toml: email.from: must be an e-mail address (got nobody)",
                "bot.toml: email.to: must list at least one e-mail address",
                "bot.toml: email.daily_report_time: must be HH:MM (KST), got 25:00",
                "bot.toml: notify.max_messages_per_hour: must be >= 1 (got 0)",
            ])
        }
    }

    @Test func loginInClearIsAllowedOnlyToLoopback() throws {
        func parse(_ server: String) throws -> Settings {
            try ConfigFile.parse("""
                [email]
                server = "\(server)"
                starttls = false
                from = "bot@example.com"
                to = ["me@example.com"]
                """, file: "bot.toml")
        }
        #expect(try parse("smtp://127.0.0.1:2525").email?.starttls == false)
        #expect(try parse("smtp://localhost:25").email?.starttls == false)
        do {
            _ = try parse("smtp://mail.example.com:587")
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == "bot.toml: email.starttls: false sends the login and the reports in clear; allowed only to a loopback server (got smtp://mail.example.com:587)")
        }
    }

    @Test func aUserWithoutAPasswordIsRefusedBeforeStart() throws {
        var email = EmailSettings()
        email.user = "bot"
        #expect(throws: (any Error).self) { try ReportMail.password(email, environment: [:]) }
        #expect(throws: (any Error).self) { try ReportMail.password(email, environment: ["SURGE_SMTP_PASSWORD": ""]) }
        #expect(try ReportMail.password(email, environment: ["SURGE_SMTP_PASSWORD": "pw"]) == "pw")
        email.user = ""
        #expect(try ReportMail.password(email, environment: [:]) == nil)
    }
}
