import Core
import Shells

/// Regular orders (§3.2, §3.4): Binance's parameters checked and mapped to the core's
/// `OrderRequest`, executed by the `FuturesExchange`, answered in Binance's shapes; cancel-all
/// and the dead-man switch.
extension LocalBinance {
    static let conditionalTypes: Set<String> = ["STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"]

    func newOrder(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard let side = LocalBinance.side(parameters["side"]) else { return .error(400, -1102, "Parameter 'side' is missing or invalid.") }
        let type = parameters["type"] ?? ""
        if LocalBinance.conditionalTypes.contains(type) {
            return .error(400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.")
        }
        guard type == "MARKET" || type == "LIMIT" else { return .error(400, -1116, "Invalid orderType.") }
        if let positionSide = parameters["positionSide"], positionSide != "BOTH" {
            return .error(400, -4061, "Order's position side does not match user's setting.")
        }
        let instrument = instruments[symbol]!
        let quantity: Fixed
        switch LocalBinance.quantity(parameters["quantity"], instrument) {
        case .success(let value): quantity = value
        case .failure(let refusal): return refusal
        }
        var kind = OrderRequest.Kind.market
        var price: Fixed = 0
        if type == "LIMIT" {
            guard let timeInForce = parameters["timeInForce"] else { return .error(400, -1102, "Mandatory parameter 'timeInForce' was not sent.") }
            guard timeInForce == "GTC" else { return .error(400, -1115, "Invalid timeInForce (the local server simulates GTC only).") }
            switch LocalBinance.price(parameters["price"], instrument) {
            case .success(let value): price = value
            case .failure(let refusal): return refusal
            }
            kind = .limit(price: price)
        } else if parameters["price"] != nil {
            return .error(400, -1106, "Parameter 'price' sent when not required.")
        }
        let clientId: String
        switch clientIdentifier(parameters["newClientOrderId"]) {
        case .success(let identifier): clientId = identifier
        case .failure(let refusal): return refusal
        }
        let request = OrderRequest(identifier: clientId, market: symbol, side: side, kind: kind, size: .quantity(quantity),
                                   reduceOnly: parameters["reduceOnly"] == "true")
        let before = exchange.positions
        let events = exchange.answer(.placeOrder(request), time: time) ?? []
        if case .orderRejected(_, let error, _) = events.first { return refused(error) }
        let orderId = book.takeOrderId()
        book.orders[orderId] = BinanceOrderRecord(
            orderId: orderId, clientOrderId: clientId, symbol: symbol, side: side, type: type, originalType: type, price: price,
            quantity: quantity, reduceOnly: request.reduceOnly, createTime: time, updateTime: time)
        book.live[clientId] = .order(orderId)
        publish(events, positionsBefore: before, time: time)
        let acknowledged = (parameters["newOrderRespType"] ?? "ACK") != "RESULT"
        return LocalResponse(json: BinanceJSON.order(book.orders[orderId]!, asAcknowledged: acknowledged))
    }

    func queryOrder(_ parameters: [String: String]) -> LocalResponse {
        guard let order = findOrder(parameters) else { return .error(400, -2013, "Order does not exist.") }
        return LocalResponse(json: BinanceJSON.order(order))
    }

    func cancelOrder(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        guard let order = findOrder(parameters), order.isOpen else { return .error(400, -2011, "Unknown order sent.") }
        let before = exchange.positions
        let events = exchange.answer(.cancelOrder(identifier: order.clientOrderId, uuid: nil, market: order.symbol), time: time) ?? []
        guard case .cancelAccepted = events.first else { return .error(400, -2011, "Unknown order sent.") }
        publish(events, positionsBefore: before, time: time)
        return LocalResponse(json: BinanceJSON.order(book.orders[order.orderId]!))
    }

    func openOrders(_ symbol: String?) -> LocalResponse {
        let open = book.orders.values.filter { $0.isOpen && (symbol == nil || $0.symbol == symbol) }.sorted { $0.orderId < $1.orderId }
        return LocalResponse(json: "[" + open.map { BinanceJSON.order($0) }.joined(separator: ",") + "]")
    }

    /// By `orderId`, else the newest with `origClientOrderId`, of the symbol asked.
    func findOrder(_ parameters: [String: String]) -> BinanceOrderRecord? {
        let found = parameters["orderId"].flatMap { Int64($0) }.flatMap { book.orders[$0] }
            ?? parameters["origClientOrderId"].flatMap { book.order(clientOrderId: $0) }
        return found?.symbol == parameters["symbol"] ? found : nil
    }

    /// `DELETE /fapi/v1/allOpenOrders`: the symbol's open regular orders (not its algo orders).
    func cancelAllOpenOrders(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        switch self.symbol(parameters) {
        case .success(let symbol): cancelOpenOrders(symbol, time: time)
        case .failure(let refusal): return refusal
        }
        return LocalBinance.cancelAllDone
    }

    static let cancelAllDone = LocalResponse(json: #"{"code":200,"msg":"The operation of cancel all open order is done."}"#)

    /// Cancels the symbol's open regular orders, oldest first, each told on the user stream.
    func cancelOpenOrders(_ symbol: String, time: Milliseconds) {
        for order in book.orders.values.filter({ $0.isOpen && $0.symbol == symbol }).sorted(by: { $0.orderId < $1.orderId }) {
            let before = exchange.positions
            publish(exchange.answer(.cancelOrder(identifier: order.clientOrderId, uuid: nil, market: order.symbol), time: time) ?? [],
                    positionsBefore: before, time: time)
        }
    }

    // MARK: - Dead-man switch

    /// `countdownTime` ms from now, the symbol's open regular orders are cancelled unless called
    /// again; 0 turns it off. (Whether Binance's also cancels algo orders is open, §3.2: not here.)
    func countdownCancelAll(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard let countdown = parameters["countdownTime"].flatMap({ Milliseconds($0) }), countdown >= 0 else {
            return .error(400, -1102, "Mandatory parameter 'countdownTime' was not sent, was empty/null, or malformed.")
        }
        settings.countdowns[symbol] = countdown == 0 ? nil : (time + countdown, countdown)
        return LocalResponse(json: #"{"symbol":"\#(symbol)","countdownTime":"\#(countdown)"}"#)
    }

    /// Cancels the open orders of symbols whose countdown ran out (called every market second).
    func runCountdowns(time: Milliseconds) {
        for (symbol, countdown) in settings.countdowns where countdown.deadline <= time {
            settings.countdowns[symbol] = nil
            cancelOpenOrders(symbol, time: time)
        }
    }
}
