import Core

/// The three orders Upbit's KRW market takes (`POST /v1/orders`): a market buy of a KRW amount
/// (`ord_type=price`), a market sell of a volume (`ord_type=market`) and a limit order. Any other
/// request (a market buy by quantity, a protective stop, a quote-sized sell) has no Upbit form.
public enum UpbitOrderShape: Equatable, Sendable {
    case marketBuy(amount: Fixed)
    case marketSell(volume: Fixed)
    case limit(side: Side, price: Fixed, volume: Fixed)

    public init?(_ request: OrderRequest) {
        switch (request.kind, request.size, request.side) {
        case (.market, .quote(let amount), .buy): self = .marketBuy(amount: amount)
        case (.market, .quantity(let volume), .sell): self = .marketSell(volume: volume)
        case (.limit(let price), .quantity(let volume), let side): self = .limit(side: side, price: price, volume: volume)
        default: return nil
        }
    }

    /// The request of this shape (what an Upbit order looks like to the core).
    public func request(identifier: String, market: String) -> OrderRequest {
        switch self {
        case .marketBuy(let amount):
            OrderRequest(identifier: identifier, market: market, side: .buy, kind: .market, size: .quote(amount))
        case .marketSell(let volume):
            OrderRequest(identifier: identifier, market: market, side: .sell, kind: .market, size: .quantity(volume))
        case .limit(let side, let price, let volume):
            OrderRequest(identifier: identifier, market: market, side: side, kind: .limit(price: price), size: .quantity(volume))
        }
    }
}
