import Core
import Shells

/// The REST surface: every route with its security, weight and order count (§3), and the
/// dispatch to its handler.
extension LocalBinance {
    enum Security { case none, apiKey, signed }

    enum Endpoint {
        case time, exchangeInfo, depth, klines, premiumIndex
        case newOrder, queryOrder, cancelOrder, openOrders, cancelAllOpenOrders, allOrders, userTrades
        case newAlgoOrder, queryAlgoOrder, cancelAlgoOrder, openAlgoOrders, cancelAllAlgoOrders
        case countdownCancelAll, leverage, marginType, positionMode, account, positionRisk, commissionRate, income
        case leverageBracket
        case createListenKey, keepListenKey, closeListenKey
    }

    struct Route {
        var endpoint: Endpoint
        var security: Security
        var baseWeight: Int
        /// Weight without `symbol` (list calls over every symbol), when it differs.
        var allSymbolsWeight: Int?
        var orders = 0

        func weight(_ parameters: [String: String]) -> Int {
            if endpoint == .klines {
                let limit = parameters["limit"].flatMap { Int($0) } ?? 500
                return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1_000 ? 5 : 10
            }
            if endpoint == .depth { return LocalBinance.depthWeight(limit: LocalBinance.depthLimit(parameters) ?? 500) }
            if let allSymbolsWeight, parameters["symbol"] == nil { return allSymbolsWeight }
            return baseWeight
        }
    }

    static let routes: [String: Route] = [
        "GET /fapi/v1/time": Route(endpoint: .time, security: .none, baseWeight: 1),
        "GET /fapi/v1/exchangeInfo": Route(endpoint: .exchangeInfo, security: .none, baseWeight: 1),
        "GET /fapi/v1/depth": Route(endpoint: .depth, security: .none, baseWeight: 10),
        "GET /fapi/v1/klines": Route(endpoint: .klines, security: .none, baseWeight: 1),
        "GET /fapi/v1/premiumIndex": Route(endpoint: .premiumIndex, security: .none, baseWeight: 1, allSymbolsWeight: 10),
        "POST /fapi/v1/order": Route(endpoint: .newOrder, security: .signed, baseWeight: 0, orders: 1),
        "GET /fapi/v1/order": Route(endpoint: .queryOrder, security: .signed, baseWeight: 1),
        "DELETE /fapi/v1/order": Route(endpoint: .cancelOrder, security: .signed, baseWeight: 1),
        "GET /fapi/v1/openOrders": Route(endpoint: .openOrders, security: .signed, baseWeight: 1, allSymbolsWeight: 40),
        "DELETE /fapi/v1/allOpenOrders": Route(endpoint: .cancelAllOpenOrders, security: .signed, baseWeight: 1),
        "GET /fapi/v1/allOrders": Route(endpoint: .allOrders, security: .signed, baseWeight: 5),
        "GET /fapi/v1/userTrades": Route(endpoint: .userTrades, security: .signed, baseWeight: 5),
        "POST /fapi/v1/algoOrder": Route(endpoint: .newAlgoOrder, security: .signed, baseWeight: 0, orders: 1),
        "GET /fapi/v1/algoOrder": Route(endpoint: .queryAlgoOrder, security: .signed, baseWeight: 1),
        "DELETE /fapi/v1/algoOrder": Route(endpoint: .cancelAlgoOrder, security: .signed, baseWeight: 1),
        "GET /fapi/v1/openAlgoOrders": Route(endpoint: .openAlgoOrders, security: .signed, baseWeight: 1, allSymbolsWeight: 40),
        "DELETE /fapi/v1/algoOpenOrders": Route(endpoint: .cancelAllAlgoOrders, security: .signed, baseWeight: 1),
        "POST /fapi/v1/countdownCancelAll": Route(endpoint: .countdownCancelAll, security: .signed, baseWeight: 10),
        "POST /fapi/v1/leverage": Route(endpoint: .leverage, security: .signed, baseWeight: 1),
        "POST /fapi/v1/marginType": Route(endpoint: .marginType, security: .signed, baseWeight: 1),
        "GET /fapi/v1/positionSide/dual": Route(endpoint: .positionMode, security: .signed, baseWeight: 30),
        "GET /fapi/v3/account": Route(endpoint: .account, security: .signed, baseWeight: 5),
        "GET /fapi/v3/positionRisk": Route(endpoint: .positionRisk, security: .signed, baseWeight: 5),
        "GET /fapi/v1/commissionRate": Route(endpoint: .commissionRate, security: .signed, baseWeight: 20),
        "GET /fapi/v1/income": Route(endpoint: .income, security: .signed, baseWeight: 30),
        "GET /fapi/v1/leverageBracket": Route(endpoint: .leverageBracket, security: .signed, baseWeight: 1),
        "POST /fapi/v1/listenKey": Route(endpoint: .createListenKey, security: .apiKey, baseWeight: 1),
        "PUT /fapi/v1/listenKey": Route(endpoint: .keepListenKey, security: .apiKey, baseWeight: 1),
        "DELETE /fapi/v1/listenKey": Route(endpoint: .closeListenKey, security: .apiKey, baseWeight: 1),
    ]

    /// The paths the HTTP server registers, with their methods.
    public static var routeList: [(method: String, path: String)] {
        routes.keys.sorted().map { key in
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }
    }

    func dispatch(_ endpoint: Endpoint, _ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        switch endpoint {
        case .time: LocalResponse(json: #"{"serverTime":\#(time)}"#)
        case .exchangeInfo: exchangeInfo(time: time)
        case .depth: depth(parameters, time: time)
        case .klines: klines(parameters)
        case .premiumIndex: premiumIndex(parameters["symbol"], time: time)
        case .newOrder: newOrder(parameters, time: time)
        case .queryOrder: queryOrder(parameters)
        case .cancelOrder: cancelOrder(parameters, time: time)
        case .openOrders: openOrders(parameters["symbol"])
        case .cancelAllOpenOrders: cancelAllOpenOrders(parameters, time: time)
        case .allOrders: allOrders(parameters, time: time)
        case .userTrades: userTrades(parameters, time: time)
        case .newAlgoOrder: newAlgoOrder(parameters, time: time)
        case .queryAlgoOrder: queryAlgoOrder(parameters)
        case .cancelAlgoOrder: cancelAlgoOrder(parameters, time: time)
        case .openAlgoOrders: openAlgoOrders(parameters["symbol"])
        case .cancelAllAlgoOrders: cancelAllAlgoOrders(parameters, time: time)
        case .countdownCancelAll: countdownCancelAll(parameters, time: time)
        case .leverage: setLeverage(parameters)
        case .marginType: setMarginType(parameters)
        case .positionMode: LocalResponse(json: #"{"dualSidePosition":false}"#)
        case .account: account(time: time)
        case .positionRisk: positionRisk(parameters["symbol"], time: time)
        case .commissionRate: commissionRate(parameters["symbol"])
        case .income: income(parameters, time: time)
        case .leverageBracket: leverageBrackets(parameters)
        case .createListenKey: createListenKey(time: time)
        case .keepListenKey: keepListenKey(time: time)
        case .closeListenKey: closeListenKey()
        }
    }

    /// A symbol the server trades, or Binance's -1121.
    func symbol(_ parameters: [String: String]) -> Result<String, LocalResponse> {
        guard let symbol = parameters["symbol"] else {
            return .failure(.error(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."))
        }
        guard instruments[symbol] != nil else { return .failure(.error(400, -1121, "Invalid symbol.")) }
        return .success(symbol)
    }
}
