import Core
import Foundation

/// Upbit over REST. libcurl blocks, so each client works on a thread of its own: orders and
/// queries on one, candle backfills on another (so 250 backfills never delay an order).
public final class UpbitGateway: OrderGateway {
    let exchange: UpbitREST
    let quotation: UpbitREST
    private let exchangeQueue = DispatchQueue(label: "surge.rest.exchange")
    private let quotationQueue = DispatchQueue(label: "surge.rest.quotation")

    public init(exchange: UpbitREST, quotation: UpbitREST) {
        self.exchange = exchange
        self.quotation = quotation
    }

    func onQueue<T: Sendable>(_ queue: DispatchQueue, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: work()) } }
    }

    public func execute(_ command: Command, at time: Milliseconds) async -> [Event] {
        switch command {
        case .placeOrder(let request):
            return await onQueue(exchangeQueue) { [exchange] in
                switch exchange.createOrder(request) {
                case .success(var update):
                    update.time = time
                    var events: [Event] = [.orderAccepted(identifier: request.identifier, uuid: update.uuid ?? "", time: time)]
                    if update.executedQuantity.isPositive || update.state.isFinal { events.append(.orderUpdated(update)) }
                    return events
                case .rejected(let error): return [.orderRejected(identifier: request.identifier, error: error.name, time: time)]
                case .unknown: return [.orderOutcomeUnknown(identifier: request.identifier, time: time)]
                }
            }
        case .cancelOrder(let identifier, _, _):
            return await onQueue(exchangeQueue) { [exchange] in
                switch exchange.cancel(identifier: identifier) {
                case .success: return [.cancelAccepted(identifier: identifier, time: time)]
                case .rejected(let error): return [.cancelRejected(identifier: identifier, error: error.name, time: time)]
                case .unknown: return [.cancelOutcomeUnknown(identifier: identifier, time: time)]
                }
            }
        case .queryOrder(let identifier, _):
            return await onQueue(exchangeQueue) { [exchange] in
                switch exchange.order(identifier: identifier) {
                case .success(var update):
                    update.time = time
                    return [.orderUpdated(update)]
                case .rejected(let error) where error.name == "order_not_found":
                    return [.orderNotFound(identifier: identifier, time: time)]
                case .rejected, .unknown:
                    return [.orderQueryFailed(identifier: identifier, time: time)]
                }
            }
        case .fetchBalances(let requestId):
            return await onQueue(exchangeQueue) { [exchange] in
                switch exchange.accounts() {
                case .success(let balances):
                    return [.balancesFetched(requestId: requestId, account: UpbitVenue.account(balances), time: time)]
                case .rejected(let error): return [.balancesFetchFailed(requestId: requestId, error: error.name, time: time)]
                case .unknown(let reason): return [.balancesFetchFailed(requestId: requestId, error: reason, time: time)]
                }
            }
        case .fetchOpenOrders(let requestId):
            return await onQueue(exchangeQueue) { [exchange] in
                switch exchange.openOrders() {
                case .success(let open): return [.openOrdersFetched(requestId: requestId, orders: open, time: time)]
                case .rejected(let error): return [.openOrdersFetchFailed(requestId: requestId, error: error.name, time: time)]
                case .unknown(let reason): return [.openOrdersFetchFailed(requestId: requestId, error: reason, time: time)]
                }
            }
        case .fetchCandles(let requestId, let market, let count):
            return await fetchCandles(requestId: requestId, market: market, count: count, time: time)
        case .subscribe, .notify, .trace, .bookLeg:
            return []
        }
    }

    /// Start-up questions (off the order thread's way).
    public func markets() async -> UpbitREST.Outcome<[MarketListing]> {
        await onQueue(quotationQueue) { [quotation] in quotation.markets() }
    }

    public func instruments(markets: [String]) async -> UpbitREST.Outcome<[MarketRules]> {
        await onQueue(quotationQueue) { [quotation] in quotation.instruments(markets: markets) }
    }

    public func chance(market: String) async -> UpbitREST.Outcome<MarketRules> {
        await onQueue(exchangeQueue) { [exchange] in exchange.chance(market: market) }
    }

    func fetchCandles(requestId: Int, market: String, count: Int, time: Milliseconds) async -> [Event] {
        await onQueue(quotationQueue) { [quotation] in
            guard case .success(let candles) = quotation.minuteCandles(market: market, count: count) else {
                return [.candlesFetchFailed(requestId: requestId, market: market, time: time)]
            }
            return [.candlesFetched(requestId: requestId, market: market, candles: candles, time: time)]
        }
    }
}

