/// Every strategy setting of strategy.md §0, with its default.
///
/// The TOML file maps onto these sections one to one (`[capital]`, `[entry]`, …); the shell
/// decodes it and calls `validate()` before anything runs. Ratios that reach prices are exact
/// (`Fixed`); thresholds of indicators are `Double`.
public struct Config: Equatable, Codable, Sendable {
    public var capital = Capital()
    public var entry = Entry()
    public var exit = Exit()
    public var risk = Risk()
    public var universe = Universe()
    public var fees = Fees()

    public init() {}

    public struct Capital: Equatable, Codable, Sendable {
        /// Starting cash in the quote asset in paper mode and backtests (TOML `initial_krw`, or
        /// `initial_capital`); live mode reads the account.
        public var initialCapital: Fixed = 1_000_000
        /// Share of equity per entry.
        public var positionFraction: Fixed = Fixed("0.5")!
        /// Positions open or opening at once.
        public var maxPositions = 2
        public init() {}
    }

    public struct Entry: Equatable, Codable, Sendable {
        /// Top-N markets by surge ratio considered for entry.
        public var candidates = 2
        public var surgeWindowSeconds = 60
        public var averageWindowMinutes = 20
        public var minVolumeRatio = 2.0
        public var rsiPeriod = 14
        public var rsiMin = 30.0
        public var rsiMax = 100.0
        public var requireBidDominance = true
        /// Quote traded in the surge window at least (TOML `min_recent_value_krw`).
        public var minRecentValue: Fixed = 0
        public var order = EntryOrder.market
        public var limitTimeoutSeconds = 10
        public var limitFallback = LimitFallback.market
        /// Which positions to open: `long` (the default), `short` (the mirrored rule), or `both`.
        @Defaulted<Config.DefaultDirection> public var direction = EntryDirection.long
        public init() {}
    }

    public enum EntryDirection: String, Equatable, Codable, Sendable, CaseIterable { case long, short, both }
    public enum DefaultDirection: DecodingDefault { public static var value: EntryDirection { .long } }

    public enum EntryOrder: String, Equatable, Codable, Sendable, CaseIterable { case market, limit }
    public enum LimitFallback: String, Equatable, Codable, Sendable, CaseIterable { case market, none }

    public struct Exit: Equatable, Codable, Sendable {
        public var takeProfit: Fixed = Fixed("0.003")!
        public var stopLoss: Fixed = Fixed("-0.01")!
        /// 0 = sell everything at take-profit.
        public var partialFraction: Fixed = 0
        /// 0 = off.
        public var trailingStop: Fixed = 0
        /// nil = the take-profit.
        public var trailingActivation: Fixed? = nil
        /// 0 = off.
        public var maxHoldMinutes = 0
        public var order = ExitOrder.market
        public init() {}

        /// The gain at which the trailing stop arms.
        public var effectiveTrailingActivation: Fixed { trailingActivation ?? takeProfit }
    }

    public enum ExitOrder: String, Equatable, Codable, Sendable, CaseIterable {
        case market
        case limitTakeProfit = "limit_take_profit"
    }

    public struct Risk: Equatable, Codable, Sendable {
        public var cooldownMinutes = 5
        /// 0 = off.
        public var stopLossPauseMinutes = 0
        /// Fraction of the trading day's starting equity; 0 = off.
        public var dailyLossLimit: Fixed = Fixed("0.03")!
        /// Where the trading day starts, in minutes east of UTC (TOML `day_start = "+09:00"`);
        /// nil = the venue's (KST on Upbit, UTC on the futures venue).
        public var dayStartOffsetMinutes: Int?
        public var staleFeedSeconds = 10
        /// How far past the core's clock an exchange-stamped event (trade, orderbook, myOrder
        /// frame) may be dated; one dated further ahead is rejected (live and paper only).
        @Defaulted<Config.DefaultClockSkew> public var maxClockSkewSeconds = Config.DefaultClockSkew.value
        /// A trade further than this fraction outside the market's best bid / best ask is a
        /// suspect print: it moves no price, exit or write-off. Also bounds a market order's
        /// average fill price.
        @Defaulted<Config.DefaultPriceBand> public var priceBand = Config.DefaultPriceBand.value
        /// Margin venues: unrealised losses (at mark) of this fraction of equity close every
        /// position and halt entries (the seed bot's emergency stop); 0 = off.
        @Defaulted<Config.DefaultMaxUnrealizedLoss> public var maxUnrealizedLoss = Config.DefaultMaxUnrealizedLoss.value
        public init() {}
    }

    public enum DefaultClockSkew: DecodingDefault { public static var value: Int { 60 } }
    public enum DefaultPriceBand: DecodingDefault { public static var value: Fixed { Fixed("0.05")! } }
    public enum DefaultMaxUnrealizedLoss: DecodingDefault { public static var value: Fixed { Fixed("0.1")! } }

    public struct Universe: Equatable, Codable, Sendable {
        public var excludeWarning = true
        public var exclude: [String] = []
        public init() {}
    }

    public struct Fees: Equatable, Codable, Sendable {
        /// Used by paper mode and backtests, and by instruments without fees of their own; live
        /// mode takes the venue's (`marketRulesReceived`, or the listed instrument).
        public var rate: Fixed = Fixed("0.0005")!
        public init() {}
    }
}
