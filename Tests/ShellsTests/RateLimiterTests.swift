import Foundation
import Shells
import Testing

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 1_000.0
    var now: Double { lock.withLock { seconds } }
    func advance(_ delta: Double) { lock.withLock { seconds += delta } }
}

@Suite struct RateLimiterTests {
    @Test func theOrderGroupAllowsTwelveASecondThenMakesCallersWait() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        let waits = (0..<13).map { _ in limiter.reserve(.order) }
        #expect(waits.prefix(12).allSatisfy { $0 == 0 })
        #expect(abs(waits[12] - 1.0 / 12) < 1e-9)
        clock.advance(1)
        #expect(limiter.reserve(.order) == 0)
    }

    @Test func cancelAllIsOneRequestPerTwoSeconds() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        #expect(limiter.reserve(.orderCancelAll) == 0)
        #expect(limiter.reserve(.orderCancelAll) == 2)
    }

    @Test func remainingRequestsHeadersParseWithHyphenatedGroups() {
        #expect(RateLimiter.parse(remainingRequests: "group=default; min=1800; sec=29")! == ("default", 29))
        #expect(RateLimiter.parse(remainingRequests: "group=order-cancel-all; min=1; sec=0")! == ("order-cancel-all", 0))
        #expect(RateLimiter.parse(remainingRequests: "group=websocket; min=300; sec=3")! == ("websocket", 3))
        #expect(RateLimiter.parse(remainingRequests: "nonsense") == nil)
    }

    @Test func secZeroWaitsForTheNextSecond() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        limiter.observe(remainingRequests: "group=default; min=1800; sec=0")
        #expect(limiter.reserve(.default) >= 1)
    }

    @Test func tooManyRequestsBacksOffExponentiallyAndResetsAfterSuccess() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        limiter.tooManyRequests(.default)
        #expect(limiter.blockedFor(.default) == 1)
        clock.advance(1)
        limiter.tooManyRequests(.default)
        #expect(limiter.blockedFor(.default) == 2)
        limiter.succeeded(.default)
        clock.advance(2)
        limiter.tooManyRequests(.default)
        #expect(limiter.blockedFor(.default) == 1)
    }

    @Test func aBanStopsOnlyItsGroupUntilTheStatedTime() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        limiter.banned(.order, seconds: 300)
        #expect(limiter.blockedFor(.order) == 300)
        #expect(limiter.reserve(.order) == 300)
        #expect(limiter.reserve(.default) == 0)
        limiter.banned(.candle, seconds: nil)
        #expect(limiter.blockedFor(.candle) == 60)
    }
}
