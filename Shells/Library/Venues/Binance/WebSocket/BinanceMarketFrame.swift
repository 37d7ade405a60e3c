import Core

/// One frame of Binance's market streams, decoded (raw `/ws` payloads or `/stream` wrappers).
public enum BinanceMarketFrame: Equatable, Sendable {
    /// `aggTrade`.
    case trade(Trade)
    /// `bookTicker` (best level only) or a partial book `depth<N>` (its levels summed).
    case book(BookTop)
    /// `markPriceUpdate`.
    case markPrice(BinanceMarkPrice)
    /// `{"result":null,"id":1}`: the answer to a SUBSCRIBE.
    case subscriptionAnswer(id: Int64)
    /// A well-formed payload of a type the bot does not use (kline, ticker, …).
    case other(type: String)
}
