import Core
import Shells

/// Binance's limits as the server enforces them (binance-futures.md §4): weight per minute
/// (per IP: here, per server) and orders per 10 s and per minute, in fixed windows of the
/// server's time. A request past a limit gets 429 with `Retry-After` (the window's end); any
/// request before that moment bans the caller (418) for 2 minutes, doubling for repeat offences.
struct BinanceLimiter {
    enum Verdict: Equatable {
        case admitted
        case tooMany(retryAfterSeconds: Int)
        case banned(retryAfterSeconds: Int)
    }

    struct Window {
        let length: Milliseconds
        let limit: Int
        var start: Milliseconds = .min
        var used = 0

        mutating func roll(_ time: Milliseconds) {
            let current = time - ((time % length) + length) % length
            if current != start {
                start = current
                used = 0
            }
        }

        var end: Milliseconds { start + length }
    }

    var weight: Window
    var ordersShort: Window
    var ordersLong: Window
    /// After a 429: requests before this time are an offence.
    var retryAfter: Milliseconds = .min
    var bannedUntil: Milliseconds = .min
    var banLength: Milliseconds = 60_000

    init(limits: BinanceRateLimits) {
        weight = Window(length: 60_000, limit: limits.weightPerMinute)
        ordersShort = Window(length: 10_000, limit: limits.ordersPerTenSeconds)
        ordersLong = Window(length: 60_000, limit: limits.ordersPerMinute)
    }

    mutating func admit(weight cost: Int, orders: Int, time: Milliseconds) -> Verdict {
        if time < bannedUntil { return .banned(retryAfterSeconds: seconds(bannedUntil - time)) }
        if time < retryAfter {
            banLength = min(banLength * 2, 259_200_000)
            bannedUntil = time + banLength
            return .banned(retryAfterSeconds: seconds(banLength))
        }
        weight.roll(time)
        ordersShort.roll(time)
        ordersLong.roll(time)
        weight.used += cost
        if weight.used > weight.limit { return refuse(until: weight.end, time: time) }
        guard orders > 0 else { return .admitted }
        ordersShort.used += orders
        ordersLong.used += orders
        if ordersShort.used > ordersShort.limit { return refuse(until: ordersShort.end, time: time) }
        if ordersLong.used > ordersLong.limit { return refuse(until: ordersLong.end, time: time) }
        return .admitted
    }

    /// A 429 injected by a fault: the same consequences as a real one.
    mutating func refuse(until: Milliseconds, time: Milliseconds) -> Verdict {
        retryAfter = until
        return .tooMany(retryAfterSeconds: seconds(until - time))
    }

    func seconds(_ milliseconds: Milliseconds) -> Int { Int(max(1, (milliseconds + 999) / 1_000)) }

    func headers(orders: Bool) -> [(String, String)] {
        var headers = [("X-MBX-USED-WEIGHT-1M", "\(weight.used)")]
        if orders {
            headers += [("X-MBX-ORDER-COUNT-10S", "\(ordersShort.used)"), ("X-MBX-ORDER-COUNT-1M", "\(ordersLong.used)")]
        }
        return headers
    }
}
