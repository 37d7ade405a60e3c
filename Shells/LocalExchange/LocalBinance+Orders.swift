import Core
import Shells

/// Regular and algo orders (§3.2–§3.5): Binance's parameters checked and mapped to the core's
/// `OrderRequest`, executed by the `FuturesExchange`, answered in Binance's shapes.
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

    // MARK: - Algo orders

    /// Only what surge uses is simulated: STOP_MARKET, closePosition=true, workingType=MARK_PRICE.
    func newAlgoOrder(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        guard parameters["algoType"] == "CONDITIONAL" else { return .error(400, -1102, "Parameter 'algoType' must be CONDITIONAL.") }
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard let side = LocalBinance.side(parameters["side"]) else { return .error(400, -1102, "Parameter 'side' is missing or invalid.") }
        guard parameters["type"] == "STOP_MARKET" else {
            return .error(400, -1116, "Invalid orderType (the local server simulates STOP_MARKET only).")
        }
        guard parameters["closePosition"] == "true" else {
            return .error(400, -1102, "The local server simulates closePosition=true stops only.")
        }
        if parameters["quantity"] != nil || parameters["reduceOnly"] != nil {
            return .error(400, -1106, "Parameter 'quantity' or 'reduceOnly' sent with closePosition.")
        }
        guard parameters["workingType"] == "MARK_PRICE" else {
            return .error(400, -1102, "The local server simulates workingType=MARK_PRICE only.")
        }
        let instrument = instruments[symbol]!
        let trigger: Fixed
        switch LocalBinance.price(parameters["triggerPrice"], instrument) {
        case .success(let value): trigger = value
        case .failure(let refusal): return refusal
        }
        if let mark = exchange.markPrices[symbol], side == .sell ? trigger >= mark : trigger <= mark {
            return .error(400, -2021, "Order would immediately trigger.")
        }
        let clientId: String
        switch clientIdentifier(parameters["clientAlgoId"]) {
        case .success(let identifier): clientId = identifier
        case .failure(let refusal): return refusal
        }
        // closePosition closes whatever is held at the trigger: the size here only passes the check
        let held = exchange.positions[symbol]?.quantity.magnitude ?? 0
        let request = OrderRequest(identifier: clientId, market: symbol, side: side, kind: .protectiveStop(trigger: trigger),
                                   size: .quantity(held.isPositive ? held : instrument.quantityStep))
        let before = exchange.positions
        let events = exchange.answer(.placeOrder(request), time: time) ?? []
        if case .orderRejected(_, let error, _) = events.first { return refused(error) }
        let algoId = book.nextAlgoId
        book.nextAlgoId += 1
        book.algos[algoId] = BinanceAlgoRecord(algoId: algoId, clientAlgoId: clientId, symbol: symbol, side: side,
                                               triggerPrice: trigger, createTime: time, updateTime: time)
        book.live[clientId] = .algo(algoId)
        publish(events, positionsBefore: before, time: time)
        return LocalResponse(json: BinanceJSON.algo(book.algos[algoId]!, detailed: false))
    }

    func queryAlgoOrder(_ parameters: [String: String]) -> LocalResponse {
        guard let algo = findAlgo(parameters) else { return .error(400, -2013, "Order does not exist.") }
        return LocalResponse(json: BinanceJSON.algo(algo, detailed: true))
    }

    func cancelAlgoOrder(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        guard let algo = findAlgo(parameters), algo.status == .new else { return .error(400, -2011, "Unknown order sent.") }
        let before = exchange.positions
        let events = exchange.answer(.cancelOrder(identifier: algo.clientAlgoId, uuid: nil, market: algo.symbol), time: time) ?? []
        guard case .cancelAccepted = events.first else { return .error(400, -2011, "Unknown order sent.") }
        publish(events, positionsBefore: before, time: time)
        return LocalResponse(json: #"{"algoId":\#(algo.algoId),"clientAlgoId":"\#(algo.clientAlgoId)","code":"200","msg":"success"}"#)
    }

    func openAlgoOrders(_ symbol: String?) -> LocalResponse {
        let open = book.algos.values.filter { $0.status == .new && (symbol == nil || $0.symbol == symbol) }.sorted { $0.algoId < $1.algoId }
        return LocalResponse(json: "[" + open.map { BinanceJSON.algo($0, detailed: false) }.joined(separator: ",") + "]")
    }

    func findAlgo(_ parameters: [String: String]) -> BinanceAlgoRecord? {
        parameters["algoId"].flatMap { Int64($0) }.flatMap { book.algos[$0] }
            ?? parameters["clientAlgoId"].flatMap { book.algo(clientAlgoId: $0) }
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
            for order in book.orders.values.filter({ $0.isOpen && $0.symbol == symbol }).sorted(by: { $0.orderId < $1.orderId }) {
                let before = exchange.positions
                publish(exchange.answer(.cancelOrder(identifier: order.clientOrderId, uuid: nil, market: order.symbol), time: time) ?? [],
                        positionsBefore: before, time: time)
            }
        }
    }

    // MARK: - Parameters

    static func side(_ text: String?) -> Side? {
        switch text {
        case "BUY": .buy
        case "SELL": .sell
        default: nil
        }
    }

    /// A quantity on the symbol's step and within its bounds (-1111, -4003, -4004, -4005).
    static func quantity(_ text: String?, _ instrument: Instrument) -> Result<Fixed, LocalResponse> {
        guard let text, let value = Fixed(text) else {
            return .failure(.error(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."))
        }
        guard value.isPositive else { return .failure(.error(400, -4003, "Quantity less than or equal to zero.")) }
        guard value.floored(toMultipleOf: instrument.quantityStep) == value else {
            return .failure(.error(400, -1111, "Precision is over the maximum defined for this asset."))
        }
        guard value >= instrument.minimumQuantity else { return .failure(.error(400, -4004, "Quantity less than minimum quantity.")) }
        if value > instrument.maximumQuantity {
            return .failure(.error(400, -4005, "Quantity greater than maximum quantity."))
        }
        return .success(value)
    }

    /// A positive price on the tick grid (-4013, -4014).
    static func price(_ text: String?, _ instrument: Instrument) -> Result<Fixed, LocalResponse> {
        guard let text, let value = Fixed(text) else {
            return .failure(.error(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."))
        }
        guard value.isPositive else { return .failure(.error(400, -4013, "Price less than min price.")) }
        let tick = instrument.tickScheme.tick(for: value)
        guard value.floored(toMultipleOf: tick) == value else { return .failure(.error(400, -4014, "Price not increased by tick size.")) }
        return .success(value)
    }

    /// The client's id when valid (-4015), else one made up as Binance does.
    func clientIdentifier(_ text: String?) -> Result<String, LocalResponse> {
        guard let text else {
            defer { book.nextGeneratedClientId += 1 }
            return .success("local-\(book.nextGeneratedClientId)")
        }
        let bytes = text.utf8
        let valid = (1...36).contains(bytes.count) && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || [UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(byte)
        }
        return valid ? .success(text) : .failure(.error(400, -4015, "Client order id is not valid."))
    }

    /// The exchange's refusal names as Binance's codes (§5).
    func refused(_ error: String) -> LocalResponse {
        let (code, message): (Int, String) = switch error {
        case "duplicated_client_order_id": (-4116, "ClientOrderId is duplicated.")
        case "invalid_quantity": (-4003, "Quantity less than or equal to zero.")
        case "reduce_only_rejected": (-2022, "ReduceOnly Order is rejected.")
        case "min_notional": (-4164, "Order's notional must be no smaller than 5 (unless you choose reduce only).")
        case "insufficient_margin": (-2019, "Margin is insufficient.")
        default: (-2010, "New order rejected: \(error).")
        }
        orderRefusals[code, default: 0] += 1
        return .error(400, code, message)
    }
}
