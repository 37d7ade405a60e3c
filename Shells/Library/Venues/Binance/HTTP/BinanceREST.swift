import Core
import Foundation

/// Binance USDⓈ-M futures over REST and libcurl (binance-futures.md §1–§5). Blocking: call it from
/// a thread of its own. Every answer is classified once, here (`BinanceErrors`):
/// - `success`: 2xx, and the two "nothing to change" refusals (-4046, -4059);
/// - `rejected`: a definite refusal by Binance, or a refusal of our own for a request that never
///   left (`rate_limited`, `banned`, `not_sent`, an invalid client id or decimal);
/// - `unknown`: the request may have been executed (408, most 5xx, -1000/-1006/-1007, a
///   connection lost after sending): settle it by a query before anything else.
///
/// Requests leave at most once: POST, PUT and DELETE carry their parameters in a form body, which
/// libcurl reads through a source it cannot rewind (`CurlSession`), so it never re-sends one on
/// its own. The one deliberate resend is after -1021 (timestamp outside the window, never
/// executed): the clock is measured again and the request signed and sent once more.
public final class BinanceREST: @unchecked Sendable {
    public typealias Outcome<Value: Sendable> = RequestOutcome<Value, BinanceError>

    public struct BinanceError: Error, Equatable, Sendable, CustomStringConvertible {
        /// 0 for a request refused before sending.
        public var status: Int
        public var code: Int?
        public var name: String
        public var message: String
        public var disposition: BinanceErrors.Disposition

        public init(status: Int, code: Int?, name: String, message: String, disposition: BinanceErrors.Disposition) {
            self.status = status
            self.code = code
            self.name = name
            self.message = message
            self.disposition = disposition
        }

        /// A refusal of our own: nothing was sent.
        public static func local(_ name: String, _ message: String, retryAfterSeconds: Double? = nil) -> BinanceError {
            let disposition: BinanceErrors.Disposition = ["rate_limited", "banned", "not_sent"].contains(name)
                ? .retryable(afterSeconds: retryAfterSeconds) : .rejected(name)
            return BinanceError(status: 0, code: nil, name: name, message: message, disposition: disposition)
        }

        public var description: String { "\(name) (HTTP \(status)\(code.map { ", code \($0)" } ?? "")): \(message)" }
    }

    /// Who may call an endpoint (§2): anyone, a key holder (header only), or a signed request.
    public enum Security: Sendable { case none, apiKey, signed }

    public struct Endpoint: Equatable, Sendable {
        public var method: String
        public var path: String
        public var security: Security
        /// IP weight per minute, and how many orders it counts (10 s and 1 min counters).
        public var weight: Int
        public var orders: Int

        public init(_ method: String, _ path: String, _ security: Security, weight: Int, orders: Int = 0) {
            self.method = method
            self.path = path
            self.security = security
            self.weight = weight
            self.orders = orders
        }
    }

    /// A request as it goes on the wire: what the tests compare byte for byte.
    public struct PreparedRequest: Equatable, Sendable {
        public var method: String
        public var url: String
        public var headers: [String]
        /// The form body (POST, PUT, DELETE); nil for GET.
        public var body: String?
    }

    public let baseURL: String
    private let signer: BinanceSigner?
    private let session = CurlSession()
    private let lock = NSLock()
    public let clock: BinanceServerClock
    public let budget: BinanceRequestBudget
    /// Sent with every signed request (Binance's default 5000; nil leaves it out).
    public var recvWindowMilliseconds: Int? = 5_000
    /// How long one HTTP exchange may take before its outcome is unknown.
    public var timeoutMilliseconds = 10_000

    public init(baseURL: String, signer: BinanceSigner?, clock: BinanceServerClock = BinanceServerClock(),
                limits: BinanceRateLimits = .standard) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.signer = signer
        self.clock = clock
        self.budget = BinanceRequestBudget(limits: limits, now: { clock.now })
    }

    /// The request as sent at `timestamp` (Binance's time): parameters in the query (GET) or the
    /// body (others); signed ones get `recvWindow`, `timestamp` and, last, `signature` over the
    /// exact text sent. Nil when the endpoint needs a key and there is none.
    public func prepare(_ endpoint: Endpoint, _ parameters: BinanceQuery, timestamp: Milliseconds) -> PreparedRequest? {
        var headers = ["Accept: application/json"]
        if endpoint.security != .none {
            guard let signer else { return nil }
            headers.append("X-MBX-APIKEY: \(signer.apiKey)")
        }
        var text = parameters.encoded
        if endpoint.security == .signed, let signer {
            var signed = parameters
            if let recvWindowMilliseconds { signed.append("recvWindow", "\(recvWindowMilliseconds)") }
            signed.append("timestamp", "\(timestamp)")
            text = signed.encoded
            let signature = endpoint.method == "GET" ? signer.signature(query: text) : signer.signature(body: text)
            text += "&signature=" + signature
        }
        let url = baseURL + endpoint.path
        if endpoint.method == "GET" {
            return PreparedRequest(method: "GET", url: text.isEmpty ? url : url + "?" + text, headers: headers, body: nil)
        }
        headers.append("Content-Type: application/x-www-form-urlencoded")
        return PreparedRequest(method: endpoint.method, url: url, headers: headers, body: text)
    }

    /// One request: budget, send, classification, and one resend after -1021.
    public func request(_ endpoint: Endpoint, _ parameters: BinanceQuery = BinanceQuery()) -> Outcome<JSONValue> {
        lock.withLock { unlockedRequest(endpoint, parameters) }
    }

    private func unlockedRequest(_ endpoint: Endpoint, _ parameters: BinanceQuery) -> Outcome<JSONValue> {
        var resynchronized = false
        while true {
            if let refusal = budget.reserve(weight: endpoint.weight, orders: endpoint.orders) {
                let seconds = Double(budget.blockedForMilliseconds) / 1_000
                return .rejected(.local(refusal.rawValue, "refused by our own budget", retryAfterSeconds: seconds > 0 ? seconds : nil))
            }
            guard let prepared = prepare(endpoint, parameters, timestamp: clock.now) else {
                return .rejected(.local("no_credentials", "\(endpoint.path) needs an API key"))
            }
            let outcome: Outcome<JSONValue>
            switch send(prepared) {
            case .success(let response):
                outcome = interpret(status: response.status, headers: response.headers, body: response.body)
            case .failure(.notSent(let reason)):
                return .rejected(.local("not_sent", reason))
            case .failure(.outcomeUnknown(let reason)):
                return .unknown(reason)
            }
            if case .rejected(let error) = outcome, error.disposition == .resync, !resynchronized,
               endpoint != BinanceREST.serverTime {
                resynchronized = true
                if case .success = unlockedSynchronizeClock() { continue }
            }
            return outcome
        }
    }

    private func send(_ prepared: PreparedRequest) -> Result<CurlSession.Response, CurlSession.Failure> {
        Result { () throws(CurlSession.Failure) in
            try session.perform(method: prepared.method, url: prepared.url, headers: prepared.headers,
                                body: prepared.body.map { Array($0.utf8) }, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// Classifies an answer and feeds the budget its counters, 429s and 418s.
    public func interpret(status: Int, headers: [(name: String, value: String)], body: [UInt8]) -> Outcome<JSONValue> {
        budget.observe(headers: headers)
        let json = try? JSONValue.parse(body)
        if (200..<300).contains(status) {
            budget.succeeded()
            guard let json else { return .unknown("unreadable answer: \(String(decoding: body.prefix(200), as: UTF8.self))") }
            return .success(json)
        }
        let code = json?["code"]?.integer.flatMap { Int(exactly: $0) }
        let message = json?["msg"]?.string ?? String(decoding: body.prefix(500), as: UTF8.self)
        let retryAfter = headers.last { $0.name == "retry-after" }.flatMap { Double($0.value.trimmingCharacters(in: .whitespaces)) }
        if status == 429 { budget.tooManyRequests(retryAfterSeconds: retryAfter) }
        if status == 418 { budget.banned(retryAfterSeconds: retryAfter) }
        let (name, disposition) = BinanceErrors.classify(status: status, code: code, message: message,
                                                         retryAfterSeconds: retryAfter)
        switch disposition {
        case .benign:
            return .success(json ?? .null)
        case .unknown:
            return .unknown("\(name) (HTTP \(status)): \(message.prefix(200))")
        default:
            return .rejected(BinanceError(status: status, code: code, name: name, message: String(message.prefix(500)),
                                          disposition: disposition))
        }
    }

    /// `GET /fapi/v1/time`, the offset measured with half the round trip.
    @discardableResult
    public func synchronizeClock() -> Outcome<Milliseconds> {
        lock.withLock { unlockedSynchronizeClock() }
    }

    private func unlockedSynchronizeClock() -> Outcome<Milliseconds> {
        let sentAt = clock.localTime()
        let outcome = unlockedRequest(BinanceREST.serverTime, BinanceQuery())
        let receivedAt = clock.localTime()
        return map(outcome) { json in
            let serverTime = try BinanceChecks.time(json["serverTime"]?.integer, field: "serverTime")
            guard clock.adopt(serverTime: serverTime, sentAt: sentAt, receivedAt: receivedAt) else {
                throw MissingField(description: "implausible server time \(serverTime)")
            }
            return clock.offset
        }
    }

    func map<Value, Mapped>(_ outcome: Outcome<Value>, _ transform: (Value) throws -> Mapped) -> Outcome<Mapped> {
        outcome.map(transform)
    }
}
