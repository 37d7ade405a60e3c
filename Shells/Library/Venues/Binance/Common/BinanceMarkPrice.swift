import Core

/// Mark price and funding of a perpetual (`GET /fapi/v1/premiumIndex`, the `markPriceUpdate`
/// stream): what funding costs and where mark-price stops trigger.
public struct BinanceMarkPrice: Equatable, Sendable {
    public var symbol: String
    public var markPrice: Fixed
    /// Positive: longs pay shorts (per funding interval, as a fraction of the notional).
    public var fundingRate: Fixed
    public var nextFundingTime: Milliseconds
    public var time: Milliseconds

    public init(symbol: String, markPrice: Fixed, fundingRate: Fixed, nextFundingTime: Milliseconds, time: Milliseconds) {
        self.symbol = symbol
        self.markPrice = markPrice
        self.fundingRate = fundingRate
        self.nextFundingTime = nextFundingTime
        self.time = time
    }
}
