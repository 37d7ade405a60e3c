import Core
import Foundation
import Shells

/// The local Binance USDⓈ-M futures venue (binance-futures.md §9): the simulated `FuturesExchange`
/// (orders, closePosition stops, isolated positions, funding, liquidation) fed by a generated
/// market (`FuturesMarketGenerator`) played on its own clock, behind Binance's REST shapes, its
/// authentication, its limits and its error codes, with faults switchable at runtime. REST
/// requests arrive as `LocalBinanceRequest`s; the user stream and market streams go to sockets.
public actor LocalBinance {
    public struct Options: Sendable {
        public var apiKey = "local-api-key"
        public var secretKey = "local-secret-key"
        /// USDT in the futures wallet at the start.
        public var cash: Fixed = 10_000
        /// Binance's default leverage (one for the whole account here: `FuturesExchange` has one).
        public var leverage = 20
        public var makerFee: Fixed = Fixed("0.0002")!
        public var takerFee: Fixed = Fixed("0.0005")!
        public var seed: UInt64 = 1
        public var symbols = 3
        /// Market history generated before the server opens (for klines).
        public var historyMinutes = 60
        public var secondsBetweenSurges = 10_800
        /// Market seconds per wall-clock second.
        public var speed = 1.0
        /// The limits enforced (and stated in `exchangeInfo.rateLimits`).
        public var limits = BinanceRateLimits.standard
        /// A listen key lives this long (market time) without a keepalive.
        public var listenKeyLifetime: Milliseconds = 3_600_000

        public init() {}
    }

    public let options: Options
    var exchange: FuturesExchange
    var generator: FuturesMarketGenerator
    /// The generated symbols' rules, from the generator's `exchangeInfo`.
    let instruments: [String: Instrument]
    var limiter: BinanceLimiter
    public internal(set) var faults = BinanceFaults()
    /// The next market second the generator will produce.
    var nextSecond: Int64
    /// The market's clock once the feed runs: the bot's `DriverClock`, and the server time that
    /// `/fapi/v1/time` answers and timestamps are checked against.
    public internal(set) var clock = DriverClock.wall
    var market = BinanceMarketState()
    var book = BinanceOrderBook()
    var settings = BinanceAccountSettings()
    var ledger = BinanceLedger()
    var listenKey: (key: String, expires: Milliseconds)?
    /// User-data frames of the exchange action being published, sent together at its end.
    var pendingUserFrames: [(frame: String, type: String)]?
    var marketSockets: [Int: BinanceMarketSocket] = [:]
    var userSockets: [Int: BinanceUserSocket] = [:]
    var nextSocketId = 1
    /// Every REST request, "METHOD /path", in arrival order (for tests and the operator).
    public private(set) var requestLog: [String] = []
    /// Requests refused by the limits themselves (429 or 418), injected faults not counted.
    public internal(set) var limitRefusals = 0
    /// Orders refused, by Binance code.
    public internal(set) var orderRefusals: [Int: Int] = [:]

    public init(options: Options = Options(), now: Milliseconds) throws {
        self.options = options
        exchange = FuturesExchange(cash: options.cash, leverage: options.leverage, makerFee: options.makerFee,
                                   takerFee: options.takerFee)
        let startSecond = now / 1_000 - Int64(options.historyMinutes) * 60
        generator = FuturesMarketGenerator(seed: options.seed, symbols: options.symbols, startTime: startSecond * 1_000,
                                           secondsBetweenSurges: options.secondsBetweenSurges)
        nextSecond = startSecond
        let info = try BinanceExchangeInfo.parse(try JSONValue.parse(generator.exchangeInfoLine()))
        instruments = Dictionary(uniqueKeysWithValues: info.listings.compactMap { listing in listing.instrument.map { (listing.market, $0) } })
        limiter = BinanceLimiter(limits: options.limits)
        settings.leverage = options.leverage
    }

    public func setFaults(_ faults: BinanceFaults) { self.faults = faults }

    /// Binance's time: the market clock once live, the newest generated second before.
    var serverNow: Milliseconds { clock == .wall ? max(nextSecond - 1, 0) * 1_000 : clock.now() }

    // MARK: - REST

    public func handle(_ request: LocalBinanceRequest) -> LocalBinanceResponse {
        requestLog.append("\(request.method) \(request.path)")
        let now = serverNow
        guard let route = LocalBinance.routes["\(request.method) \(request.path)"] else {
            return LocalBinanceResponse(.error(404, -1000, "no route \(request.method) \(request.path)"))
        }
        guard let parameters = request.parameters else {
            return LocalBinanceResponse(.error(400, -1102, "Too many parameters or parameters too long."))
        }
        if let refused = admit(route, parameters, time: now) { return LocalBinanceResponse(refused) }
        var answer = answer(route, request, parameters, time: now)
        answer.response.headers += limiter.headers(orders: route.orders > 0)
        return answer
    }

    /// Limits, then the faults that strike before anything is processed.
    private func admit(_ route: Route, _ parameters: [String: String], time: Milliseconds) -> LocalResponse? {
        if faults.tooManyRequests > 0 {
            faults.tooManyRequests -= 1
            return LocalBinance.limited(limiter.refuse(until: time + 1_000, time: time))
        }
        if faults.serviceUnavailable > 0 {  // not counted against the limits (§5)
            faults.serviceUnavailable -= 1
            return .error(503, -1000, "Service Unavailable.")
        }
        let verdict = limiter.admit(weight: route.weight(parameters), orders: route.orders, time: time)
        if verdict != .admitted {
            limitRefusals += 1
            return LocalBinance.limited(verdict)
        }
        if faults.internalErrors > 0 {
            faults.internalErrors -= 1
            return .error(503, -1001, "Internal error; unable to process your request. Please try again.")
        }
        return nil
    }

    static func limited(_ verdict: BinanceLimiter.Verdict) -> LocalResponse {
        var response: LocalResponse
        switch verdict {
        case .admitted:
            return .error(500, -1000, "admitted")
        case .tooMany(let seconds):
            response = .error(429, -1003, "Too many requests; please use the websocket for live updates to avoid polling the API.")
            response.headers.append(("Retry-After", "\(seconds)"))
        case .banned(let seconds):
            response = .error(418, -1003, "Way too many requests; IP banned for \(seconds) s. Please use the websocket for live updates to avoid bans.")
            response.headers.append(("Retry-After", "\(seconds)"))
        }
        return response
    }

    /// Authentication, then the route, with the faults that strike around an execution.
    private func answer(_ route: Route, _ request: LocalBinanceRequest, _ parameters: [String: String],
                        time: Milliseconds) -> LocalBinanceResponse {
        if route.security != .none {
            if let refusal = authenticate(route, request, parameters, time: time) { return LocalBinanceResponse(refusal) }
        }
        let placement = route.orders > 0
        if placement, faults.timeoutsWithoutExecution > 0 {
            faults.timeoutsWithoutExecution -= 1
            return LocalBinanceResponse(LocalBinance.timeout)
        }
        var answer = LocalBinanceResponse(dispatch(route.endpoint, parameters, time: time))
        if faults.unknownErrors > 0 {
            faults.unknownErrors -= 1
            return LocalBinanceResponse(.error(503, -1000, "Unknown error, please check your request or try again later."))
        }
        let accepted = (200..<300).contains(answer.response.status)
        if placement, accepted, faults.timeoutsAfterExecution > 0 {
            faults.timeoutsAfterExecution -= 1
            return LocalBinanceResponse(LocalBinance.timeout)
        }
        if placement, accepted, faults.droppedOrderAnswers > 0 {
            faults.droppedOrderAnswers -= 1
            answer.closeConnection = true
        }
        return answer
    }

    static let timeout = LocalResponse.error(
        408, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.")

    /// `X-MBX-APIKEY` (-2015), then for SIGNED routes the HMAC over the exact bytes (-1022) and
    /// the timestamp window (-1021) (§2).
    private func authenticate(_ route: Route, _ request: LocalBinanceRequest, _ parameters: [String: String],
                              time: Milliseconds) -> LocalResponse? {
        guard request.apiKey == options.apiKey else {
            return .error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        }
        guard route.security == .signed else { return nil }
        guard let (message, signature) = request.signedText, !signature.isEmpty else {
            return .error(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
        }
        let expected = BinanceSigner(apiKey: options.apiKey, secretKey: options.secretKey).signature(query: message)
        guard expected == signature.lowercased() else { return .error(400, -1022, "Signature for this request is not valid.") }
        guard let timestamp = parameters["timestamp"].flatMap({ Milliseconds($0) }) else {
            return .error(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
        }
        let window = parameters["recvWindow"].flatMap { Milliseconds($0) } ?? 5_000
        guard (1...60_000).contains(window) else { return .error(400, -1102, "recvWindow must be 1 to 60000.") }
        if faults.invalidTimestamps > 0 {
            faults.invalidTimestamps -= 1
            return .error(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        }
        if timestamp >= time + 1_000 {
            return .error(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")
        }
        if time - timestamp > window { return .error(400, -1021, "Timestamp for this request is outside of the recvWindow.") }
        return nil
    }
}

/// A REST answer of the local Binance; `closeConnection`: the server closes the connection
/// instead of answering (the "answer lost after execution" fault).
public struct LocalBinanceResponse: Sendable {
    public var response: LocalResponse
    public var closeConnection = false

    init(_ response: LocalResponse) { self.response = response }
}

extension LocalResponse {
    /// Binance's error shape.
    static func error(_ status: Int, _ code: Int, _ message: String) -> LocalResponse {
        LocalResponse(status: status, json: #"{"code":\#(code),"msg":"\#(UpbitQuery.jsonEscape(message))"}"#)
    }
}

/// A refusal found while reading parameters travels as the `Result` failure it answers with.
extension LocalResponse: Error {}
