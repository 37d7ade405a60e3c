/// The whole state of the strategy: a plain value, snapshotted as is.
public struct State: Equatable, Codable, Sendable {
    public var config: Config
    /// The venue's instruments and conventions (from its adapter).
    public var venue: VenueProfile
    public var options: Options
    /// The core's clock: the newest event time accepted; no event moves it by more than
    /// `risk.max_clock_skew_seconds` once the driver has a clock (see `receive`).
    public var now: Milliseconds = 0
    /// The driver's newest own clock reading (`timerFired`, `recovered`, `feedStalled`); nil where
    /// the driver has no clock of its own (backtests: frame time is the clock).
    public var driverClock: Milliseconds?
    public internal(set) var markets: [MarketState] = []
    var marketIndex: [String: Int] = [:]
    /// True once the exchange's market list arrived: from then on only listed markets trade.
    public var universeListed = false
    /// Free cash in the quote asset (not reserved for a working entry, not margin).
    public var cash: Fixed
    /// Open and opening positions, by id ascending.
    public var positions: [Position] = []
    /// Working orders by identifier.
    public var orders: [String: Order] = [:]
    public var risk = RiskState()
    /// Identifiers a lost journal transaction may have sent, being asked about (reconciliation).
    public var probes: [String: Probe] = [:]
    public var counters = Counters()
    public var statistics = Statistics()

    /// Settings the shells choose (not part of the strategy file).
    public struct Options: Equatable, Codable, Sendable {
        /// Start of every order identifier; unique per state directory so identifiers are never
        /// reused on an account (the shell derives it once, e.g. from the first start time).
        public var identifierPrefix: String
        /// Emit `trace` commands for candles and decisions (backtest `--trace`).
        public var trace = false
        /// Candles to fetch for a market's history on its first trade; 0 = never (backtests).
        public var backfillCandles = 0

        public init(identifierPrefix: String = "sg", trace: Bool = false, backfillCandles: Int = 0) {
            self.identifierPrefix = identifierPrefix
            self.trace = trace
            self.backfillCandles = backfillCandles
        }
    }

    public struct RiskState: Equatable, Codable, Sendable {
        /// Trading day number (days since 1970-01-01 at the day's start offset).
        public var day: Int64 = .min
        public var dayStartEquity: Fixed = 0
        public var dayRealizedPnL: Fixed = 0
        public var dailyLossLimitHit = false
        /// Entries paused after a stop loss until this time.
        public var pausedUntil: Milliseconds?
        public var cooldownUntil: [String: Milliseconds] = [:]
        public var lastMarketDataAt: Milliseconds?
        public var feedStale = false
        /// Between `recovered` and the balances' answer: no entries.
        public var reconciling = false
        public var balanceRequestId: Int?
        /// `Counters.orderActivity` when the balances were asked for.
        public var balanceRequestActivity = 0
        public var nextBalanceFetchAt: Milliseconds?
        /// Balances changed on the exchange while orders of ours worked: fetched once none does.
        @Defaulted<False> public var balancesStale = false
        /// The operator paused entries (`entriesPaused`) until `entriesResumed`.
        @Defaulted<False> public var pausedByOperator = false
        /// A margin call, or the emergency stop, halted entries until `entriesResumed`.
        @Defaulted<False> public var marginCallHalt = false
        @Defaulted<False> public var emergencyHalt = false
        /// After an entry the exchange refused: no entries until then.
        public var entryBackoffUntil: Milliseconds?
        /// The next refusal's back-off (doubles from 30 s to 10 min; reset by an accepted entry).
        public var entryBackoffMilliseconds: Milliseconds?
    }

    public struct Counters: Equatable, Codable, Sendable {
        public var nextPositionId = 1
        public var nextRequestId = 1
        /// The last whole second at which clock checks and entry evaluation ran.
        public var lastEvaluatedSecond: Int64 = .min
        /// Bumped whenever an order is sent, fills or ends: a balance snapshot taken before the
        /// last bump may not match the books.
        public var orderActivity = 0
        /// The pending open-orders request of a reconciliation.
        public var openOrdersRequestId: Int?
        /// Pending candle requests: request id -> market.
        public var candleRequests: [Int: String] = [:]
        /// Set when an adopted config lowered `max_positions`: the positions numbered below it
        /// were opened under the old limit and may exceed the new one until they close.
        public var positionsBeforeLimit: Int?
    }

    /// An identifier the bot may have sent just before a crash, in a journal transaction that was
    /// lost: asked about by identifier, cancelled if still open, and its fills adopted.
    public struct Probe: Equatable, Codable, Sendable {
        public var positionId: Int
        public var purpose: Order.Purpose
        public var queryAskedAt: Milliseconds?
        public var nextQueryAt: Milliseconds?
        public var cancelSentAt: Milliseconds?
        /// A lost entry's position, once adopted, numbers its orders from here (attempts below
        /// were probed at earlier starts).
        public var attemptBase = 2

        public init(positionId: Int, purpose: Order.Purpose, queryAskedAt: Milliseconds? = nil,
                    nextQueryAt: Milliseconds? = nil, cancelSentAt: Milliseconds? = nil, attemptBase: Int = 2) {
            self.positionId = positionId
            self.purpose = purpose
            self.queryAskedAt = queryAskedAt
            self.nextQueryAt = nextQueryAt
            self.cancelSentAt = cancelSentAt
            self.attemptBase = attemptBase
        }
    }

    /// What was skipped and why, for operators and reports.
    public struct Statistics: Equatable, Codable, Sendable {
        public var lateTrades = 0
        public var duplicateTrades = 0
        public var ignoredTrades = 0
        public var ignoredOrderEvents = 0
        public var inconsistentOrderUpdates = 0
        /// Exchange-stamped events dated more than `max_clock_skew_seconds` past the core's clock.
        @Defaulted<Zero> public var futureEvents = 0
        /// Trades the book contradicts (outside best bid / ask by more than `price_band`).
        @Defaulted<Zero> public var suspectPrints = 0
        /// Orders refused by our own client without being sent (`banned`, `rate_limited`, `not_sent`).
        @Defaulted<Zero> public var unsentOrders = 0
    }

    public init(config: Config, venue: VenueProfile, options: Options = Options()) {
        self.config = config
        self.venue = venue
        self.options = options
        cash = config.capital.initialCapital
    }

    /// At most this many markets are tracked (Upbit lists about 250 KRW markets, Binance about
    /// 500 USDT perpetuals).
    public static let maximumMarkets = 1_000

    public func marketIndex(of code: String) -> Int? { marketIndex[code] }

    public func market(_ code: String) -> MarketState? { marketIndex[code].map { markets[$0] } }

    /// Adds a market (sorted order is not needed: ranking sorts by code).
    @discardableResult
    mutating func addMarket(_ code: String) -> Int? {
        if let index = marketIndex[code] { return index }
        guard markets.count < State.maximumMarkets else { return nil }
        markets.append(MarketState(code: code, instrument: venue.instrument(for: code), config: config))
        marketIndex[code] = markets.count - 1
        return markets.count - 1
    }

    func positionIndex(market: String) -> Int? { positions.firstIndex { $0.market == market } }

    /// The instrument of a market: its own once tracked, else the venue's default.
    public func instrument(for market: String) -> Instrument {
        marketIndex[market].map { markets[$0].instrument } ?? venue.instrument(for: market)
    }
    func positionIndex(id: Int) -> Int? { positions.firstIndex { $0.id == id } }

    /// What the positions are worth now at last prices, before fees: the coins' value on a spot
    /// venue, margin plus unrealised P&L on a margin venue.
    public var holdingsValue: Fixed {
        var total: Fixed = 0
        for position in positions {
            guard let price = market(position.market)?.lastPrice ?? position.entryPrice else { continue }
            if venue.isMargin {
                total += position.margin
                if let entry = position.entryPrice { total += position.direction.sign * (price - entry) * position.quantity }
            } else {
                total += position.quantity * price
            }
        }
        return total
    }

    /// Free cash + cash reserved for working entries + holdings at last price.
    public var equity: Fixed {
        var reserved: Fixed = 0
        for order in orders.values { reserved += order.reserved }
        return cash + reserved + holdingsValue
    }
}

extension State {
    /// Takes a (possibly edited) config after a restart (`configAdopted`). Positions, orders and
    /// risk state carry on; when a window that sizes the per-market buffers changed, market history
    /// starts over (it is fetched again on each market's next trade).
    public mutating func adopt(_ newConfig: Config) {
        let entry = config.entry
        let resized = entry.averageWindowMinutes != newConfig.entry.averageWindowMinutes
            || entry.rsiPeriod != newConfig.entry.rsiPeriod || entry.surgeWindowSeconds != newConfig.entry.surgeWindowSeconds
        if newConfig.capital.maxPositions < config.capital.maxPositions { counters.positionsBeforeLimit = counters.nextPositionId }
        config = newConfig
        guard resized else { return }
        let codes = markets.map(\.code)
        let tradable = Dictionary(uniqueKeysWithValues: markets.map { ($0.code, ($0.isTradable, $0.instrument)) })
        markets = []
        marketIndex = [:]
        for code in codes {
            guard let index = addMarket(code) else { continue }
            markets[index].isTradable = tradable[code]?.0 ?? true
            markets[index].instrument = tradable[code]?.1 ?? venue.instrument(for: code)
        }
    }
}
