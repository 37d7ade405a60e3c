import Core

/// Orders: regular ones (`/fapi/v1/order`) and the protective stop (`/fapi/v1/algoOrder`).
extension BinanceREST {
    /// `POST /fapi/v1/order`: MARKET by quantity (with `newOrderRespType=RESULT`, so the answer
    /// carries the fill) or LIMIT GTC; reduce-only when asked. Checked before sending: the client
    /// id, the symbol, and the decimals against the instrument's step and tick (refused here,
    /// never rounded). -4116 (an open order has this id) means an earlier copy arrived: unknown.
    public func placeOrder(_ order: OrderRequest, instrument: Instrument) -> Outcome<OrderUpdate> {
        let parameters: BinanceQuery
        switch BinanceREST.orderParameters(order, instrument: instrument) {
        case .success(let built): parameters = built
        case .failure(let error): return .rejected(error)
        }
        let outcome = map(request(BinanceREST.newOrder, parameters)) {
            try BinanceREST.orderUpdate($0, fillsRequired: false)
        }
        if case .rejected(let error) = outcome, error.code == -4116 {
            return .unknown("duplicated_client_order_id: an earlier copy arrived")
        }
        return outcome
    }

    /// The parameters of `POST /fapi/v1/order`, in the order signed and sent.
    public static func orderParameters(_ order: OrderRequest, instrument: Instrument) -> Result<BinanceQuery, BinanceError> {
        guard BinanceChecks.isValidClientId(order.identifier) else {
            return .failure(.local("invalid_client_id", "client ids are 1-36 of [.A-Z:/a-z0-9_-]"))
        }
        guard (try? BinanceChecks.symbol(order.market)) != nil else { return .failure(.local("invalid_symbol", order.market)) }
        guard case .quantity(let quantity) = order.size, quantity.isPositive,
              let quantityText = BinanceDecimal.text(quantity, step: instrument.quantityStep) else {
            return .failure(.local("invalid_quantity", "a positive quantity on the step \(instrument.quantityStep)"))
        }
        var parameters = BinanceQuery([("symbol", order.market), ("side", BinanceSide.text(order.side))])
        switch order.kind {
        case .market:
            parameters.append("type", "MARKET")
            parameters.append("quantity", quantityText)
        case .limit(let price):
            guard price.isPositive, let priceText = BinanceDecimal.text(price, step: instrument.tickScheme.tick(for: price)) else {
                return .failure(.local("invalid_price", "a positive price on the tick grid"))
            }
            parameters.items += [("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", quantityText), ("price", priceText)]
        case .protectiveStop:
            return .failure(.local("not_a_regular_order", "protective stops go to /fapi/v1/algoOrder"))
        }
        if order.reduceOnly { parameters.append("reduceOnly", "true") }
        parameters.append("newClientOrderId", order.identifier)
        if case .market = order.kind { parameters.append("newOrderRespType", "RESULT") }
        return .success(parameters)
    }

    /// `GET /fapi/v1/order?origClientOrderId=…`. -2013 is `no_such_order` (which, for orders
    /// cancelled without fills more than 3 days ago, does not prove the order never existed).
    public func order(symbol: String, clientOrderId: String) -> Outcome<OrderUpdate> {
        guard BinanceChecks.isValidClientId(clientOrderId) else { return .rejected(.local("invalid_client_id", clientOrderId)) }
        return map(request(BinanceREST.queryOrder, BinanceQuery([("symbol", symbol), ("origClientOrderId", clientOrderId)]))) {
            try BinanceREST.orderUpdate($0, fillsRequired: true)
        }
    }

    /// `DELETE /fapi/v1/order?origClientOrderId=…`: the order as cancelled (with what it filled).
    public func cancelOrder(symbol: String, clientOrderId: String) -> Outcome<OrderUpdate> {
        guard BinanceChecks.isValidClientId(clientOrderId) else { return .rejected(.local("invalid_client_id", clientOrderId)) }
        return map(request(BinanceREST.cancelOrder, BinanceQuery([("symbol", symbol), ("origClientOrderId", clientOrderId)]))) {
            try BinanceREST.orderUpdate($0, fillsRequired: false)
        }
    }

    /// `GET /fapi/v1/openOrders` (one symbol, or all at weight 40).
    public func openOrders(symbol: String? = nil) -> Outcome<[OrderUpdate]> {
        map(request(BinanceREST.openOrders(all: symbol == nil), BinanceQuery(symbol.map { [("symbol", $0)] } ?? []))) { json in
            let items = try json.elements()
            guard items.count <= 10_000 else { throw MissingField(description: "implausible open orders: \(items.count)") }
            return try items.map { try BinanceREST.orderUpdate($0, fillsRequired: true) }
        }
    }

    /// `POST /fapi/v1/algoOrder`: a STOP_MARKET that closes the whole position when the mark
    /// price crosses the trigger (`closePosition=true`, `workingType=MARK_PRICE`).
    public func placeProtectiveStop(_ order: OrderRequest, instrument: Instrument) -> Outcome<BinanceAlgoOrder> {
        switch BinanceREST.protectiveStopParameters(order, instrument: instrument) {
        case .success(let parameters):
            let outcome = map(request(BinanceREST.newAlgoOrder, parameters)) { try BinanceREST.algoOrder($0) }
            if case .rejected(let error) = outcome, error.code == -4116 {
                return .unknown("duplicated_client_order_id: an earlier copy arrived")
            }
            return outcome
        case .failure(let error):
            return .rejected(error)
        }
    }

    public static func protectiveStopParameters(_ order: OrderRequest, instrument: Instrument) -> Result<BinanceQuery, BinanceError> {
        guard BinanceChecks.isValidClientId(order.identifier) else {
            return .failure(.local("invalid_client_id", "client ids are 1-36 of [.A-Z:/a-z0-9_-]"))
        }
        guard (try? BinanceChecks.symbol(order.market)) != nil else { return .failure(.local("invalid_symbol", order.market)) }
        guard case .protectiveStop(let trigger) = order.kind, trigger.isPositive,
              let triggerText = BinanceDecimal.text(trigger, step: instrument.tickScheme.tick(for: trigger)) else {
            return .failure(.local("invalid_price", "a positive trigger on the tick grid"))
        }
        return .success(BinanceQuery([
            ("algoType", "CONDITIONAL"), ("symbol", order.market), ("side", BinanceSide.text(order.side)),
            ("type", "STOP_MARKET"), ("triggerPrice", triggerText), ("closePosition", "true"),
            ("workingType", "MARK_PRICE"), ("clientAlgoId", order.identifier),
        ]))
    }

    /// `GET /fapi/v1/algoOrder?clientAlgoId=…`.
    public func algoOrder(clientAlgoId: String) -> Outcome<BinanceAlgoOrder> {
        guard BinanceChecks.isValidClientId(clientAlgoId) else { return .rejected(.local("invalid_client_id", clientAlgoId)) }
        return map(request(BinanceREST.queryAlgoOrder, BinanceQuery([("clientAlgoId", clientAlgoId)]))) { try BinanceREST.algoOrder($0) }
    }

    /// `DELETE /fapi/v1/algoOrder?clientAlgoId=…`: accepted when Binance answers 2xx.
    public func cancelAlgoOrder(clientAlgoId: String) -> Outcome<Void> {
        guard BinanceChecks.isValidClientId(clientAlgoId) else { return .rejected(.local("invalid_client_id", clientAlgoId)) }
        return map(request(BinanceREST.cancelAlgoOrder, BinanceQuery([("clientAlgoId", clientAlgoId)]))) { _ in }
    }

    /// `GET /fapi/v1/openAlgoOrders`.
    public func openAlgoOrders(symbol: String? = nil) -> Outcome<[BinanceAlgoOrder]> {
        map(request(BinanceREST.openAlgoOrders(all: symbol == nil), BinanceQuery(symbol.map { [("symbol", $0)] } ?? []))) { json in
            let items = try json.elements()
            guard items.count <= 10_000 else { throw MissingField(description: "implausible open algo orders: \(items.count)") }
            return try items.map { try BinanceREST.algoOrder($0) }
        }
    }

    /// `POST /fapi/v1/countdownCancelAll`: the dead-man switch (0 turns it off).
    public func countdownCancelAll(symbol: String, countdownMilliseconds: Int) -> Outcome<Void> {
        map(request(BinanceREST.countdownCancelAll,
                    BinanceQuery([("symbol", symbol), ("countdownTime", "\(max(0, countdownMilliseconds))")]))) { _ in }
    }
}

/// Looking orders up without their symbol, and their commission (REST order answers carry none).
extension BinanceREST {
    public static let allOrders = Endpoint("GET", "/fapi/v1/allOrders", .signed, weight: 5)
    public static let userTrades = Endpoint("GET", "/fapi/v1/userTrades", .signed, weight: 5)

    /// `GET /fapi/v1/allOrders` without a symbol (allowed since 2026-08-25): the newest order with
    /// this client id among the account's last 1,000, nil when none has it. For a lost entry,
    /// whose symbol the bot does not know.
    public func findOrder(clientOrderId: String) -> Outcome<OrderUpdate?> {
        guard BinanceChecks.isValidClientId(clientOrderId) else { return .rejected(.local("invalid_client_id", clientOrderId)) }
        return map(request(BinanceREST.allOrders, BinanceQuery([("limit", "1000")]))) { json in
            let items = try json.elements()
            guard items.count <= 1_000 else { throw MissingField(description: "implausible order history: \(items.count)") }
            let matching = items.filter { $0["clientOrderId"]?.string == clientOrderId }
            let newest = matching.max { ($0["orderId"]?.integer ?? 0) < ($1["orderId"]?.integer ?? 0) }
            return try newest.map { try BinanceREST.orderUpdate($0, fillsRequired: true) }
        }
    }

    /// `GET /fapi/v1/userTrades?symbol=…&orderId=…`: the order's commission paid in USDT (a fee
    /// paid in BNB does not come out of the USDT cash), and the quantity those trades filled.
    public func commission(symbol: String, orderId: Int64) -> Outcome<(fee: Fixed, quantity: Fixed)> {
        map(request(BinanceREST.userTrades, BinanceQuery([("symbol", symbol), ("orderId", "\(orderId)"), ("limit", "1000")]))) { json in
            let items = try json.elements()
            guard items.count <= 1_000 else { throw MissingField(description: "implausible trade list: \(items.count)") }
            var fee: Fixed = 0
            var quantity: Fixed = 0
            for item in items where item["orderId"]?.integer == orderId {
                quantity += try BinanceChecks.amount(item["qty"]?.decimal, field: "qty")
                guard (item["commissionAsset"]?.string ?? BinanceVenue.quoteAsset) == BinanceVenue.quoteAsset else { continue }
                fee += try BinanceChecks.amount(item["commission"]?.decimal, field: "commission")
            }
            return (fee, quantity)
        }
    }
}
