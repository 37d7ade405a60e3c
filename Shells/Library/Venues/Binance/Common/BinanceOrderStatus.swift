import Core

/// Binance's order statuses (`status` of order answers, `X` of ORDER_TRADE_UPDATE).
public enum BinanceOrderStatus: String, Equatable, Sendable {
    case new = "NEW"
    case partiallyFilled = "PARTIALLY_FILLED"
    case filled = "FILLED"
    case canceled = "CANCELED"
    case expired = "EXPIRED"
    case expiredInMatch = "EXPIRED_IN_MATCH"
    case rejected = "REJECTED"

    /// The venue-neutral status: EXPIRED_IN_MATCH (self-trade prevention) is an expiry too.
    public var status: OrderStatus {
        switch self {
        case .new: .open
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .canceled: .cancelled
        case .expired, .expiredInMatch: .expired
        case .rejected: .rejected
        }
    }
}

/// `BUY` / `SELL`.
enum BinanceSide {
    static func parse(_ text: String?) -> Side? {
        switch text {
        case "BUY": .buy
        case "SELL": .sell
        default: nil
        }
    }

    static func text(_ side: Side) -> String { side == .buy ? "BUY" : "SELL" }
}
