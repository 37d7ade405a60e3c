import Foundation

/// Upbit's request budgets (upbit-api.md §4), kept on the client side so the exchange never has
/// to refuse: a token bucket per group, tightened by what `Remaining-Req` says, a growing back-off
/// after 429, and a stop of the group after 418 until the stated time. Thread-safe.
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

    struct Bucket {
        var rate: Double
        var tokens: Double
        var updatedAt: Double
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
        let start = now()
        var buckets: [Group: Bucket] = [:]
        for group in Group.allCases {
            let rate = rates[group] ?? group.defaultRate
            buckets[group] = Bucket(rate: rate, tokens: max(rate, 1), updatedAt: start)
        }
        self.buckets = buckets
    }

    public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Takes a token: returns how many seconds the caller must wait before sending (0 = now).
    public func reserve(_ group: Group) -> Double {
        lock.withLock {
            var bucket = buckets[group]!
            let time = now()
            bucket.tokens = min(max(bucket.rate, 1), bucket.tokens + (time - bucket.updatedAt) * bucket.rate)
            bucket.updatedAt = time
            bucket.tokens -= 1
            let refillWait = bucket.tokens >= 0 ? 0 : -bucket.tokens / bucket.rate
            let wait = max(refillWait, bucket.blockedUntil - time)
            buckets[group] = bucket
            return max(wait, 0)
        }
    }

    /// `Remaining-Req: group=default; min=1800; sec=29`. With `sec=0` the group waits for the next second.
    public func observe(remainingRequests header: String) {
        guard let parsed = RateLimiter.parse(remainingRequests: header), let group = Group(rawValue: parsed.group) else { return }
        lock.withLock {
            var bucket = buckets[group]!
            bucket.tokens = min(bucket.tokens, Double(parsed.perSecond))
            if parsed.perSecond == 0 { bucket.blockedUntil = max(bucket.blockedUntil, now() + 1) }
            buckets[group] = bucket
        }
    }

    /// 429: back off 1, 2, 4 … 30 s; the back-off resets after a success.
    public func tooManyRequests(_ group: Group) {
        lock.withLock {
            var bucket = buckets[group]!
            bucket.backoffSeconds = min(max(bucket.backoffSeconds * 2, 1), 30)
            bucket.blockedUntil = max(bucket.blockedUntil, now() + bucket.backoffSeconds)
            bucket.tokens = min(bucket.tokens, 0)
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
