import Core
import Shells
import TestSupport
import Testing

/// Issue 11, item 3: every numeric setting has an upper bound, so nothing that passes
/// validation can overflow later.
@Suite struct ConfigBoundsTests {
    /// Every setting at the largest value validation allows.
    static func largest() -> Config {
        var config = Config()
        config.capital.initialCapital = Config.maximumQuote
        config.capital.positionFraction = 1
        config.entry.minRecentValue = 0
        config.entry.limitTimeoutSeconds = 3_600
        config.exit.maxHoldMinutes = 525_600
        config.risk.cooldownMinutes = 10_080
        config.risk.stopLossPauseMinutes = 10_080
        config.risk.staleFeedSeconds = 86_400
        config.risk.maxClockSkewSeconds = 3_600
        config.risk.priceBand = 1
        return config
    }

    @Test func theLargestValuesPassValidation() {
        #expect(ConfigBoundsTests.largest().validate(for: UpbitVenue.profile) == [])
    }

    @Test func valuesThatWouldOverflowAreRefusedByKey() {
        var config = Config()
        config.capital.initialCapital = fixed("10000000000000000")
        config.entry.minVolumeRatio = .infinity
        config.entry.minRecentValue = fixed("100000000000000000000")
        config.entry.limitTimeoutSeconds = 1 << 62
        config.exit.maxHoldMinutes = 1 << 62
        config.risk.cooldownMinutes = .max
        config.risk.stopLossPauseMinutes = 1 << 62
        config.risk.staleFeedSeconds = .max
        config.risk.maxClockSkewSeconds = 0
        config.risk.priceBand = 0
        #expect(config.validate(for: UpbitVenue.profile).map(\.description) == [
            "capital.initial_krw: must be in (0, 1000000000000000] (got 10000000000000000)",
            "entry.min_volume_ratio: must be in (0, 1000000] (got inf)",
            "entry.min_recent_value_krw: must be in [0, 1000000000000000] (got 100000000000000000000)",
            "entry.limit_timeout_seconds: must be 1...3600 (got 4611686018427387904)",
            "exit.max_hold_minutes: must be 0...525600 (got 4611686018427387904)",
            "risk.cooldown_minutes: must be 0...10080 (got 9223372036854775807)",
            "risk.stop_loss_pause_minutes: must be 0...10080 (got 4611686018427387904)",
            "risk.stale_feed_seconds: must be 1...86400 (got 9223372036854775807)",
            "risk.max_clock_skew_seconds: must be 1...3600 (got 0)",
            "risk.price_band: must be in (0, 1] (got 0)",
        ])
    }

    /// The largest settings through a whole position's life: the time stop after a year, a
    /// week's cooldown and pause, at the end of time.
    @Test func theLargestValuesNeverTrapOverAPositionsLife() {
        var config = ConfigBoundsTests.largest()
        config.capital.initialCapital = 1_000_000
        config.capital.positionFraction = fixed("0.5")
        var (state, btc, _) = givenPositionOpen(config)
        let stop = run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))])
        #expect(orders(stop).map(\.identifier) == ["t-1-s2"])
        run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "247.5", at: at(30, 6, 100))])
        #expect(state.risk.cooldownUntil["KRW-BTC"] == at(30, 6, 100) + 10_080 * 60_000)
        #expect(state.risk.pausedUntil == at(30, 6, 100) + 10_080 * 60_000)
        run(&state, [.timerFired(time: State.latestTime)])
        #expect(state.now == State.latestTime)
        #expect(state.entryHaltReason == "stale_feed")
    }
}
