import Core

/// The endpoints the bot uses (binance-futures.md §3), with their weights and order counts.
extension BinanceREST {
    public static let serverTime = Endpoint("GET", "/fapi/v1/time", .none, weight: 1)
    public static let exchangeInformation = Endpoint("GET", "/fapi/v1/exchangeInfo", .none, weight: 1)
    public static let premiumIndex = Endpoint("GET", "/fapi/v1/premiumIndex", .none, weight: 1)
    public static let newOrder = Endpoint("POST", "/fapi/v1/order", .signed, weight: 0, orders: 1)
    public static let queryOrder = Endpoint("GET", "/fapi/v1/order", .signed, weight: 1)
    public static let cancelOrder = Endpoint("DELETE", "/fapi/v1/order", .signed, weight: 1)
    public static let newAlgoOrder = Endpoint("POST", "/fapi/v1/algoOrder", .signed, weight: 0, orders: 1)
    public static let queryAlgoOrder = Endpoint("GET", "/fapi/v1/algoOrder", .signed, weight: 1)
    public static let cancelAlgoOrder = Endpoint("DELETE", "/fapi/v1/algoOrder", .signed, weight: 1)
    public static let positionRisk = Endpoint("GET", "/fapi/v3/positionRisk", .signed, weight: 5)
    public static let account = Endpoint("GET", "/fapi/v3/account", .signed, weight: 5)
    public static let leverage = Endpoint("POST", "/fapi/v1/leverage", .signed, weight: 1)
    public static let marginType = Endpoint("POST", "/fapi/v1/marginType", .signed, weight: 1)
    public static let positionMode = Endpoint("GET", "/fapi/v1/positionSide/dual", .signed, weight: 30)
    public static let commissionRate = Endpoint("GET", "/fapi/v1/commissionRate", .signed, weight: 20)
    public static let income = Endpoint("GET", "/fapi/v1/income", .signed, weight: 30)
    public static let leverageBracket = Endpoint("GET", "/fapi/v1/leverageBracket", .signed, weight: 1)
    public static let countdownCancelAll = Endpoint("POST", "/fapi/v1/countdownCancelAll", .signed, weight: 10)
    public static let createListenKey = Endpoint("POST", "/fapi/v1/listenKey", .apiKey, weight: 1)
    public static let keepListenKeyAlive = Endpoint("PUT", "/fapi/v1/listenKey", .apiKey, weight: 1)
    public static let closeListenKey = Endpoint("DELETE", "/fapi/v1/listenKey", .apiKey, weight: 1)

    /// Open orders: 1 for one symbol, 40 for all.
    public static func openOrders(all: Bool) -> Endpoint {
        Endpoint("GET", "/fapi/v1/openOrders", .signed, weight: all ? 40 : 1)
    }

    public static func openAlgoOrders(all: Bool) -> Endpoint {
        Endpoint("GET", "/fapi/v1/openAlgoOrders", .signed, weight: all ? 40 : 1)
    }

    /// Klines weigh by the number of rows asked for.
    public static func klines(limit: Int) -> Endpoint {
        let weight = limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1_000 ? 5 : 10
        return Endpoint("GET", "/fapi/v1/klines", .none, weight: weight)
    }

    // MARK: Market data

    /// `GET /fapi/v1/exchangeInfo`: the tradable USDT perpetuals and the rate limits (adopted by
    /// the budget at once).
    public func exchangeInfo(maximumLeverage: [String: Int] = [:]) -> Outcome<BinanceExchangeInfo> {
        let outcome = map(request(BinanceREST.exchangeInformation)) { try BinanceExchangeInfo.parse($0, maximumLeverage: maximumLeverage) }
        if case .success(let info) = outcome { budget.adopt(info.rateLimits) }
        return outcome
    }

    /// `GET /fapi/v1/klines?interval=1m`: the newest `count` (1…1500) 1-minute candles, oldest
    /// first, the one still forming included (as Upbit's candle answer).
    public func minuteCandles(symbol: String, count: Int) -> Outcome<[Candle]> {
        let limit = min(max(count, 1), 1_500)
        return map(request(BinanceREST.klines(limit: limit),
                           BinanceQuery([("symbol", symbol), ("interval", "1m"), ("limit", "\(limit)")]))) {
            try BinanceREST.candles($0)
        }
    }

    /// `GET /fapi/v1/premiumIndex?symbol=…`: mark price and funding.
    public func markPrice(symbol: String) -> Outcome<BinanceMarkPrice> {
        map(request(BinanceREST.premiumIndex, BinanceQuery([("symbol", symbol)]))) { try BinanceREST.markPrice($0) }
    }

    // MARK: Account and configuration

    /// `GET /fapi/v3/account`: USDT cash and position sizes.
    public func accountSnapshot() -> Outcome<AccountSnapshot> {
        map(request(BinanceREST.account)) { try BinanceREST.accountSnapshot($0) }
    }

    /// `GET /fapi/v3/positionRisk`.
    public func positions(symbol: String? = nil) -> Outcome<[BinancePosition]> {
        map(request(BinanceREST.positionRisk, BinanceQuery(symbol.map { [("symbol", $0)] } ?? []))) {
            try BinanceREST.positions($0)
        }
    }

    /// `POST /fapi/v1/leverage`: the leverage Binance set.
    public func setLeverage(symbol: String, leverage: Int) -> Outcome<Int> {
        map(request(BinanceREST.leverage, BinanceQuery([("symbol", symbol), ("leverage", "\(leverage)")]))) { json in
            guard let set = json["leverage"]?.integer, (1...1_000).contains(set) else {
                throw MissingField(description: "missing leverage")
            }
            return Int(set)
        }
    }

    /// `POST /fapi/v1/marginType` (ISOLATED or CROSSED); "already set" (-4046) is a success.
    public func setMarginType(symbol: String, isolated: Bool) -> Outcome<Void> {
        map(request(BinanceREST.marginType, BinanceQuery([("symbol", symbol), ("marginType", isolated ? "ISOLATED" : "CROSSED")]))) { _ in }
    }

    /// `GET /fapi/v1/positionSide/dual`: true in hedge mode (the bot needs one-way: false).
    public func isHedgeMode() -> Outcome<Bool> {
        map(request(BinanceREST.positionMode)) { json in
            guard let dual = json["dualSidePosition"]?.bool else { throw MissingField(description: "missing dualSidePosition") }
            return dual
        }
    }

    /// `GET /fapi/v1/commissionRate`: the account's maker and taker rates for a symbol.
    public func commissionRate(symbol: String) -> Outcome<BinanceCommission> {
        map(request(BinanceREST.commissionRate, BinanceQuery([("symbol", symbol)]))) { json in
            let maker = try BinanceChecks.amount(json["makerCommissionRate"]?.decimal, field: "makerCommissionRate")
            let taker = try BinanceChecks.amount(json["takerCommissionRate"]?.decimal, field: "takerCommissionRate")
            guard maker < 1, taker < 1 else { throw MissingField(description: "implausible commission rate") }
            return BinanceCommission(maker: maker, taker: taker)
        }
    }

    /// `GET /fapi/v1/leverageBracket`: every symbol's brackets, lowest notional first.
    public func leverageBrackets() -> Outcome<[String: [BinanceBracket]]> {
        map(request(BinanceREST.leverageBracket)) { try BinanceREST.brackets($0) }
    }

    /// `GET /fapi/v1/income?incomeType=FUNDING_FEE`: the funding one symbol paid (negative) or
    /// received between two times, a line per settlement.
    public func funding(symbol: String, from start: Milliseconds, to end: Milliseconds) -> Outcome<[BinanceFunding]> {
        let query = BinanceQuery([("symbol", symbol), ("incomeType", "FUNDING_FEE"), ("startTime", "\(start)"),
                                  ("endTime", "\(end)"), ("limit", "100")])
        return map(request(BinanceREST.income, query)) { try BinanceREST.funding($0) }
    }

    // MARK: User data stream

    /// `POST /fapi/v1/listenKey`: a new key, or the active one extended.
    public func createListenKey() -> Outcome<String> {
        map(request(BinanceREST.createListenKey)) { try BinanceREST.listenKey($0) }
    }

    /// `PUT /fapi/v1/listenKey`: 60 more minutes (-1125: the key is gone, create a new one).
    public func keepListenKeyAlive() -> Outcome<Void> {
        map(request(BinanceREST.keepListenKeyAlive)) { _ in }
    }

    /// `DELETE /fapi/v1/listenKey`.
    public func closeListenKey() -> Outcome<Void> {
        map(request(BinanceREST.closeListenKey)) { _ in }
    }

    static func listenKey(_ json: JSONValue) throws -> String {
        guard let key = json["listenKey"]?.string, (1...128).contains(key.utf8.count),
              key.utf8.allSatisfy({ BinanceChecks.isUpperOrDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) })
        else { throw MissingField(description: "missing listenKey") }
        return key
    }
}

/// The account's fee rates for a symbol (fractions of the notional).
public struct BinanceCommission: Equatable, Sendable {
    public var maker: Fixed
    public var taker: Fixed
}
