import Core
import Shells
import TestSupport
import Testing

/// Issue 11, item 2: no event from the exchange moves the clock by more than the bound.
@Suite struct ClockTests {
    static let day: Milliseconds = 86_400_000

    @Test func aTradeDatedADayAheadIsRejectedAndTheClockStays() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [.timerFired(time: at(30, 6))])
        // A print a day ahead at a stop-loss price: rejected whole, no sell, the clock stays.
        let future = run(&state, [btc.trade(495_000, "0.01", at: at(30, 6) + ClockTests.day)])
        #expect(future == [notify(.warning, nil,
            "an exchange event dated 86400 s ahead of the bot's clock was rejected (1 so far): check the clock", at: at(30, 6))])
        #expect(state.now == at(30, 6))
        #expect(state.statistics.futureEvents == 1)
        #expect(state.market("KRW-BTC")?.lastPrice == 500_000)
        // The next real trade is not late: the stop loss works.
        let stop = run(&state, [btc.trade(495_000, "0.01", at: at(30, 7))])
        #expect(stop == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))])
        #expect(state.statistics.lateTrades == 0)
    }

    /// The bound is per event: a venue whose clock runs ahead (the local server at 10x) is
    /// followed step by step.
    @Test func aVenueWhoseClockRunsAheadIsFollowedStepByStep() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [.timerFired(time: at(30, 6))])
        run(&state, [btc.trade(500_000, "0.01", at: at(30, 36)), btc.trade(500_000, "0.01", at: at(31, 6)),
                     btc.trade(500_000, "0.01", at: at(31, 36)), .timerFired(time: at(30, 7))])
        #expect(state.now == at(31, 36))
        #expect(state.statistics.futureEvents == 0)
    }

    @Test func anAnswerDatedBeyondTheBoundIsAppliedWithoutMovingTheClock() {
        var (state, _, _) = givenEntrySent()
        run(&state, [.timerFired(time: at(30, 6))])
        run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 6) + ClockTests.day)])
        #expect(state.now == at(30, 6))  // applied, its time ignored
        #expect(state.orders["t-1-b1"]?.phase == .open)
    }

    @Test func aMyOrderFrameFromTheFutureIsNotBookedButSettledByAQuery() {
        var (state, _, _) = givenEntrySent()
        run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100)),
                     .timerFired(time: at(30, 6))])
        let future = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250",
                                         at: at(30, 6) + ClockTests.day)])
        #expect(future.count == 1)  // the clock warning
        #expect(state.statistics.futureEvents == 1)
        #expect(state.positions[0].quantity == 0)
        #expect(state.orders["t-1-b1"]?.nextQueryAt == at(30, 7))
        #expect(run(&state, [.timerFired(time: at(30, 7))]) == [.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])
        // The query's answer carries the driver's time: believed.
        let answer = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250",
                                         at: at(30, 7, 100))])
        #expect(answer == [notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 7, 100))])
    }

    @Test func withoutADriverClockFrameTimeIsTheClockAsInBacktests() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t"))
        var btc = Market("KRW-BTC")
        run(&state, [btc.trade(500_000, "0.1", at: at(0)), btc.trade(500_000, "0.1", at: at(0) + ClockTests.day)])
        #expect(state.now == at(0) + ClockTests.day)
        #expect(state.statistics.futureEvents == 0)
    }

    @Test func daysAtOtherOffsets() {
        #expect(Time.day(t0, offsetMinutes: 0) == 20_454)  // 00:00 UTC
        #expect(Time.day(t0 - 1, offsetMinutes: 0) == 20_453)
        #expect(Time.day(t0 - 1, offsetMinutes: -60) == 20_453)  // 22:59:59.999 at UTC-1
        #expect(Time.day(t0 + 3_600_000 - 1, offsetMinutes: -60) == 20_453)  // 23:59:59.999 at UTC-1
        #expect(Time.day(t0 + 3_600_000, offsetMinutes: -60) == 20_454)
    }

    @Test func kstDaysOfExtremeTimes() {
        #expect(Time.day(t0, offsetMinutes: 540) == 20_454)
        #expect(Time.day(t0 - 9 * 3_600_000 - 1, offsetMinutes: 540) == 20_453)  // 23:59:59.999 KST the day before
        #expect(Time.day(Int64.max, offsetMinutes: 540) == 106_751_991_167)
        #expect(Time.day(Int64.min, offsetMinutes: 540) == -106_751_991_167)  // floor((min + 9 h) / day)
        #expect(Time.day(-1, offsetMinutes: 540) == 0)  // 08:59:59.999 KST on 1970-01-01
        #expect(Time.adding(.max, 5_000) == .max)
        #expect(Time.duration(Int.max, Time.minute) == .max)
    }

    /// Any time an event can carry, in any order, with the largest settings allowed: no trap,
    /// invariants hold (checked by `run` after every step).
    @Test(arguments: [Int64.max, Int64.max - 1, 1 << 62, 0, -1, Int64.min, Int64.min + 1])
    func extremeTimesNeverTrap(time: Milliseconds) {
        for config in [Config(), ConfigBoundsTests.largest()] {
            var (state, btc, _) = givenPositionOpen(config)
            var other = Market("KRW-XRP")
            run(&state, [btc.trade(500_000, "0.01", at: time), btc.book(bid: 1, ask: 2, at: time),
                         other.trade(700, "1", at: time), .timerFired(time: time),
                         btc.trade(500_000, "0.01", at: time), other.trade(700, "1", at: time),
                         update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "247.5", at: time),
                         .closeRequested(market: "KRW-BTC", time: time), .timerFired(time: time),
                         .recovered(time: time), .timerFired(time: time)])
            #expect(state.now >= at(30, 5, 200))
        }
    }
}
