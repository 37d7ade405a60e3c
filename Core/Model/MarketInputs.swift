/// Epoch milliseconds (UTC). Time only ever enters the core inside events.
public typealias Milliseconds = Int64

/// Which side of the book took the initiative (Upbit `ask_bid`), or an order's side.
public enum Side: String, Equatable, Codable, Sendable {
    case bid = "BID"
    case ask = "ASK"
}

/// One public trade (Upbit WebSocket `trade`).
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

/// What the strategy needs of an orderbook frame (Upbit sends full books, best level first).
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

/// A market of `GET /v1/market/all?is_details=true`.
public struct MarketListing: Equatable, Codable, Sendable {
    public var market: String
    /// `market_event.warning` (투자유의).
    public var warning: Bool

    public init(market: String, warning: Bool = false) {
        self.market = market
        self.warning = warning
    }
}

/// Per-market trading rules from the exchange; nil fields keep the current value.
public struct MarketRules: Equatable, Codable, Sendable {
    public var market: String
    /// `tick_size` of `/v1/orderbook/instruments`.
    public var tickSize: Fixed?
    /// `market.bid.min_total` of `/v1/orders/chance`.
    public var minTotalKRW: Fixed?
    /// `bid_fee` / `ask_fee` of `/v1/orders/chance`.
    public var feeRate: Fixed?

    public init(market: String, tickSize: Fixed? = nil, minTotalKRW: Fixed? = nil, feeRate: Fixed? = nil) {
        self.market = market
        self.tickSize = tickSize
        self.minTotalKRW = minTotalKRW
        self.feeRate = feeRate
    }
}

/// One currency of `GET /v1/accounts`.
public struct Balance: Equatable, Codable, Sendable {
    public var currency: String
    public var balance: Fixed
    public var locked: Fixed

    public init(currency: String, balance: Fixed, locked: Fixed) {
        self.currency = currency
        self.balance = balance
        self.locked = locked
    }
}
