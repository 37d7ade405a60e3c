import Core
import Foundation

/// Upbit's REST API over libcurl (upbit-api.md §3). Blocking: call it from a thread of its own
/// (`UpbitGateway` does). Every answer is classified once, here:
/// - `success`: 2xx;
/// - `rejected`: a definite refusal (4xx with an Upbit error name, either `{"error":{"name":"x"}}`
///   or the quotation API's integer name), or a request that provably never left (connection
///   refused, rate-limited past the deadline);
/// - `unknown`: the server may have acted (timeout or connection lost after sending, 5xx).
/// 429 and 418 are handled by waiting and retrying within the request's deadline.
public final class UpbitREST: @unchecked Sendable {
    public typealias Outcome<Value: Sendable> = RequestOutcome<Value, UpbitError>

    public struct UpbitError: Error, Equatable, Sendable, CustomStringConvertible {
        public var status: Int
        public var name: String
        public var message: String

        public var description: String { "\(name) (HTTP \(status)): \(message)" }
    }

    public let baseURL: String
    private let credentials: UpbitCredentials?
    private let session = CurlSession()
    private let lock = NSLock()
    public let limiter: RateLimiter
    /// Longest a request waits for the rate limiter and retries before giving up.
    public var deadlineSeconds: Double = 10
    /// How long one HTTP exchange may take before its outcome is unknown.
    public var timeoutMilliseconds = 10_000

    public init(baseURL: String, credentials: UpbitCredentials?, limiter: RateLimiter = RateLimiter()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.limiter = limiter
    }

    /// One request with rate limiting, retries of 429 / 418 / unsent requests, classification.
    public func request(_ method: String, _ path: String, query: UpbitQuery = UpbitQuery(), body: UpbitQuery? = nil,
                        group: RateLimiter.Group, signed: Bool) -> Outcome<JSONValue> {
        lock.lock()
        defer { lock.unlock() }
        let start = RateLimiter.monotonicSeconds()
        while true {
            let wait = limiter.reserve(group)
            if RateLimiter.monotonicSeconds() + wait - start > deadlineSeconds {
                return .rejected(UpbitError(status: 429, name: "rate_limited", message: "no request budget within \(deadlineSeconds) s"))
            }
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            switch send(method, path, query: query, body: body, signed: signed) {
            case .failure(.notSent(let reason)):
                if RateLimiter.monotonicSeconds() - start + 0.5 > deadlineSeconds {
                    return .rejected(UpbitError(status: 0, name: "not_sent", message: reason))
                }
                Thread.sleep(forTimeInterval: 0.5)
            case .failure(.outcomeUnknown(let reason)):
                return .unknown(reason)
            case .success(let response):
                if let header = response.header("Remaining-Req") { limiter.observe(remainingRequests: header) }
                switch response.status {
                case 200..<300:
                    limiter.succeeded(group)
                    guard let json = try? JSONValue.parse(response.body) else {
                        return .unknown("unreadable answer: \(response.text.prefix(200))")
                    }
                    return .success(json)
                case 429:
                    limiter.tooManyRequests(group)
                case 418:
                    limiter.banned(group, seconds: UpbitREST.banSeconds(response))
                    if limiter.blockedFor(group) > deadlineSeconds {
                        return .rejected(UpbitError(status: 418, name: "banned", message: response.text))
                    }
                case 400..<500:
                    return .rejected(UpbitREST.error(response))
                default:
                    return .unknown("HTTP \(response.status): \(response.text.prefix(200))")
                }
            }
        }
    }

    private func send(_ method: String, _ path: String, query: UpbitQuery, body: UpbitQuery?, signed: Bool)
        -> Result<CurlSession.Response, CurlSession.Failure> {
        var url = baseURL + path
        if !query.isEmpty { url += "?" + query.encoded }
        var headers = ["Accept: application/json"]
        if body != nil { headers.append("Content-Type: application/json; charset=utf-8") }
        if signed, let credentials {
            headers.append("Authorization: " + credentials.authorization(for: body ?? query))
        }
        return Result { () throws(CurlSession.Failure) in
            try session.perform(method: method, url: url, headers: headers, body: body.map { Array($0.jsonBody.utf8) },
                                timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// `{"error":{"name":"x","message":"y"}}`, with a string or an integer name; plain text otherwise.
    static func error(_ response: CurlSession.Response) -> UpbitError {
        let json = try? JSONValue.parse(response.body)
        let name = json?["error"]?["name"]?.string ?? "http_\(response.status)"
        let message = json?["error"]?["message"]?.string ?? response.text
        return UpbitError(status: response.status, name: name, message: message)
    }

    /// A 418 states how long the block lasts; its format is not documented, so a `Retry-After`
    /// header or the first number in the message is taken as seconds.
    static func banSeconds(_ response: CurlSession.Response) -> Double? {
        if let retry = response.header("Retry-After").flatMap(Double.init) { return retry }
        let message = error(response).message
        let digits = message.split { !$0.isNumber }.first
        return digits.flatMap { Double($0) }
    }
}
