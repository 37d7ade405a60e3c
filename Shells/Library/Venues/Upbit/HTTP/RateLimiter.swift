import Foundation

/// Upbit's request budgets (upbit-api.md §4), kept on the client side so the exchange never has
/// to refuse: per group, at most `limit` requests in any window of `window` seconds (a log of the
/// last send times, so no burst at a restart or a second's edge goes past the limit — a token
/// bucket that starts full lets 30 + refill through in the first second), tightened by what
/// `Remaining-Req` says, a growing back-off after 429, and a stop of the group after 418 until
/// the stated time. Thread-safe. The local server enforces the same windows.
public final class RateLimiter: @unchecked Sendable {
    public enum Group: String, CaseIterable, Sendable {
        case market, candle, trade, ticker, orderbook
        case `default`
        case order
        case orderTest = "order-test"
        case orderCancelAll = "order-cancel-all"

        /// Requests per second (order: 12 since 2026-08-21; cancel-all: 1 per 2 s).
        public var defaultRate: Double {
            switch self {
            case .market, .candle, .trade, .ticker, .orderbook: 10
            case .default: 30
            case .order: 12
            case .orderTest: 8
            case .orderCancelAll: 0.5
            }
        }
    }

    /// Sends are spaced this much more than the window, for the clocks of two machines.
    static let marginSeconds = 0.02

    struct Bucket {
        var limit: Int
        var window: Double
        /// Send times of the last `limit` requests, oldest first.
        var sent: [Double] = []
        var blockedUntil: Double = 0
        var backoffSeconds: Double = 0
        var banSeconds: Double = 0
    }

    private let lock = NSLock()
    private var buckets: [Group: Bucket]
    private let now: @Sendable () -> Double

    /// `now`: a monotonic clock in seconds (tests pass their own).
    public init(rates: [Group: Double] = [:], now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.now = now
        var buckets: [Group: Bucket] = [:]
        for group in Group.allCases {
            let rate = rates[group] ?? group.defaultRate
            buckets[group] = rate >= 1 ? Bucket(limit: Int(rate), window: 1) : Bucket(limit: 1, window: 1 / rate)
        }
        self.buckets = buckets
    }

    public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Takes a slot: returns how many seconds the caller must wait before sending (0 = now). The
    /// slot is booked at that future time, so callers that wait in turn stay inside the window.
    public func reserve(_ group: Group) -> Double {
        lock.withLock {
            var bucket = buckets[group]!
            let time = now()
            var at = max(time, bucket.blockedUntil)
            if bucket.sent.count >= bucket.limit {
                at = max(at, bucket.sent[bucket.sent.count - bucket.limit] + bucket.window + RateLimiter.marginSeconds)
            }
            bucket.sent.append(at)
            if bucket.sent.count > bucket.limit { bucket.sent.removeFirst(bucket.sent.count - bucket.limit) }
            buckets[group] = bucket
            return at - time
        }
    }

    /// The server's side: true (and booked) when a request now stays inside the window.
    public func admit(_ group: Group) -> Bool {
        lock.withLock {
            var bucket = buckets[group]!
            let time = now()
            if time < bucket.blockedUntil { return false }
            if bucket.sent.count >= bucket.limit, time - bucket.sent[bucket.sent.count - bucket.limit] < bucket.window {
                return false
            }
            bucket.sent.append(time)
            if bucket.sent.count > bucket.limit { bucket.sent.removeFirst(bucket.sent.count - bucket.limit) }
            buckets[group] = bucket
            return true
        }
    }

    /// `Remaining-Req: group=default; min=1800; sec=29`: the server's count wins when it is lower
    /// than ours. With `sec=0` the group waits for the next second.
    public func observe(remainingRequests header: String) {
        guard let parsed = RateLimiter.parse(remainingRequests: header), let group = Group(rawValue: parsed.group) else { return }
        lock.withLock {
            var bucket = buckets[group]!
            let time = now()
            let used = bucket.sent.filter { $0 > time - bucket.window }.count
            let extra = bucket.limit - used - max(parsed.perSecond, 0)
            if extra > 0 {
                bucket.sent += Array(repeating: time, count: extra)
                bucket.sent.sort()
                if bucket.sent.count > bucket.limit { bucket.sent.removeFirst(bucket.sent.count - bucket.limit) }
            }
            if parsed.perSecond == 0 { bucket.blockedUntil = max(bucket.blockedUntil, time + 1) }
            buckets[group] = bucket
        }
    }

    /// 429: back off 1, 2, 4 … 30 s; the back-off resets after a success.
    public func tooManyRequests(_ group: Group) {
        lock.withLock {
            var bucket = buckets[group]!
            bucket.backoffSeconds = min(max(bucket.backoffSeconds * 2, 1), 30)
            bucket.blockedUntil = max(bucket.blockedUntil, now() + bucket.backoffSeconds)
            buckets[group] = bucket
        }
    }

    /// 418: the group stops until the stated time (or 60 s, doubling on repeat, when none is given).
    public func banned(_ group: Group, seconds: Double?) {
        lock.withLock {
            var bucket = buckets[group]!
            bucket.banSeconds = seconds ?? min(max(bucket.banSeconds * 2, 60), 3_600)
            bucket.blockedUntil = max(bucket.blockedUntil, now() + bucket.banSeconds)
            buckets[group] = bucket
        }
    }

    public func succeeded(_ group: Group) {
        lock.withLock { buckets[group]!.backoffSeconds = 0 }
    }

    /// Seconds until the group may send again after a 418 or 429 (0 when it may).
    public func blockedFor(_ group: Group) -> Double {
        lock.withLock { max(0, buckets[group]!.blockedUntil - now()) }
    }

    /// Parses `group=order-cancel-all; min=… ; sec=3` (hyphenated names included).
    public static func parse(remainingRequests header: String) -> (group: String, perSecond: Int)? {
        var group: String?
        var perSecond: Int?
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0].lowercased() {
            case "group": group = pair[1].lowercased()
            case "sec": perSecond = Int(pair[1])
            default: break
            }
        }
        guard let group, let perSecond else { return nil }
        return (group, perSecond)
    }
}
