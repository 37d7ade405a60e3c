import Core

/// A conditional (algo) order: the exchange-side protective stop (`/fapi/v1/algoOrder` answers,
/// ALGO_UPDATE's `o`). Once triggered it spawns a regular child order (`actualOrderId`) whose
/// fills are the stop's.
public struct BinanceAlgoOrder: Equatable, Sendable {
    public enum Status: String, Equatable, Sendable {
        case new = "NEW"
        case canceled = "CANCELED"
        case triggering = "TRIGGERING"
        case triggered = "TRIGGERED"
        case finished = "FINISHED"
        case rejected = "REJECTED"
        case expired = "EXPIRED"
    }

    public var algoId: Int64
    public var clientAlgoId: String
    public var symbol: String
    public var side: Side?
    /// STOP_MARKET, TAKE_PROFIT_MARKET, …
    public var orderType: String
    public var status: Status
    public var triggerPrice: Fixed?
    /// The child order, once triggered.
    public var actualOrderId: Int64?
    /// The child's average fill price and filled quantity (`ap`, `aq`; `actualPrice`, `actualQty`).
    public var averagePrice: Fixed?
    public var executedQuantity: Fixed?
    public var time: Milliseconds

    public init(algoId: Int64, clientAlgoId: String, symbol: String, side: Side?, orderType: String, status: Status,
                triggerPrice: Fixed?, actualOrderId: Int64?, averagePrice: Fixed?, executedQuantity: Fixed?, time: Milliseconds) {
        self.algoId = algoId
        self.clientAlgoId = clientAlgoId
        self.symbol = symbol
        self.side = side
        self.orderType = orderType
        self.status = status
        self.triggerPrice = triggerPrice
        self.actualOrderId = actualOrderId
        self.averagePrice = averagePrice
        self.executedQuantity = executedQuantity
        self.time = time
    }

    /// The stop as a venue-neutral update (fee unknown here: 0; the child's ORDER_TRADE_UPDATE
    /// carries it). TRIGGERING and TRIGGERED are still working; FINISHED is filled when the child
    /// filled something, else expired (the child was cancelled in the matching engine).
    public var orderUpdate: OrderUpdate {
        let quantity = executedQuantity ?? 0
        let state: OrderStatus = switch status {
        case .new, .triggering, .triggered: .open
        case .finished: quantity.isPositive ? .filled : .expired
        case .canceled: .cancelled
        case .rejected: .rejected
        case .expired: .expired
        }
        return OrderUpdate(identifier: clientAlgoId, uuid: "algo-\(algoId)", market: symbol, state: state,
                           executedQuantity: quantity, executedQuote: (averagePrice ?? 0) * quantity, paidFee: 0,
                           time: time, side: side)
    }
}
