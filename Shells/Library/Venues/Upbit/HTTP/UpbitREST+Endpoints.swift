import Core

/// The endpoints the bot uses, their answers turned into core values.
extension UpbitREST {
    /// `GET /v1/accounts`.
    public func accounts() -> Outcome<[Balance]> {
        map(request("GET", "/v1/accounts", group: .default, signed: true)) { json in
            try json.elements().map { item in
                Balance(currency: try item.text("currency"),
                        balance: try UpbitREST.plausible(try item.number("balance"), "balance"),
                        locked: try UpbitREST.plausible(item["locked"]?.decimal ?? 0, "locked"))
            }
        }
    }

    /// `GET /v1/orders/chance`: minimum total and fee of a market.
    public func chance(market: String) -> Outcome<MarketRules> {
        map(request("GET", "/v1/orders/chance", query: UpbitQuery([("market", market)]), group: .default, signed: true)) { json in
            MarketRules(market: market, minimumNotional: json["market"]?["bid"]?["min_total"]?.decimal,
                        feeRate: json["bid_fee"]?.decimal)
        }
    }

    /// `POST /v1/orders`. `nonce_used` and `duplicated_identifier` are not refusals of this
    /// order: an earlier copy of it (or of its identifier) may have reached Upbit, so the outcome
    /// is unknown and a query by identifier settles it.
    public func createOrder(_ order: OrderRequest) -> Outcome<OrderUpdate> {
        let outcome = map(request("POST", "/v1/orders", body: UpbitREST.orderBody(order), group: .order, signed: true)) { json in
            try UpbitREST.orderUpdate(json, identifier: order.identifier)
        }
        if case .rejected(let error) = outcome, UpbitREST.mayHaveArrivedBefore.contains(error.name) {
            return .unknown("\(error.name): an earlier copy may have arrived")
        }
        return outcome
    }

    /// Refusals of an order POST that say a copy of it may exist on the exchange.
    static let mayHaveArrivedBefore: Set<String> = ["nonce_used", "duplicated_identifier"]

    /// The body of `POST /v1/orders` (also hashed into the JWT): market buys are `ord_type=price`
    /// with the KRW amount, market sells `ord_type=market` with the volume.
    /// Nil for a request Upbit has no form for (`UpbitOrderShape`).
    public static func orderBody(_ order: OrderRequest) -> UpbitQuery? {
        guard let shape = UpbitOrderShape(order) else { return nil }
        var body: [(String, String)] = [("market", order.market)]
        switch shape {
        case .marketBuy(let amount):
            body += [("side", "bid"), ("ord_type", "price"), ("price", "\(amount)")]
        case .marketSell(let volume):
            body += [("side", "ask"), ("ord_type", "market"), ("volume", "\(volume)")]
        case .limit(let side, let price, let volume):
            body += [("side", side == .buy ? "bid" : "ask"), ("ord_type", "limit"), ("price", "\(price)"),
                     ("volume", "\(volume)")]
        }
        body.append(("identifier", order.identifier))
        return UpbitQuery(body)
    }

    /// `GET /v1/order?identifier=…`: includes `trades`, whose funds are summed.
    public func order(identifier: String) -> Outcome<OrderUpdate> {
        map(request("GET", "/v1/order", query: UpbitQuery([("identifier", identifier)]), group: .default, signed: true)) {
            try UpbitREST.orderUpdate($0, identifier: identifier)
        }
    }

    /// `GET /v1/order?uuid=…`.
    public func order(uuid: String) -> Outcome<OrderUpdate> {
        map(request("GET", "/v1/order", query: UpbitQuery([("uuid", uuid)]), group: .default, signed: true)) {
            try UpbitREST.orderUpdate($0, identifier: $0["identifier"]?.string ?? "")
        }
    }

    /// `GET /v1/ticker?markets=…`: the last trade price of each market.
    public func tickers(markets: [String]) -> Outcome<[Ticker]> {
        map(request("GET", "/v1/ticker", query: UpbitQuery([("markets", markets.joined(separator: ","))]), group: .ticker,
                    signed: false)) { json in
            try json.elements().map { item in
                Ticker(market: try item.text("market"), tradePrice: try item.number("trade_price"),
                       accumulatedTradeVolume24h: item["acc_trade_volume_24h"]?.decimal,
                       time: item["trade_timestamp"]?.integer ?? item["timestamp"]?.integer ?? 0)
            }
        }
    }

    /// `DELETE /v1/order?identifier=…` (the answer still says `wait`: the cancel is accepted).
    public func cancel(identifier: String) -> Outcome<OrderUpdate> {
        map(request("DELETE", "/v1/order", query: UpbitQuery([("identifier", identifier)]), group: .default, signed: true)) {
            try UpbitREST.orderUpdate($0, identifier: identifier)
        }
    }

    /// `GET /v1/orders/open`.
    public func openOrders(market: String? = nil) -> Outcome<[OrderUpdate]> {
        var query: [(String, String)] = market.map { [("market", $0)] } ?? []
        query += [("states[]", "wait"), ("states[]", "watch"), ("limit", "100")]
        return map(request("GET", "/v1/orders/open", query: UpbitQuery(query), group: .default, signed: true)) { json in
            try json.elements().map { try UpbitREST.orderUpdate($0, identifier: $0["identifier"]?.string ?? "") }
        }
    }

    /// `GET /v1/market/all?is_details=true`.
    public func markets() -> Outcome<[MarketListing]> {
        map(request("GET", "/v1/market/all", query: UpbitQuery([("is_details", "true")]), group: .market, signed: false)) { json in
            try json.elements().map { item in
                MarketListing(market: try item.text("market"),
                              warning: item["market_event"]?["warning"]?.bool ?? (item["market_warning"]?.string == "CAUTION"))
            }
        }
    }

    /// `GET /v1/orderbook/instruments`: the tick size of each market.
    public func instruments(markets: [String]) -> Outcome<[MarketRules]> {
        map(request("GET", "/v1/orderbook/instruments", query: UpbitQuery([("markets", markets.joined(separator: ","))]),
                    group: .orderbook, signed: false)) { json in
            try json.elements().map { item in
                MarketRules(market: try item.text("market"), tickSize: item["tick_size"]?.decimal)
            }
        }
    }

    /// `GET /v1/candles/minutes/1`: the newest `count` (at most 200) 1-minute candles.
    public func minuteCandles(market: String, count: Int) -> Outcome<[Candle]> {
        map(request("GET", "/v1/candles/minutes/1", query: UpbitQuery([("market", market), ("count", "\(min(count, 200))")]),
                    group: .candle, signed: false)) { json in
            try json.elements().map { item in
                guard let time = ISOTime.parse(try item.text("candle_date_time_utc")) else {
                    throw MissingField(description: "candle_date_time_utc is not a UTC time")
                }
                return Candle(minute: Time.minute(of: time),
                              open: try item.number("opening_price").doubleValue,
                              high: try item.number("high_price").doubleValue,
                              low: try item.number("low_price").doubleValue,
                              close: try item.number("trade_price").doubleValue,
                              volume: try item.number("candle_acc_trade_volume").doubleValue)
            }
        }
    }

    /// An order object of the exchange API. Executed funds come from `executed_funds` (list
    /// answers, myOrder) or the sum of `trades[].funds` (`GET /v1/order`).
    public static func orderUpdate(_ json: JSONValue, identifier: String) throws -> OrderUpdate {
        let stateText = try json.text("state")
        guard let state = UpbitOrderState(rawValue: stateText) else {
            throw MissingField(description: "unknown order state \(stateText)")
        }
        let trades = json["trades"]?.array ?? []
        guard trades.count <= 100_000 else { throw MissingField(description: "implausible trades: \(trades.count)") }
        let funds = try plausible(try json["executed_funds"]?.decimal
            ?? trades.reduce(Fixed.zero) { $0 + (try plausible(try $1.number("funds"), "trades.funds")) }, "executed_funds")
        let created = json["created_at"]?.string.flatMap(ISOTime.parse) ?? 0
        return OrderUpdate(identifier: json["identifier"]?.string ?? identifier, uuid: json["uuid"]?.string,
                           market: try json.text("market"), state: state.status,
                           executedQuantity: try plausible(json["executed_volume"]?.decimal ?? 0, "executed_volume"),
                           executedQuote: funds,
                           paidFee: try plausible(json["paid_fee"]?.decimal ?? 0, "paid_fee"), time: created)
    }

    /// An amount the books can hold: not negative, not beyond any real account (1e15). An answer
    /// carrying another cannot be trusted: the caller's outcome becomes unknown.
    static func plausible(_ value: Fixed, _ field: String) throws -> Fixed {
        guard !value.isNegative, value <= FrameChecks.maximumAmount else {
            throw MissingField(description: "implausible \(field): \(value)")
        }
        return value
    }

    func map<Value, Mapped>(_ outcome: Outcome<Value>, _ transform: (Value) throws -> Mapped) -> Outcome<Mapped> {
        outcome.map(transform)
    }
}

