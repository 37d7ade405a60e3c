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
        #expect(abs(waits[12] - 1.02) < 1e-9)  // a second after the first, plus the margin
        clock.advance(2)
        #expect(limiter.reserve(.order) == 0)
    }

    /// At a restart nothing says how many requests are left: 31 default-group requests sent as
    /// fast as allowed must span more than a second (Upbit allows 30 per second).
    @Test func aBurstNeverPutsMoreThanTheLimitInAnySecond() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        var sent: [Double] = []
        for _ in 0..<95 {
            let wait = limiter.reserve(.default)
            clock.advance(wait)
            sent.append(clock.now)
            clock.advance(0.001)
        }
        for (index, time) in sent.enumerated() where index >= 30 {
            #expect(time - sent[index - 30] >= 1.0, "request \(index)")
        }
    }

    @Test func theServerSideAdmitsTheLimitPerWindowAndNoMore() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        #expect((0..<30).allSatisfy { _ in limiter.admit(.default) })
        #expect(!limiter.admit(.default))
        clock.advance(0.999)
        #expect(!limiter.admit(.default))
        clock.advance(0.002)
        #expect(limiter.admit(.default))
    }

    @Test func remainingRequestsLowerThanOursTighten() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        limiter.observe(remainingRequests: "group=default; min=1800; sec=2")
        #expect(limiter.reserve(.default) == 0)
        #expect(limiter.reserve(.default) == 0)
        #expect(limiter.reserve(.default) > 0.9)
    }

    @Test func cancelAllIsOneRequestPerTwoSeconds() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: { clock.now })
        #expect(limiter.reserve(.orderCancelAll) == 0)
        #expect(abs(limiter.reserve(.orderCancelAll) - 2.02) < 1e-9)
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
