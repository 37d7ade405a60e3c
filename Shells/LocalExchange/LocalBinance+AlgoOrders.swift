import Core
import Shells

/// Conditional (algo) orders (§3.3, §3.5): STOP_MARKET with closePosition on the mark price,
/// held by the `FuturesExchange` as a protective stop; its trigger becomes a child order.
extension LocalBinance {
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

    /// `DELETE /fapi/v1/algoOpenOrders`: the symbol's open algo orders.
    func cancelAllAlgoOrders(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        for algo in book.algos.values.filter({ $0.status == .new && $0.symbol == symbol }).sorted(by: { $0.algoId < $1.algoId }) {
            let before = exchange.positions
            publish(exchange.answer(.cancelOrder(identifier: algo.clientAlgoId, uuid: nil, market: symbol), time: time) ?? [],
                    positionsBefore: before, time: time)
        }
        return LocalBinance.cancelAllDone
    }

    func openAlgoOrders(_ symbol: String?) -> LocalResponse {
        let open = book.algos.values.filter { $0.status == .new && (symbol == nil || $0.symbol == symbol) }.sorted { $0.algoId < $1.algoId }
        return LocalResponse(json: "[" + open.map { BinanceJSON.algo($0, detailed: false) }.joined(separator: ",") + "]")
    }

    func findAlgo(_ parameters: [String: String]) -> BinanceAlgoRecord? {
        parameters["algoId"].flatMap { Int64($0) }.flatMap { book.algos[$0] }
            ?? parameters["clientAlgoId"].flatMap { book.algo(clientAlgoId: $0) }
    }
}
