import Core

/// Everything the TOML file sets: the strategy (`Core.Config`) and the shells' own settings.
public struct Settings: Equatable, Sendable {
    public var strategy = Config()
    /// `[venue] name`: where the bot trades.
    public var venue = Venue.upbit
    public var upbit = UpbitSettings()
    /// `[binance]`: the futures venue's trading settings.
    public var binance = BinanceSettings()
    /// `[email]`; nil when the file has no such section (no mail is sent).
    public var email: EmailSettings?
    public var notify = NotifySettings()

    public init() {}
}

/// `[upbit]`: where the exchange is, so the bot can talk to any Upbit-compatible server.
public struct UpbitSettings: Equatable, Sendable {
    public var restURL = "https://api.upbit.com"
    /// The public socket; the private one is this URL + `/private`.
    public var webSocketURL = "wss://api.upbit.com/websocket/v1"

    public init() {}
}

/// `[email]`: where reports and notifications go. The password comes from `SURGE_SMTP_PASSWORD`
/// or `password_file` (mode 0600), never from this file, and is never logged.
public struct EmailSettings: Equatable, Sendable {
    /// `smtps://host:465` (TLS from the start) or `smtp://host:587` (STARTTLS when `starttls`).
    public var server = ""
    public var user = ""
    public var from = ""
    public var to: [String] = []
    public var starttls = true
    /// `HH:MM` in KST; nil = no daily report.
    public var dailyReportTime: String? = "09:00"
    /// Also send entry, exit, halt and error notifications by e-mail.
    public var notifications = true
    public var passwordFile: String?

    public init() {}
}

/// `[notify]`: notifications batched and rate-limited, so a bad day cannot send a thousand mails.
public struct NotifySettings: Equatable, Sendable {
    /// A generic JSON webhook; nil = none.
    public var webhookURL: String?
    /// Notifications wait this long to go out together.
    public var batchSeconds = 60
    /// At most this many messages per hour per channel; the rest wait for the next one.
    public var maxMessagesPerHour = 12

    public init() {}
}

/// The venues the bot can trade (`[venue] name`).
public enum Venue: String, Equatable, Sendable, CaseIterable {
    case upbit
    case binanceFutures = "binance-futures"
}

/// `[binance]`: where the futures venue is, leverage, margin type, the exchange-side safety stop
/// and the dead-man switch.
public struct BinanceSettings: Equatable, Sendable {
    public var restURL = "https://fapi.binance.com"
    /// The bot appends `/public`, `/market` and `/private` itself.
    public var webSocketURL = "wss://fstream.binance.com"
    /// Set per symbol before its first entry: isolated (the default) or cross.
    public var isolatedMargin = true
    /// `countdownCancelAll` heartbeat length: resting orders are cancelled this long after the
    /// bot's last heartbeat (0 = off).
    public var countdownSeconds = 120
    /// How long a signed request stays valid after its timestamp.
    public var recvWindowMilliseconds = 5_000
    /// Every position's leverage (the seed's advice: 2-3x).
    public var leverage = 2
    /// Place a `STOP_MARKET` with `closePosition` after each entry, at the strategy's stop moved
    /// `safety_stop_buffer` further away.
    public var safetyStop = true
    public var safetyStopBuffer: Fixed = Fixed("0.002")!

    public init() {}
}

extension Settings {
    /// What the core is told of the venue of `[venue] name`.
    public var venueProfile: VenueProfile {
        switch venue {
        case .upbit:
            UpbitVenue.profile
        case .binanceFutures:
            {
                var profile = BinanceVenue.profile(leverage: binance.leverage)
                profile.safetyStopBuffer = binance.safetyStop ? binance.safetyStopBuffer : nil
                return profile
            }()
        }
    }
}
