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
        /// Starting KRW in paper mode and backtests; live mode reads the account.
        public var initialKRW: Fixed = 1_000_000
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
        public var minRecentValueKRW: Fixed = 0
        public var order = EntryOrder.market
        public var limitTimeoutSeconds = 10
        public var limitFallback = LimitFallback.market
        public init() {}
    }

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
        /// Fraction of the KST day's starting equity; 0 = off.
        public var dailyLossLimit: Fixed = Fixed("0.03")!
        public var staleFeedSeconds = 10
        /// How far past the core's clock an exchange-stamped event (trade, orderbook, myOrder
        /// frame) may be dated; one dated further ahead is rejected (live and paper only).
        @Defaulted<Config.DefaultClockSkew> public var maxClockSkewSeconds = Config.DefaultClockSkew.value
        /// A trade further than this fraction outside the market's best bid / best ask is a
        /// suspect print: it moves no price, exit or write-off. Also bounds a market order's
        /// average fill price.
        @Defaulted<Config.DefaultPriceBand> public var priceBand = Config.DefaultPriceBand.value
        public init() {}
    }

    public enum DefaultClockSkew: DecodingDefault { public static var value: Int { 60 } }
    public enum DefaultPriceBand: DecodingDefault { public static var value: Fixed { Fixed("0.05")! } }

    public struct Universe: Equatable, Codable, Sendable {
        public var excludeWarning = true
        public var exclude: [String] = []
        public init() {}
    }

    public struct Fees: Equatable, Codable, Sendable {
        /// Used by paper mode and backtests; live mode takes the exchange's (`marketRulesReceived`).
        public var rate: Fixed = Fixed("0.0005")!
        public init() {}
    }
}
