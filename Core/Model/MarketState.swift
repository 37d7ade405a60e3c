/// Everything the strategy keeps about one market. Fixed size whatever the market does.
public struct MarketState: Equatable, Codable, Sendable {
    public let code: String
    /// False when the market left the universe (warning, delisted, excluded): no new entries.
    public var isTradable = true
    /// Its price grid, quantity step, limits and fees.
    public var instrument: Instrument
    public var lastPrice: Fixed?
    public var lastTradeTime: Milliseconds?
    public var candles: CandleSeries
    public var recentVolume: RollingVolume
    public var book: BookTop?
    public var backfill = BackfillStatus.notRequested
    /// Failed backfills in a row, and when to ask again (5 s doubling to 5 min).
    @Defaulted<Zero> public var backfillFailures = 0
    public var backfillRetryAt: Milliseconds?
    /// With no fresh book to judge by: a print far from the last price, believed once a second
    /// print agrees with it.
    public var unconfirmedPrice: Fixed?
    /// Perpetuals: the newest mark price, and the newest funding settlement booked.
    public var markPrice: Fixed?
    public var lastFundingAt: Milliseconds?
    var highestSequentialId = Int64.min
    var recentSequentialIds = RingBuffer<Int64>(capacity: 64)

    public enum BackfillStatus: String, Equatable, Codable, Sendable {
        case notRequested, requested, done
        /// The fetch failed: asked again at `backfillRetryAt`.
        case failed
    }

    init(code: String, instrument: Instrument, config: Config) {
        self.code = code
        self.instrument = instrument
        let capacity = Swift.max(config.entry.averageWindowMinutes + 5, 30)
        candles = CandleSeries(capacity: capacity, rsiPeriod: config.entry.rsiPeriod)
        recentVolume = RollingVolume(windowSeconds: config.entry.surgeWindowSeconds)
    }

    /// True when this trade id was seen before (or is too old to tell); records it otherwise.
    mutating func isDuplicate(sequentialId: Int64) -> Bool {
        if sequentialId > highestSequentialId {
            highestSequentialId = sequentialId
            recentSequentialIds.append(sequentialId)
            return false
        }
        for offset in 0..<recentSequentialIds.count where recentSequentialIds.fromNewest(offset) == sequentialId {
            return true
        }
        if recentSequentialIds.count == recentSequentialIds.capacity, sequentialId < recentSequentialIds[0] {
            return true
        }
        recentSequentialIds.append(sequentialId)
        return false
    }
}
