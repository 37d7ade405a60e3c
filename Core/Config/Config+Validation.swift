/// One thing wrong with a config, named by its TOML key (`exit.take_profit`).
public struct ConfigProblem: Equatable, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}

extension Config {
    /// Upper bounds that keep per-market memory fixed (ring buffer sizes derive from them).
    public static let maximumAverageWindowMinutes = 240
    public static let maximumSurgeWindowSeconds = 3_600
    public static let maximumRSIPeriod = 200
    public static let maximumPositions = 20
    public static let maximumCandidates = 50
    /// Upper bounds that keep every product of a setting with the clock or with money far from
    /// overflow (minutes are multiplied by 60,000 into milliseconds, quote amounts by prices and fees).
    public static let maximumQuote: Fixed = 1_000_000_000_000_000
    public static let maximumVolumeRatio = 1_000_000.0
    public static let maximumLimitTimeoutSeconds = 3_600
    /// A year.
    public static let maximumHoldMinutes = 525_600
    /// A week.
    public static let maximumPauseMinutes = 10_080
    /// A day.
    public static let maximumStaleFeedSeconds = 86_400
    public static let maximumClockSkewSeconds = 3_600

    /// Every problem, in key order of the file; empty when the config can run on `venue`.
    public func validate(for venue: VenueProfile) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func check(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) {
            if !condition { problems.append(ConfigProblem(key: key, message: message())) }
        }
        let krw = Config.maximumQuote
        check(capital.initialCapital.isPositive && capital.initialCapital <= krw, "capital.initial_krw",
              "must be in (0, \(krw)] (got \(capital.initialCapital))")
        check(capital.positionFraction > 0 && capital.positionFraction <= 1, "capital.position_fraction",
              "must be in (0, 1] (got \(capital.positionFraction))")
        check((1...Config.maximumPositions).contains(capital.maxPositions), "capital.max_positions",
              "must be 1...\(Config.maximumPositions) (got \(capital.maxPositions))")

        check((1...Config.maximumCandidates).contains(entry.candidates), "entry.candidates",
              "must be 1...\(Config.maximumCandidates) (got \(entry.candidates))")
        check((1...Config.maximumSurgeWindowSeconds).contains(entry.surgeWindowSeconds), "entry.surge_window_seconds",
              "must be 1...\(Config.maximumSurgeWindowSeconds) (got \(entry.surgeWindowSeconds))")
        check((1...Config.maximumAverageWindowMinutes).contains(entry.averageWindowMinutes),
              "entry.average_window_minutes",
              "must be 1...\(Config.maximumAverageWindowMinutes) (got \(entry.averageWindowMinutes))")
        check(entry.minVolumeRatio > 0 && entry.minVolumeRatio <= Config.maximumVolumeRatio, "entry.min_volume_ratio",
              "must be in (0, \(Int(Config.maximumVolumeRatio))] (got \(entry.minVolumeRatio))")
        check((2...Config.maximumRSIPeriod).contains(entry.rsiPeriod), "entry.rsi_period",
              "must be 2...\(Config.maximumRSIPeriod) (got \(entry.rsiPeriod))")
        check((0...100).contains(entry.rsiMin), "entry.rsi_min", "must be 0...100 (got \(entry.rsiMin))")
        check((0...100).contains(entry.rsiMax) && entry.rsiMax >= entry.rsiMin, "entry.rsi_max",
              "must be rsi_min...100 (got \(entry.rsiMax))")
        check(!entry.minRecentValue.isNegative && entry.minRecentValue <= krw, "entry.min_recent_value_krw",
              "must be in [0, \(krw)] (got \(entry.minRecentValue))")
        check((1...Config.maximumLimitTimeoutSeconds).contains(entry.limitTimeoutSeconds), "entry.limit_timeout_seconds",
              "must be 1...\(Config.maximumLimitTimeoutSeconds) (got \(entry.limitTimeoutSeconds))")
        check(entry.direction == .long || venue.isMargin, "entry.direction",
              "\(venue.name) is a spot venue: only \"long\" positions can be opened there (got \"\(entry.direction.rawValue)\")")

        check(exit.takeProfit > 0 && exit.takeProfit < 10, "exit.take_profit",
              "must be in (0, 10) (got \(exit.takeProfit))")
        check(exit.stopLoss < 0 && exit.stopLoss > -1, "exit.stop_loss",
              "must be in (-1, 0) (got \(exit.stopLoss))")
        check(!exit.partialFraction.isNegative && exit.partialFraction < 1, "exit.partial_fraction",
              "must be in [0, 1) (got \(exit.partialFraction))")
        check(!exit.trailingStop.isNegative && exit.trailingStop < 1, "exit.trailing_stop",
              "must be in [0, 1) (got \(exit.trailingStop))")
        if let activation = exit.trailingActivation {
            check(!activation.isNegative && activation < 10, "exit.trailing_activation",
                  "must be in [0, 10) (got \(activation))")
        }
        check((0...Config.maximumHoldMinutes).contains(exit.maxHoldMinutes), "exit.max_hold_minutes",
              "must be 0...\(Config.maximumHoldMinutes) (got \(exit.maxHoldMinutes))")

        check((0...Config.maximumPauseMinutes).contains(risk.cooldownMinutes), "risk.cooldown_minutes",
              "must be 0...\(Config.maximumPauseMinutes) (got \(risk.cooldownMinutes))")
        check((0...Config.maximumPauseMinutes).contains(risk.stopLossPauseMinutes), "risk.stop_loss_pause_minutes",
              "must be 0...\(Config.maximumPauseMinutes) (got \(risk.stopLossPauseMinutes))")
        check(!risk.dailyLossLimit.isNegative && risk.dailyLossLimit <= 1, "risk.daily_loss_limit",
              "must be in [0, 1] (got \(risk.dailyLossLimit))")
        check((1...Config.maximumStaleFeedSeconds).contains(risk.staleFeedSeconds), "risk.stale_feed_seconds",
              "must be 1...\(Config.maximumStaleFeedSeconds) (got \(risk.staleFeedSeconds))")
        check((1...Config.maximumClockSkewSeconds).contains(risk.maxClockSkewSeconds), "risk.max_clock_skew_seconds",
              "must be 1...\(Config.maximumClockSkewSeconds) (got \(risk.maxClockSkewSeconds))")
        check(risk.priceBand.isPositive && risk.priceBand <= 1, "risk.price_band",
              "must be in (0, 1] (got \(risk.priceBand))")
        check(!risk.maxUnrealizedLoss.isNegative && risk.maxUnrealizedLoss <= 1, "risk.max_unrealized_loss",
              "must be in [0, 1] (got \(risk.maxUnrealizedLoss))")

        if let offset = risk.dayStartOffsetMinutes {
            check((-12 * 60...14 * 60).contains(offset), "risk.day_start", "must be a UTC offset from -12:00 to +14:00")
        }
        for code in universe.exclude where !venue.accepts(code) {
            problems.append(ConfigProblem(key: "universe.exclude", message: "not a \(venue.quoteAsset) market code: \(code)"))
        }
        check(universe.exclude.count <= State.maximumMarkets, "universe.exclude",
              "at most \(State.maximumMarkets) codes (got \(universe.exclude.count))")
        check(!fees.rate.isNegative && fees.rate < Fixed("0.01")!, "fees.rate",
              "must be in [0, 0.01) (got \(fees.rate))")
        return problems
    }
}
