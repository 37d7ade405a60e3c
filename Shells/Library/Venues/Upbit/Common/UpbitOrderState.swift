import Core

/// Upbit's order states (`state` of `GET /v1/order` and myOrder frames); `trade` only appears in
/// myOrder frames (a fill happened).
public enum UpbitOrderState: String, Equatable, Codable, Sendable {
    case wait, watch, trade, done, cancel, prevented

    /// The venue-neutral status: done is filled; cancel and prevented (self-trade prevention)
    /// end the order with what it filled.
    public var status: OrderStatus {
        switch self {
        case .wait, .watch: .open
        case .trade: .partiallyFilled
        case .done: .filled
        case .cancel, .prevented: .cancelled
        }
    }

    public var isFinal: Bool { status.isFinal }

    /// Upbit's word for a status (the local server's frames): rejected and expired orders end
    /// as `cancel` there.
    public init(_ status: OrderStatus) {
        switch status {
        case .open: self = .wait
        case .partiallyFilled: self = .trade
        case .filled: self = .done
        case .cancelled, .rejected, .expired: self = .cancel
        }
    }
}
