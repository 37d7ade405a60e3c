import Core
import Foundation
import Shells

/// The local Upbit: balances and orders (`SimulatedExchange`), a generated market played in real
/// time, its candles and tickers, and the sockets that watch it. REST requests arrive as
/// `LocalRequest`s and leave as `LocalResponse`s shaped as Upbit's.
public actor LocalUpbit {
    public struct Options: Sendable {
        public var accessKey = "local-access-key"
        public var secretKey = "local-secret-key"
        public var krw: Fixed = 10_000_000
        public var feeRate: Fixed = Fixed("0.0005")!
        public var seed: UInt64 = 1
        public var markets = 20
        /// Market history generated before the server opens (for the candles endpoint).
        public var historyMinutes = 60
        public var secondsBetweenSurges = 10_800
        /// Market seconds per wall-clock second.
        public var speed = 1.0
        /// Lines of a recording to play instead of a generated market (looped, times shifted).
        public var recording: [String]?
        /// Server-side request budgets (Upbit's); 429 past them.
        public var enforceRateLimits = true

        public init() {}
    }

    public let options: Options
    var exchange: SimulatedExchange
    var auth: LocalAuth
    public var faults = Faults()
    var generator: any MarketFeed
    let limiter: RateLimiter
    var candles: [String: CandleBook] = [:]
    var lastTrades: [String: Trade] = [:]
    var publicSockets: [Int: PublicSocket] = [:]
    var privateSockets: [Int: AsyncStream<String>.Continuation] = [:]
    var nextSocketId = 1
    /// Every REST request, "METHOD /path", in arrival order (for tests and the operator).
    public private(set) var requestLog: [String] = []
    /// Orders refused because their identifier was used before (a bot must never cause one).
    public private(set) var duplicateIdentifierAttempts = 0
    /// The market's clock once the feed runs: a bot trading a market played faster than real time
    /// reads this clock (`LiveDriver.Setup.clock`).
    public internal(set) var clock = DriverClock.wall
    /// Orders refused, by Upbit error name.
    public private(set) var orderRefusals: [String: Int] = [:]
    /// REST requests and WebSocket handshakes that carried an `Origin` header (a bot never should).
    public private(set) var originRequests = 0
    private var lastOriginAt: Double?

    public init(options: Options = Options(), now: Milliseconds) throws {
        self.options = options
        exchange = SimulatedExchange(krw: options.krw, feeRate: options.feeRate)
        auth = LocalAuth(accessKey: options.accessKey, secretKey: options.secretKey)
        let start = (now / 1_000 - Int64(options.historyMinutes) * 60) * 1_000
        if let recording = options.recording {
            generator = try RecordingFeed(lines: recording, startTime: start)
        } else {
            generator = MarketGenerator(seed: options.seed, markets: options.markets, startTime: start,
                                        secondsBetweenSurges: options.secondsBetweenSurges)
        }
        limiter = RateLimiter()
    }

    public func setFaults(_ faults: Faults) { self.faults = faults }

    // MARK: - REST

    public func handle(_ request: LocalRequest) -> LocalResponse {
        requestLog.append("\(request.method) \(request.path)")
        if faults.tooManyRequests > 0 {
            faults.tooManyRequests -= 1
            return LocalResponse(status: 429, body: "Too many API requests.", contentType: "text/plain")
        }
        if faults.serverErrors > 0 {
            faults.serverErrors -= 1
            return LocalResponse(status: 500, body: #"{"error":{"name":"server_error","message":"injected"}}"#)
        }
        if request.path == "/v1/candles/minutes/1", faults.failedCandleFetches > 0 {
            faults.failedCandleFetches -= 1
            return LocalResponse(status: 502, body: "<html>502 Bad Gateway</html>", contentType: "text/html")
        }
        let group = LocalUpbit.group(of: request)
        if request.origin != nil, LocalUpbit.quotationGroups.contains(group), !admitOrigin() {
            return LocalResponse(status: 429, body: "Too many API requests.", contentType: "text/plain")
        }
        if options.enforceRateLimits, !limiter.admit(group) {
            return LocalResponse(status: 429, body: "Too many API requests.", contentType: "text/plain")
        }
        var response = route(request)
        response.headers.append(("Remaining-Req", "group=\(group.rawValue); min=1800; sec=\(Int(group.defaultRate) - 1)"))
        if faults.delayMilliseconds > 0 { response.holdSeconds += Double(faults.delayMilliseconds) / 1_000 }
        return response
    }

    static let quotationGroups: Set<RateLimiter.Group> = [.market, .candle, .trade, .ticker, .orderbook]

    /// Upbit allows requests carrying `Origin` (browser-style) once per 10 s, for quotation REST
    /// and WebSocket handshakes alike (upbit-api.md §4). Counts every one.
    public func admitOrigin() -> Bool {
        originRequests += 1
        let now = RateLimiter.monotonicSeconds()
        if let last = lastOriginAt, now - last < 10 { return false }
        lastOriginAt = now
        return true
    }

    private func route(_ request: LocalRequest) -> LocalResponse {
        switch (request.method, request.path) {
        case ("GET", "/v1/market/all"): return marketList()
        case ("GET", "/v1/orderbook/instruments"): return instruments(request.parameter("markets"))
        case ("GET", "/v1/candles/minutes/1"): return minuteCandles(request)
        case ("GET", "/v1/ticker"): return tickers(request.parameter("markets"))
        case ("GET", "/v1/accounts"), ("GET", "/v1/orders/chance"), ("POST", "/v1/orders"), ("GET", "/v1/order"),
             ("DELETE", "/v1/order"), ("GET", "/v1/orders/open"):
            do {
                try auth.verify(authorization: request.authorization, parameters: request.hashedParameters)
            } catch {
                return .error(401, error.name, error.message)
            }
            return exchangeRoute(request)
        default:
            return .error(404, "not_found", "no route \(request.method) \(request.path)")
        }
    }

    private func exchangeRoute(_ request: LocalRequest) -> LocalResponse {
        switch (request.method, request.path) {
        case ("GET", "/v1/accounts"): return LocalResponse(json: LocalJSON.balances(exchange.balances))
        case ("GET", "/v1/orders/chance"): return chance(request.parameter("market"))
        case ("POST", "/v1/orders"): return createOrder(request)
        case ("GET", "/v1/order"): return order(request)
        case ("DELETE", "/v1/order"): return cancel(request)
        default: return openOrders(request.parameter("market"))
        }
    }

    static func group(of request: LocalRequest) -> RateLimiter.Group {
        switch request.path {
        case "/v1/market/all": .market
        case "/v1/candles/minutes/1": .candle
        case "/v1/ticker": .ticker
        case "/v1/orderbook/instruments": .orderbook
        case "/v1/orders" where request.method == "POST": .order
        default: .default
        }
    }

    // MARK: Quotation

    private func marketList() -> LocalResponse {
        LocalResponse(json: "[" + generator.marketCodes.map {
            #"{"market":"\#($0)","korean_name":"\#($0)","english_name":"\#($0)","market_event":{"warning":false,"caution":{}}}"#
        }.joined(separator: ",") + "]")
    }

    private func instruments(_ markets: String?) -> LocalResponse {
        let codes = (markets ?? "").split(separator: ",").map(String.init).filter { lastTrades[$0] != nil }
        return LocalResponse(json: "[" + codes.map { code in
            let tick = UpbitVenue.krwTicks.tick(for: lastTrades[code]!.price)
            return #"{"market":"\#(code)","quote_currency":"KRW","tick_size":"\#(tick)","supported_levels":["0"]}"#
        }.joined(separator: ",") + "]")
    }

    private func minuteCandles(_ request: LocalRequest) -> LocalResponse {
        guard let market = request.parameter("market"), let book = candles[market] else {
            return .error(400, "400", "market is missing or unknown")
        }
        let count = min(Int(request.parameter("count") ?? "1") ?? 1, 200)
        return LocalResponse(json: LocalJSON.candles(market: market, book.newest(count)))
    }

    private func tickers(_ markets: String?) -> LocalResponse {
        let codes = (markets ?? "").split(separator: ",").map(String.init)
        return LocalResponse(json: "[" + codes.compactMap { code in
            lastTrades[code].map { #"{"market":"\#(code)","trade_price":\#($0.price),"trade_timestamp":\#($0.time),"timestamp":\#($0.time)}"# }
        }.joined(separator: ",") + "]")
    }

    // MARK: Exchange

    private func chance(_ market: String?) -> LocalResponse {
        guard let market, generator.marketCodes.contains(market) else {
            return .error(400, "notfoundmarket", "다음 마켓에 없는 종목입니다: \(market ?? "")")
        }
        let fee = "\(options.feeRate)"
        return LocalResponse(json: #"{"bid_fee":"\#(fee)","ask_fee":"\#(fee)","maker_bid_fee":"\#(fee)","maker_ask_fee":"\#(fee)","market":{"id":"\#(market)","name":"\#(market)","bid":{"currency":"KRW","min_total":"5000"},"ask":{"currency":"\#(UpbitVenue.profile.baseAsset(of: market))","min_total":"5000"},"max_total":"1000000000","state":"active"}}"#)
    }

    private func createOrder(_ request: LocalRequest) -> LocalResponse {
        guard let body = request.json, let market = body["market"]?.string, let side = body["side"]?.string,
              let type = body["ord_type"]?.string else {
            return .error(400, "validation_error", "market, side and ord_type are required")
        }
        let identifier = body["identifier"]?.string ?? UUID().uuidString
        let shape: UpbitOrderShape
        switch (side, type, body["price"]?.decimal, body["volume"]?.decimal) {
        case ("bid", "price", .some(let amount), nil): shape = .marketBuy(amount: amount)
        case ("ask", "market", nil, .some(let volume)): shape = .marketSell(volume: volume)
        case ("bid", "limit", .some(let price), .some(let volume)): shape = .limit(side: .buy, price: price, volume: volume)
        case ("ask", "limit", .some(let price), .some(let volume)): shape = .limit(side: .sell, price: price, volume: volume)
        default: return .error(400, side == "bid" ? "create_bid_error" : "create_ask_error", "invalid order combination")
        }
        guard generator.marketCodes.contains(market) else {
            return .error(400, "notfoundmarket", "다음 마켓에 없는 종목입니다: \(market)")
        }
        let events = exchange.place(shape.request(identifier: identifier, market: market), time: marketNow)
        if case .orderRejected(_, let error, _) = events.first {
            if error == "duplicated_identifier" { duplicateIdentifierAttempts += 1 }
            orderRefusals[error, default: 0] += 1
            return .error(400, error, "refused: \(error)")
        }
        var response = LocalResponse(status: 201, json: LocalJSON.order(exchange.orders[identifier]!, asCreated: true))
        push(events)
        if faults.droppedOrderAnswers > 0 {
            faults.droppedOrderAnswers -= 1
            response.holdSeconds = faults.heldAnswerSeconds
        }
        return response
    }

    private func order(_ request: LocalRequest) -> LocalResponse {
        guard let order = findOrder(request) else { return .error(404, "order_not_found", "주문을 찾지 못했습니다.") }
        return LocalResponse(json: LocalJSON.order(order, asCreated: false))
    }

    private func cancel(_ request: LocalRequest) -> LocalResponse {
        guard let order = findOrder(request) else { return .error(404, "order_not_found", "주문을 찾지 못했습니다.") }
        let events = exchange.cancel(order.request.identifier, time: marketNow)
        guard case .cancelAccepted = events.first else { return .error(400, "done_order", "이미 체결된 주문입니다.") }
        push(events)
        return LocalResponse(json: LocalJSON.order(order, asCreated: false))
    }

    private func openOrders(_ market: String?) -> LocalResponse {
        let open = exchange.orders.values.filter { !$0.state.isFinal && (market == nil || $0.request.market == market) }
            .sorted { $0.uuid < $1.uuid }
        return LocalResponse(json: "[" + open.map { LocalJSON.order($0, asCreated: false) }.joined(separator: ",") + "]")
    }

    private func findOrder(_ request: LocalRequest) -> SimulatedExchange.Order? {
        if let uuid = request.parameter("uuid") { return exchange.orders.values.first { $0.uuid == uuid } }
        return request.parameter("identifier").flatMap { exchange.orders[$0] }
    }

    /// Every order the server holds (for tests and kill scripts): identifier, state, executed volume.
    public func orderSummaries() -> [(identifier: String, state: UpbitOrderState, executedQuantity: Fixed)] {
        exchange.orders.values.sorted { $0.uuid < $1.uuid }.map { ($0.request.identifier, $0.state, $0.executedQuantity) }
    }

    public func balances() -> [Balance] { exchange.balances }

    /// Every order with what it did: the exchange's record of fills (tests compare ledgers to it).
    public func orderRecords() -> [SimulatedExchange.Order] { exchange.orders.values.sorted { $0.uuid < $1.uuid } }
}

/// A REST request as the server sees it.
public struct LocalRequest: Sendable {
    public var method: String
    public var path: String
    /// The raw URL query (percent-encoded, as sent).
    public var query: String?
    public var body: [UInt8]
    public var authorization: String?
    public var origin: String?

    public init(method: String, path: String, query: String?, body: [UInt8], authorization: String?, origin: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.authorization = authorization
        self.origin = origin
    }

    var json: JSONValue? { body.isEmpty ? nil : try? JSONValue.parse(body) }

    /// What the JWT's `query_hash` must cover: the unencoded query, or the body's pairs.
    var hashedParameters: String? {
        if let json { return LocalAuth.unencoded(body: json) }
        return LocalAuth.unencoded(query: query)
    }

    func parameter(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, (parts[0].removingPercentEncoding ?? parts[0]) == name {
                return parts[1].removingPercentEncoding ?? parts[1]
            }
        }
        return json?[name]?.string
    }
}

/// A REST answer: status, body, headers, and how long to hold it (injected latency).
public struct LocalResponse: Sendable {
    public var status: Int
    public var body: String
    public var contentType = "application/json; charset=utf-8"
    public var headers: [(String, String)] = []
    public var holdSeconds = 0.0

    init(status: Int = 200, body: String, contentType: String = "application/json; charset=utf-8") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    init(status: Int = 200, json: String) { self.init(status: status, body: json) }

    static func error(_ status: Int, _ name: String, _ message: String) -> LocalResponse {
        LocalResponse(status: status, json: #"{"error":{"name":"\#(name)","message":"\#(UpbitQuery.jsonEscape(message))"}}"#)
    }
}
