/// Upbit's order states; `trade` only appears in myOrder frames (a fill happened).
public enum ExchangeOrderState: String, Equatable, Codable, Sendable {
    case wait, watch, trade, done, cancel, prevented

    /// done, cancel and prevented are final: nothing fills afterwards.
    public var isFinal: Bool {
        switch self {
        case .done, .cancel, .prevented: true
        case .wait, .watch, .trade: false
        }
    }
}

/// What the exchange says about one of our orders: a myOrder frame or a `GET /v1/order` reply.
///
/// Amounts are cumulative (`executed_volume`, `executed_funds`, `paid_fee`), which makes
/// duplicates and reordering harmless: an update that does not increase the executed volume
/// carries no new fill.
public struct OrderUpdate: Equatable, Codable, Sendable {
    public var identifier: String
    public var uuid: String?
    public var market: String
    public var state: ExchangeOrderState
    public var executedVolume: Fixed
    /// KRW paid (buys) or received (sells) before fees.
    public var executedFundsKRW: Fixed
    public var paidFeeKRW: Fixed
    public var time: Milliseconds

    public init(identifier: String, uuid: String?, market: String, state: ExchangeOrderState,
                executedVolume: Fixed, executedFundsKRW: Fixed, paidFeeKRW: Fixed, time: Milliseconds) {
        self.identifier = identifier
        self.uuid = uuid
        self.market = market
        self.state = state
        self.executedVolume = executedVolume
        self.executedFundsKRW = executedFundsKRW
        self.paidFeeKRW = paidFeeKRW
        self.time = time
    }
}
