import Core
import Foundation

/// Binance's weight and order counters, kept on the client side so the bot refuses a request
/// itself before Binance would (binance-futures.md §4). Binance counts in fixed windows (the
/// minute, ten seconds) and reports its own count on every answer (`X-MBX-USED-WEIGHT-1M`,
/// `X-MBX-ORDER-COUNT-10S`, `X-MBX-ORDER-COUNT-1M`); the count of the window the answer arrived
/// in replaces ours, and requests booked since count on top. Only `usableFraction` of each limit
/// is used, because the weight is shared by every process on the IP. After a 429 or 418 every
/// request is refused until `Retry-After` (or a back-off) has passed. Thread-safe.
public final class BinanceRequestBudget: @unchecked Sendable {
    /// Why a request is refused without being sent: the names the core counts as unsent.
    public enum Refusal: String, Equatable, Sendable {
        case rateLimited = "rate_limited"
        case banned
    }

    struct Counter {
        var windowMilliseconds: Milliseconds
        var limit: Int
        var window: Int64 = .min
        var used = 0

        mutating func roll(to time: Milliseconds) {
            let current = time / windowMilliseconds
            if current != window {
                window = current
                used = 0
            }
        }
    }

    private let lock = NSLock()
    private var weight: Counter
    private var ordersShort: Counter
    private var ordersLong: Counter
    private var blockedUntil: Milliseconds = 0
    private var blockReason = Refusal.rateLimited
    private var backoffMilliseconds: Milliseconds = 0
    private var banMilliseconds: Milliseconds = 0
    public let usableFraction: Double
    private let now: @Sendable () -> Milliseconds

    /// `now`: Binance's time as the client estimates it, in ms (the windows are Binance's).
    public init(limits: BinanceRateLimits = .standard, usableFraction: Double = 0.9,
                now: @escaping @Sendable () -> Milliseconds) {
        weight = Counter(windowMilliseconds: 60_000, limit: limits.weightPerMinute)
        ordersShort = Counter(windowMilliseconds: 10_000, limit: limits.ordersPerTenSeconds)
        ordersLong = Counter(windowMilliseconds: 60_000, limit: limits.ordersPerMinute)
        self.usableFraction = min(max(usableFraction, 0.1), 1)
        self.now = now
    }

    /// The limits `exchangeInfo` states replace the defaults.
    public func adopt(_ limits: BinanceRateLimits) {
        lock.withLock {
            weight.limit = limits.weightPerMinute
            ordersShort.limit = limits.ordersPerTenSeconds
            ordersLong.limit = limits.ordersPerMinute
        }
    }

    /// Books a request of this weight (and order count): nil when it may be sent now, else why not.
    public func reserve(weight cost: Int, orders: Int = 0) -> Refusal? {
        lock.withLock {
            let time = now()
            if time < blockedUntil { return blockReason }
            weight.roll(to: time)
            ordersShort.roll(to: time)
            ordersLong.roll(to: time)
            guard fits(weight, cost), fits(ordersShort, orders), fits(ordersLong, orders) else { return .rateLimited }
            weight.used += cost
            ordersShort.used += orders
            ordersLong.used += orders
            return nil
        }
    }

    private func fits(_ counter: Counter, _ cost: Int) -> Bool {
        cost == 0 || Double(counter.used + cost) <= Double(counter.limit) * usableFraction
    }

    /// The counts an answer reports (each header is optional: rejected orders may lack them).
    public func observe(usedWeight: Int?, ordersTenSeconds: Int?, ordersMinute: Int?) {
        lock.withLock {
            let time = now()
            if let usedWeight, usedWeight >= 0 {
                weight.roll(to: time)
                weight.used = usedWeight
            }
            if let ordersTenSeconds, ordersTenSeconds >= 0 {
                ordersShort.roll(to: time)
                ordersShort.used = ordersTenSeconds
            }
            if let ordersMinute, ordersMinute >= 0 {
                ordersLong.roll(to: time)
                ordersLong.used = ordersMinute
            }
        }
    }

    /// The three headers of an answer, as libcurl gives them (names lower-cased).
    public func observe(headers: [(name: String, value: String)]) {
        func value(_ name: String) -> Int? {
            headers.last { $0.name == name }.flatMap { Int($0.value.trimmingCharacters(in: .whitespaces)) }
        }
        observe(usedWeight: value("x-mbx-used-weight-1m"), ordersTenSeconds: value("x-mbx-order-count-10s"),
                ordersMinute: value("x-mbx-order-count-1m"))
    }

    /// 429: nothing goes out until `Retry-After`, else 1, 2, 4 … 60 s.
    public func tooManyRequests(retryAfterSeconds: Double?) {
        lock.withLock {
            backoffMilliseconds = min(max(backoffMilliseconds * 2, 1_000), 60_000)
            block(for: retryAfterSeconds.map(BinanceRequestBudget.milliseconds) ?? backoffMilliseconds, .rateLimited)
        }
    }

    /// 418, the IP banned: nothing goes out until `Retry-After`, else 2 min doubling to 3 days
    /// (Binance's range, §4).
    public func banned(retryAfterSeconds: Double?) {
        lock.withLock {
            banMilliseconds = min(max(banMilliseconds * 2, 120_000), 259_200_000)
            block(for: retryAfterSeconds.map(BinanceRequestBudget.milliseconds) ?? banMilliseconds, .banned)
        }
    }

    /// A success ends the 429 back-off's growth.
    public func succeeded() {
        lock.withLock { backoffMilliseconds = 0 }
    }

    /// Milliseconds until requests may go again (0 = now).
    public var blockedForMilliseconds: Milliseconds {
        lock.withLock { max(0, blockedUntil - now()) }
    }

    /// What the counters hold now, for tests and logs.
    public var used: (weight: Int, ordersTenSeconds: Int, ordersMinute: Int) {
        lock.withLock {
            let time = now()
            weight.roll(to: time)
            ordersShort.roll(to: time)
            ordersLong.roll(to: time)
            return (weight.used, ordersShort.used, ordersLong.used)
        }
    }

    private func block(for milliseconds: Milliseconds, _ reason: Refusal) {
        let until = now() + milliseconds
        if until > blockedUntil {
            blockedUntil = until
            blockReason = reason
        }
    }

    /// Seconds from a header, bounded to 3 days (a hostile header cannot stop the bot for ever).
    static func milliseconds(_ seconds: Double) -> Milliseconds {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Milliseconds(min(seconds, 259_200) * 1_000)
    }
}
