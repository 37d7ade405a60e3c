/// An order's state on any venue (the adapter maps its own: Upbit's `wait` is `open`, `done` is
/// `filled`, `prevented` is `cancelled`).
public enum OrderStatus: String, Equatable, Codable, Sendable {
    case open
    case partiallyFilled = "partially_filled"
    case filled, cancelled, rejected, expired

    /// filled, cancelled, rejected and expired are final: nothing fills afterwards.
    public var isFinal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .expired: true
        case .open, .partiallyFilled: false
        }
    }
}

/// What the exchange says about one of our orders: a pushed update or the answer to a query.
///
/// Amounts are cumulative (quantity, quote and fee executed so far), which makes
/// duplicates and reordering harmless: an update that does not increase the executed quantity
/// carries no new fill.
public struct OrderUpdate: Equatable, Codable, Sendable {
    public var identifier: String
    public var uuid: String?
    public var market: String
    public var state: OrderStatus
    public var executedQuantity: Fixed
    /// Quote paid (buys) or received (sells) before fees.
    public var executedQuote: Fixed
    public var paidFee: Fixed
    public var time: Milliseconds
    /// The order's side when the venue says (it tells a lost entry's direction on a margin venue).
    public var side: Side?

    public init(identifier: String, uuid: String?, market: String, state: OrderStatus,
                executedQuantity: Fixed, executedQuote: Fixed, paidFee: Fixed, time: Milliseconds, side: Side? = nil) {
        self.side = side
        self.identifier = identifier
        self.uuid = uuid
        self.market = market
        self.state = state
        self.executedQuantity = executedQuantity
        self.executedQuote = executedQuote
        self.paidFee = paidFee
        self.time = time
    }
}
