/// Epoch milliseconds (UTC). Time only ever enters the core inside events.
public typealias Milliseconds = Int64

/// An order's side, or which side took the initiative in a trade (the buyer's or the seller's).
/// The raw values are Upbit's (`ask_bid`), kept for the journal's format.
public enum Side: String, Equatable, Codable, Sendable {
    case buy = "BID"
    case sell = "ASK"
}

/// One public trade.
public struct Trade: Equatable, Codable, Sendable {
    public var market: String
    public var price: Fixed
    public var volume: Fixed
    public var side: Side
    /// `trade_timestamp`: decides the candle minute.
    public var time: Milliseconds
    /// Unique per market; repeats are duplicates.
    public var sequentialId: Int64

    public init(market: String, price: Fixed, volume: Fixed, side: Side, time: Milliseconds, sequentialId: Int64) {
        self.market = market
        self.price = price
        self.volume = volume
        self.side = side
        self.time = time
        self.sequentialId = sequentialId
    }
}

/// What the strategy needs of an orderbook: total sizes on each side and the best prices.
public struct BookTop: Equatable, Codable, Sendable {
    public var market: String
    public var time: Milliseconds
    public var totalBidSize: Double
    public var totalAskSize: Double
    public var bestBidPrice: Fixed?
    public var bestAskPrice: Fixed?

    public init(market: String, time: Milliseconds, totalBidSize: Double, totalAskSize: Double,
                bestBidPrice: Fixed?, bestAskPrice: Fixed?) {
        self.market = market
        self.time = time
        self.totalBidSize = totalBidSize
        self.totalAskSize = totalAskSize
        self.bestBidPrice = bestBidPrice
        self.bestAskPrice = bestAskPrice
    }
}

/// A market the venue lists (Upbit's `GET /v1/market/all`, Binance's `exchangeInfo`).
public struct MarketListing: Equatable, Codable, Sendable {
    public var market: String
    /// The venue flags it (Upbit's `market_event.warning`, 투자유의).
    public var warning: Bool
    /// Its instrument, when the venue describes it; nil = the venue's default instrument.
    public var instrument: Instrument?

    public init(market: String, warning: Bool = false, instrument: Instrument? = nil) {
        self.market = market
        self.warning = warning
        self.instrument = instrument
    }
}

/// Corrections of one market's instrument from the venue (Upbit's `tick_size` of
/// `/v1/orderbook/instruments`, `min_total` and fees of `/v1/orders/chance`); nil fields keep the
/// current value. A tick makes the grid fixed at that tick.
public struct MarketRules: Equatable, Codable, Sendable {
    public var market: String
    public var tickSize: Fixed?
    public var minimumNotional: Fixed?
    /// Maker and taker alike.
    public var feeRate: Fixed?

    public init(market: String, tickSize: Fixed? = nil, minimumNotional: Fixed? = nil, feeRate: Fixed? = nil) {
        self.market = market
        self.tickSize = tickSize
        self.minimumNotional = minimumNotional
        self.feeRate = feeRate
    }
}
