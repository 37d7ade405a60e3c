import Core
import Foundation

/// Binance's time as the client estimates it: the local wall clock plus an offset measured with
/// `GET /fapi/v1/time`, the answer taken as stamped halfway through the round trip
/// (binance-futures.md §2). Every signed request's `timestamp` is read here. Thread-safe.
public final class BinanceServerClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offsetMilliseconds: Milliseconds = 0
    private let localNow: @Sendable () -> Milliseconds

    /// No offset differs more than a day from a sane local clock; a larger one is refused.
    static let maximumOffsetMilliseconds: Milliseconds = 86_400_000

    public init(localNow: @escaping @Sendable () -> Milliseconds = BinanceServerClock.wallClock) {
        self.localNow = localNow
    }

    public static func wallClock() -> Milliseconds { Milliseconds(Date().timeIntervalSince1970 * 1_000) }

    public var now: Milliseconds { lock.withLock { localNow() + offsetMilliseconds } }

    public var offset: Milliseconds { lock.withLock { offsetMilliseconds } }

    public func localTime() -> Milliseconds { localNow() }

    /// Adopts a measurement: `serverTime` answered a request sent at `sentAt` and answered at
    /// `receivedAt` (local clock). False (and nothing changes) for an implausible one.
    @discardableResult
    public func adopt(serverTime: Milliseconds, sentAt: Milliseconds, receivedAt: Milliseconds) -> Bool {
        guard receivedAt >= sentAt, receivedAt - sentAt < 60_000 else { return false }
        let offset = serverTime - (sentAt + (receivedAt - sentAt) / 2)
        guard abs(offset) <= BinanceServerClock.maximumOffsetMilliseconds else { return false }
        lock.withLock { offsetMilliseconds = offset }
        return true
    }
}
