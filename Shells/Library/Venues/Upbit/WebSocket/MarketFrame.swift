import Core

/// One frame of Upbit's public WebSocket, decoded (DEFAULT or SIMPLE format).
public enum MarketFrame: Equatable, Sendable {
    case trade(Trade)
    case orderbook(Orderbook)
    case ticker(Ticker)
    /// `{"status":"UP"}`, the answer to a keepalive.
    case status(String)
    /// `{"error":{"name":…,"message":…}}`; the server closes the socket after it.
    case error(name: String, message: String)
    /// A well-formed frame of a type the bot does not use (candles, …).
    case other(type: String)

    /// The exchange's time of a trade, orderbook or ticker frame.
    public var time: Milliseconds? {
        switch self {
        case .trade(let trade): trade.time
        case .orderbook(let book): book.time
        case .ticker(let ticker): ticker.time
        case .status, .error, .other: nil
        }
    }
}

/// A full orderbook frame: Upbit sends whole books, best level first, padded with zero levels
/// (dropped here).
public struct Orderbook: Equatable, Sendable {
    public struct Level: Equatable, Sendable {
        public var askPrice: Fixed
        public var askSize: Fixed
        public var bidPrice: Fixed
        public var bidSize: Fixed

        public init(askPrice: Fixed, askSize: Fixed, bidPrice: Fixed, bidSize: Fixed) {
            self.askPrice = askPrice
            self.askSize = askSize
            self.bidPrice = bidPrice
            self.bidSize = bidSize
        }
    }

    public var market: String
    public var time: Milliseconds
    public var totalAskSize: Fixed
    public var totalBidSize: Fixed
    public var levels: [Level]

    public init(market: String, time: Milliseconds, totalAskSize: Fixed, totalBidSize: Fixed, levels: [Level]) {
        self.market = market
        self.time = time
        self.totalAskSize = totalAskSize
        self.totalBidSize = totalBidSize
        self.levels = levels
    }

    /// Asks, cheapest first, without empty levels.
    public var asks: [(price: Fixed, size: Fixed)] {
        levels.filter { $0.askPrice.isPositive && $0.askSize.isPositive }.map { ($0.askPrice, $0.askSize) }
    }

    /// Bids, dearest first, without empty levels.
    public var bids: [(price: Fixed, size: Fixed)] {
        levels.filter { $0.bidPrice.isPositive && $0.bidSize.isPositive }.map { ($0.bidPrice, $0.bidSize) }
    }

    /// What the strategy sees of it.
    public var top: BookTop {
        let bestBid = levels.first { $0.bidPrice.isPositive && $0.bidSize.isPositive }?.bidPrice
        let bestAsk = levels.first { $0.askPrice.isPositive && $0.askSize.isPositive }?.askPrice
        return BookTop(market: market, time: time, totalBidSize: totalBidSize.doubleValue,
                       totalAskSize: totalAskSize.doubleValue, bestBidPrice: bestBid, bestAskPrice: bestAsk)
    }
}

/// The fields of a ticker frame the bot can use.
public struct Ticker: Equatable, Sendable {
    public var market: String
    public var tradePrice: Fixed
    public var accumulatedTradeVolume24h: Fixed?
    public var time: Milliseconds

    public init(market: String, tradePrice: Fixed, accumulatedTradeVolume24h: Fixed?, time: Milliseconds) {
        self.market = market
        self.tradePrice = tradePrice
        self.accumulatedTradeVolume24h = accumulatedTradeVolume24h
        self.time = time
    }
}
