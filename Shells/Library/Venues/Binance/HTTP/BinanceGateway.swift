import Core
import Foundation
import Synchronization

/// Binance USDⓈ-M futures over REST: the reducer's commands carried out and answered with events.
/// The safety stop (identifier leg `x`) is an algo order; everything else a regular order looked
/// up by symbol and client id. REST order answers carry no commission: an answer with fills is
/// completed from `userTrades` before it is told (an update booked without its fee would never be
/// corrected: only more quantity is a new fill). libcurl blocks, so orders and queries run on one
/// thread, candle backfills on another.
public final class BinanceGateway: OrderGateway {
    let rest: BinanceREST
    let quotation: BinanceREST
    /// The symbols' rules from `exchangeInfo` (sizes and prices are checked against them).
    let instruments = Mutex<[String: Instrument]>([:])
    /// Every position's leverage and margin type, set per symbol before its first entry.
    let leverage: Int
    let isolated: Bool
    /// Symbols whose leverage and margin type this process has set.
    let configured = Mutex<Set<String>>([])
    private let orderQueue = DispatchQueue(label: "surge.binance.orders")
    private let quotationQueue = DispatchQueue(label: "surge.binance.quotation")

    public init(rest: BinanceREST, quotation: BinanceREST, leverage: Int, isolated: Bool) {
        self.rest = rest
        self.quotation = quotation
        self.leverage = leverage
        self.isolated = isolated
    }

    public func adopt(_ rules: [Instrument]) {
        instruments.withLock { table in for rule in rules { table[rule.symbol] = rule } }
    }

    func instrument(_ symbol: String) -> Instrument? { instruments.withLock { $0[symbol] } }

    /// The safety stop's identifiers end in an `x` leg (`prefix-7-x2`).
    public static func isAlgo(_ identifier: String) -> Bool {
        identifier.split(separator: "-").last?.first == "x"
    }

    func onQueue<T: Sendable>(_ queue: DispatchQueue, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: work()) } }
    }

    public func execute(_ command: Command, at time: Milliseconds) async -> [Event] {
        switch command {
        case .placeOrder(let request):
            return await onQueue(orderQueue) { self.place(request, time: time) }
        case .cancelOrder(let identifier, _, let market):
            return await onQueue(orderQueue) { self.cancel(identifier, market: market, time: time) }
        case .queryOrder(let identifier, let market):
            return await onQueue(orderQueue) { self.query(identifier, market: market, time: time) }
        case .fetchBalances(let requestId):
            return await onQueue(orderQueue) {
                switch self.rest.accountSnapshot() {
                case .success(let account): [.balancesFetched(requestId: requestId, account: account, time: time)]
                case .rejected(let error): [.balancesFetchFailed(requestId: requestId, error: BinanceGateway.name(error), time: time)]
                case .unknown(let reason): [.balancesFetchFailed(requestId: requestId, error: String(reason.prefix(200)), time: time)]
                }
            }
        case .fetchOpenOrders(let requestId):
            return await onQueue(orderQueue) { self.openOrders(requestId: requestId, time: time) }
        case .fetchCandles(let requestId, let market, let count):
            return await onQueue(quotationQueue) {
                guard case .success(let candles) = self.quotation.minuteCandles(symbol: market, count: count) else {
                    return [.candlesFetchFailed(requestId: requestId, market: market, time: time)]
                }
                return [.candlesFetched(requestId: requestId, market: market, candles: candles, time: time)]
            }
        case .subscribe, .notify, .trace, .bookLeg:
            return []
        }
    }

    // MARK: - Orders

    func place(_ request: OrderRequest, time: Milliseconds) -> [Event] {
        guard let instrument = instrument(request.market) else {
            return [.orderRejected(identifier: request.identifier, error: "unknown_symbol", time: time)]
        }
        if case .protectiveStop = request.kind {
            switch rest.placeProtectiveStop(request, instrument: instrument) {
            case .success(let algo):
                return [.orderAccepted(identifier: request.identifier, uuid: "algo-\(algo.algoId)", time: time)]
            case .rejected(let error):
                return [.orderRejected(identifier: request.identifier, error: BinanceGateway.name(error), time: time)]
            case .unknown:
                return [.orderOutcomeUnknown(identifier: request.identifier, time: time)]
            }
        }
        if !request.reduceOnly, let refusal = configure(request.market) {
            return [.orderRejected(identifier: request.identifier, error: refusal, time: time)]
        }
        switch rest.placeOrder(request, instrument: instrument) {
        case .success(let update):
            var events: [Event] = [.orderAccepted(identifier: request.identifier, uuid: update.uuid ?? "", time: time)]
            // Fills without their commission are left to the user stream or a query.
            if let complete = withCommission(update, time: time), complete.executedQuantity.isPositive || complete.state.isFinal {
                events.append(.orderUpdated(complete))
            }
            return events
        case .rejected(let error):
            return [.orderRejected(identifier: request.identifier, error: BinanceGateway.name(error), time: time)]
        case .unknown:
            return [.orderOutcomeUnknown(identifier: request.identifier, time: time)]
        }
    }

    /// Margin type, then leverage, of a symbol about to be entered (once per process): nil when
    /// set, else the refusal under which the entry is not sent.
    func configure(_ symbol: String) -> String? {
        guard !configured.withLock({ $0.contains(symbol) }) else { return nil }
        switch rest.setMarginType(symbol: symbol, isolated: isolated) {
        case .success: break
        case .rejected(let error): return BinanceGateway.name(error)
        case .unknown: return "not_sent"
        }
        switch rest.setLeverage(symbol: symbol, leverage: leverage) {
        case .success(let set) where set == leverage: break
        case .success: return "leverage_not_set"
        case .rejected(let error): return BinanceGateway.name(error)
        case .unknown: return "not_sent"
        }
        configured.withLock { _ = $0.insert(symbol) }
        return nil
    }

    /// A symbol's settings changed outside the bot: they are set again before its next entry.
    public func forgetConfiguration(_ symbol: String) {
        configured.withLock { _ = $0.remove(symbol) }
    }

    func cancel(_ identifier: String, market: String, time: Milliseconds) -> [Event] {
        let outcome: BinanceREST.Outcome<Void>
        if BinanceGateway.isAlgo(identifier) {
            outcome = rest.cancelAlgoOrder(clientAlgoId: identifier)
        } else {
            outcome = rest.cancelOrder(symbol: market, clientOrderId: identifier).map { _ in }
        }
        switch outcome {
        case .success: return [.cancelAccepted(identifier: identifier, time: time)]
        case .rejected(let error): return [.cancelRejected(identifier: identifier, error: BinanceGateway.name(error), time: time)]
        case .unknown: return [.cancelOutcomeUnknown(identifier: identifier, time: time)]
        }
    }

    /// By client id: an algo order (with its child's commission once triggered), a regular order
    /// by symbol, or one whose symbol is not known (a lost entry) in the account's order history.
    func query(_ identifier: String, market: String?, time: Milliseconds) -> [Event] {
        let found: BinanceREST.Outcome<OrderUpdate?>
        if BinanceGateway.isAlgo(identifier) {
            found = rest.algoOrder(clientAlgoId: identifier).map { algo in
                var update = algo.orderUpdate
                if let child = algo.actualOrderId, update.executedQuantity.isPositive {
                    update.uuid = "\(child)"  // the commission is the child order's
                }
                return update
            }
        } else if let market {
            found = rest.order(symbol: market, clientOrderId: identifier).map { $0 }
        } else {
            found = rest.findOrder(clientOrderId: identifier)
        }
        switch found {
        case .success(let update?):
            guard let complete = withCommission(update, time: time) else { return [.orderQueryFailed(identifier: identifier, time: time)] }
            return [.orderUpdated(complete)]
        case .success(nil):
            return [.orderNotFound(identifier: identifier, time: time)]
        case .rejected(let error) where error.code == -2013:
            return [.orderNotFound(identifier: identifier, time: time)]
        case .rejected, .unknown:
            return [.orderQueryFailed(identifier: identifier, time: time)]
        }
    }

    /// The update with its commission from the order's trades; nil when they cannot be read (or
    /// do not yet add up to what the order filled).
    func withCommission(_ update: OrderUpdate, time: Milliseconds) -> OrderUpdate? {
        var update = update
        update.time = time
        guard update.executedQuantity.isPositive else { return update }
        guard let orderId = update.uuid.flatMap({ Int64($0) }),
              case .success(let trades) = rest.commission(symbol: update.market, orderId: orderId),
              trades.quantity == update.executedQuantity else { return nil }
        update.paidFee = trades.fee
        return update
    }

    /// Regular and algo open orders of every symbol (weight 40 each).
    func openOrders(requestId: Int, time: Milliseconds) -> [Event] {
        switch (rest.openOrders(), rest.openAlgoOrders()) {
        case (.success(let regular), .success(let algos)):
            let orders = regular.map { var update = $0; update.time = time; return update }
                + algos.map { var update = $0.orderUpdate; update.time = time; return update }
            return [.openOrdersFetched(requestId: requestId, orders: orders, time: time)]
        case (.rejected(let error), _), (_, .rejected(let error)):
            return [.openOrdersFetchFailed(requestId: requestId, error: BinanceGateway.name(error), time: time)]
        case (.unknown(let reason), _), (_, .unknown(let reason)):
            return [.openOrdersFetchFailed(requestId: requestId, error: String(reason.prefix(200)), time: time)]
        }
    }

    /// Binance's refusal under the core's names: what never executed and may be sent again is
    /// `not_sent` (or our budget's `rate_limited` / `banned`); balance or margin short is
    /// `insufficient_funds_…` (the books are re-read); the rest keeps Binance's name.
    public static func name(_ error: BinanceREST.BinanceError) -> String {
        switch error.disposition {
        case .retryable, .resync:
            return error.status == 418 || error.name == "banned" ? "banned"
                : error.status == 429 || error.name == "rate_limited" ? "rate_limited" : "not_sent"
        default:
            switch error.code {
            case -2018: return "insufficient_funds_balance"
            case -2019: return "insufficient_funds_margin"
            default: return error.name
            }
        }
    }
}
