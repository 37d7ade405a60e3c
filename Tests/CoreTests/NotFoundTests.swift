import Core
import Shells
import TestSupport
import Testing

/// Issue 12: an exit whose send got an unprocessed 5xx is re-sent within seconds once two
/// queries and the open-orders list agree it is absent, never while it may exist.
@Suite struct NotFoundTests {
    static func sell(_ identifier: String) -> Command {
        .placeOrder(upbitOrder(identifier, "KRW-BTC", .marketSell(volume: 1)))
    }

    @Test func anAbsentExitIsResentAboutThreeSecondsAfterTheFirstNotFound() {
        var (state, btc, _) = givenPositionOpen()
        #expect(run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))]) == [NotFoundTests.sell("t-1-s2")])
        #expect(run(&state, [.orderOutcomeUnknown(identifier: "t-1-s2", time: at(30, 6, 100))]) == [.queryOrder(identifier: "t-1-s2", market: "KRW-BTC")])
        #expect(run(&state, [.orderNotFound(identifier: "t-1-s2", time: at(30, 6, 200))]) == [.fetchOpenOrders(requestId: 1)])
        #expect(run(&state, [.openOrdersFetched(requestId: 1, orders: [], time: at(30, 6, 300))]) == [])
        #expect(run(&state, [.timerFired(time: at(30, 7))]) == [])
        #expect(run(&state, [.timerFired(time: at(30, 8))]) == [])  // 200 ms short of 2 s after the first answer
        #expect(run(&state, [.timerFired(time: at(30, 9))]) == [.queryOrder(identifier: "t-1-s2", market: "KRW-BTC")])
        let gone = run(&state, [.orderNotFound(identifier: "t-1-s2", time: at(30, 9, 100))])
        #expect(gone == [
            notify(.warning, "KRW-BTC", "order t-1-s2 never reached the exchange (not found twice, not among the open orders)",
                   at: at(30, 9, 100)),
            NotFoundTests.sell("t-1-s3"),
        ])
        #expect(state.orders["t-1-s3"]?.exitReason == .stopLoss)
    }

    @Test func theOpenOrdersListMayArriveLast() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6)), .orderOutcomeUnknown(identifier: "t-1-s2", time: at(30, 6, 100)),
                     .orderNotFound(identifier: "t-1-s2", time: at(30, 6, 200)), .timerFired(time: at(30, 9))])
        #expect(run(&state, [.orderNotFound(identifier: "t-1-s2", time: at(30, 9, 100))]) == [])
        let listed = run(&state, [.openOrdersFetched(requestId: 1, orders: [], time: at(30, 9, 200))])
        #expect(listed.last == NotFoundTests.sell("t-1-s3"))
    }

    @Test func anOrderTheOpenOrdersListHoldsIsNotGivenUp() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6)), .orderOutcomeUnknown(identifier: "t-1-s2", time: at(30, 6, 100)),
                     .orderNotFound(identifier: "t-1-s2", time: at(30, 6, 200))])
        let open = OrderUpdate(identifier: "t-1-s2", uuid: "u-s2", market: "KRW-BTC", state: .open, executedQuantity: 0,
                               executedQuote: 0, paidFee: 0, time: at(30, 6, 300))
        run(&state, [.openOrdersFetched(requestId: 1, orders: [open], time: at(30, 6, 300)), .timerFired(time: at(30, 9))])
        #expect(run(&state, [.orderNotFound(identifier: "t-1-s2", time: at(30, 9, 100))]) == [.fetchOpenOrders(requestId: 2)])
        #expect(state.orders["t-1-s2"]?.phase == .unknown)
    }
}
