import Core
import Shells
import TestSupport
import Testing

/// Issue 11, item 6: an update that contradicts what the order could do is not a fill.
@Suite struct OrderUpdateTrustTests {
    @Test func aMarketBuyClaimingTenTimesTheVolumeIsNotBookedButSettledByAQuery() {
        var (state, _, _) = givenEntrySent()
        // 10 BTC for 500,000 KRW is 50,000 a coin, where the book asks 500,500.
        let lie = update("t-1-b1", "KRW-BTC", .cancel, volume: "10", funds: "500000", fee: "250", at: at(30, 5, 200))
        #expect(run(&state, [lie]) == [notify(.warning, "KRW-BTC",
            "order t-1-b1: an update contradicts what the order could do (10 for 500000 KRW): not booked, asking the exchange",
            at: at(30, 5, 200))])
        #expect(state.statistics.inconsistentOrderUpdates == 1)
        #expect(state.positions[0].quantity == 0)
        #expect(state.orders["t-1-b1"]?.nextQueryAt == at(30, 6, 200))
        // The same lie again changes nothing but the count; the query goes out on time.
        let before = state
        #expect(run(&state, [lie]) == [])
        #expect(state.orders == before.orders && state.positions == before.positions)
        #expect(run(&state, [.timerFired(time: at(30, 6))]) == [])
        #expect(run(&state, [.timerFired(time: at(30, 7))]) == [.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])
        let truth = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250",
                                        at: at(30, 7, 100))])
        #expect(truth == [notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 7, 100))])
    }

    /// A price is judgement: when the exchange, asked, answers the same amounts, they are booked
    /// (a fast market, a book seen late). What no price explains never is.
    @Test func aQueryConfirmingAnUnusualPriceIsBooked() {
        var (state, _, _) = givenEntrySent()
        let unusual = update("t-1-b1", "KRW-BTC", .cancel, volume: "1.1", funds: "500000", fee: "250", at: at(30, 5, 200))
        run(&state, [unusual, .timerFired(time: at(30, 7))])
        #expect(state.positions[0].quantity == 0)
        run(&state, [unusual])  // the query's answer
        #expect(state.positions[0].quantity == fixed("1.1"))
        #expect(state.statistics.inconsistentOrderUpdates == 1)
    }

    @Test func aLyingExchangeGetsQueriesLaterEachTime() {
        var (state, _, _) = givenEntrySent()
        func lie(_ volume: String, at time: Milliseconds) -> Event {
            update("t-1-b1", "KRW-BTC", .trade, volume: volume, funds: "400000", fee: "200", at: time)
        }
        func truth(_ volume: String, at time: Milliseconds) -> Event {
            update("t-1-b1", "KRW-BTC", .trade, volume: volume, funds: "\(500_000 * Int(volume)!)", fee: "0", at: time)
        }
        run(&state, [lie("10", at: at(30, 5, 200))])
        #expect(state.orders["t-1-b1"]?.nextQueryAt == at(30, 6, 200))  // 1 s
        run(&state, [.timerFired(time: at(30, 7)), truth("0", at: at(30, 7, 100)), lie("20", at: at(30, 7, 200))])
        #expect(state.orders["t-1-b1"]?.nextQueryAt == at(30, 9, 200))  // 2 s
        run(&state, [.timerFired(time: at(30, 10)), truth("0", at: at(30, 10, 100)), lie("30", at: at(30, 10, 200))])
        #expect(state.orders["t-1-b1"]?.nextQueryAt == at(30, 14, 200))  // 4 s, … up to 60 s
        #expect(state.statistics.inconsistentOrderUpdates == 3)
    }

    @Test func aSellOfMoreThanIsHeldOrAtAnImpossiblePriceIsNotBooked() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))])  // stop loss: t-1-s2 sells 1 BTC
        // 1 BTC at 5,000,000: ten times the book.
        run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "5000000", fee: "2500", at: at(30, 6, 100))])
        // A fee of 10,000 KRW on 495,000 (over 1 %).
        run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "10000", at: at(30, 6, 200))])
        #expect(state.statistics.inconsistentOrderUpdates == 2)
        #expect(state.positions[0].quantity == 1)
        #expect(state.cash == 499_750)
    }

    @Test func aLimitBuyPaidAboveItsPriceIsNotAFill() {
        var config = Config()
        config.entry.order = .limit
        var (state, _, _) = givenEntrySent(config)  // 1 BTC at 500,000
        run(&state, [update("t-1-b1", "KRW-BTC", .trade, volume: "0.5", funds: "300000", fee: "150", at: at(30, 6))])
        #expect(state.statistics.inconsistentOrderUpdates == 1)
        #expect(state.positions[0].quantity == 0)
    }

    @Test func aFillAfterTheOrderEndedIsIgnored() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(501_500, "0.01", at: at(30, 6)),
                     update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 6, 100))])
        #expect(state.positions.isEmpty)
        let cash = state.cash
        let late = run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "2", funds: "1003000", fee: "501.5", at: at(30, 6, 200))])
        #expect(late == [])
        #expect(state.cash == cash)
        #expect(state.statistics.ignoredOrderEvents == 1)
    }

    /// An answer that comes long after the send met a market that may have moved: its price is
    /// not judged (a crash delayed it), only what the order could never do is.
    @Test func aLateAnswerAtAnOldPriceIsStillBooked() {
        var (state, btc, _) = givenEntrySent()
        run(&state, [.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 100)),
                     .orderQueryFailed(identifier: "t-1-b1", time: at(30, 5, 200)),
                     btc.book(bid: 2, ask: 1, at: at(31, 10), bestBid: 600_000, bestAsk: 600_500),
                     btc.trade(600_000, "0.01", at: at(31, 10, 100))])
        run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(31, 11))])
        #expect(state.positions[0].quantity == 1)
        #expect(state.statistics.inconsistentOrderUpdates == 0)
    }
}
