import Core
import Shells

/// What the user stream's decoding remembers between frames: each order's running commission
/// (ORDER_TRADE_UPDATE carries only the fill's own), and which regular order a triggered safety
/// stop became (its fills are the stop's, booked under the stop's client id).
struct BinanceStreamState: Sendable {
    var fees = BinanceFeeTally()
    /// Child order id → the algo order's client id (bounded: the oldest are forgotten).
    var childOrders: [Int64: String] = [:]
    var childOrder: [Int64] = []
    static let childCapacity = 1_024

    /// A user-stream event as the driver's input.
    mutating func input(_ event: BinanceUserEvent) -> PrivateInput {
        switch event {
        case .order(let order):
            if order.executionType == "CALCULATED" || order.orderType == "LIQUIDATION" {
                // A liquidation (or auto-deleveraging): booked as such, not as an order of ours.
                guard order.lastQuantity.isPositive else { return .ignored }
                return .events([.positionLiquidated(market: order.update.market, identifier: order.update.identifier,
                                                    quantity: order.lastQuantity, price: order.lastPrice,
                                                    fee: order.commission, time: order.update.time)])
            }
            var update = fees.apply(order)
            if let algo = childOrders[order.orderId] { update.identifier = algo }
            return .order(update)
        case .tradeLite:
            return .ignored  // the same fill comes in ORDER_TRADE_UPDATE, with its commission
        case .account(let account):
            guard account.reason == "FUNDING_FEE" else { return .balances(account.snapshot) }
            guard let symbol = account.symbol ?? account.positions.first?.symbol,
                  let change = account.balances.first(where: { $0.asset == BinanceVenue.quoteAsset })?.balanceChange else {
                return .refused("FUNDING_FEE update without its symbol or USDT change")
            }
            return .events([.fundingSettled(market: symbol, amount: change, settledAt: account.time, time: account.time)])
        case .algo(let algo):
            if let child = algo.actualOrderId, childOrders[child] == nil {
                childOrders[child] = algo.clientAlgoId
                childOrder.append(child)
                if childOrder.count > BinanceStreamState.childCapacity { childOrders[childOrder.removeFirst()] = nil }
            }
            switch algo.status {
            case .new, .triggering, .triggered:
                return .ignored
            case .finished where (algo.executedQuantity ?? 0).isPositive:
                // The child's ORDER_TRADE_UPDATE usually came first with the fills and their
                // commission (this repeats them); if it did not, the fills are booked now, with the
                // commission counted so far (a stop's fill must never wait for a restart).
                var update = algo.orderUpdate
                if let child = algo.actualOrderId { update.paidFee = fees.fee(symbol: algo.symbol, orderId: child) ?? 0 }
                return .order(update)
            case .finished, .canceled, .rejected, .expired:
                return .order(algo.orderUpdate)
            }
        case .marginCall(let call):
            return .events([.marginCalled(time: call.time)])
        case .listenKeyExpired:
            return .reconnect("listen key expired")
        case .configuration, .other:
            return .ignored  // a leverage other than the bot's is told by the adapter
        }
    }
}
