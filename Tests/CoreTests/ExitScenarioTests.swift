import Core
import Shells
import TestSupport
import Testing

@Suite struct ExitScenarioTests {
    @Test func partialTakeProfitThenTrailingStopWritesTwoLegs() {
        var config = Config()
        config.exit.partialFraction = fixed("0.5")
        config.exit.trailingStop = fixed("0.002")
        var (state, btc, _) = givenPositionOpen(config)

        // Take-profit reached: half is sold, the stop moves to break even, the trail arms at 501,500.
        let partial = run(&state, [btc.trade(501_500, "0.01", at: at(30, 6))])
        #expect(partial == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: fixed("0.5"))))])
        #expect(state.positions[0].partialTaken)
        #expect(state.positions[0].stopPrice == fixed("500500.2501250625312656"))  // 500,000 * 1.0005 / 0.9995
        #expect(state.positions[0].trailingExtreme == 501_500)

        var ledger = legs(run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "0.5", funds: "250750", fee: "125.375",
                                              at: at(30, 6, 200))]))
        #expect(state.positions[0].quantity == fixed("0.5"))

        // The trail follows the high (502,500) and exits 0.2 % below it (501,495).
        #expect(run(&state, [btc.trade(502_500, "0.01", at: at(30, 7))]) == [])
        #expect(run(&state, [btc.trade(501_600, "0.01", at: at(30, 8))]) == [])
        let trail = run(&state, [btc.trade(501_400, "0.01", at: at(30, 9))])
        #expect(trail == [.placeOrder(upbitOrder("t-1-s3", "KRW-BTC", .marketSell(volume: fixed("0.5"))))])
        ledger += legs(run(&state, [update("t-1-s3", "KRW-BTC", .done, volume: "0.5", funds: "250700", fee: "125.35",
                                           at: at(30, 9, 200))]))

        #expect(ledger.map(\.reason) == [.partialTakeProfit, .trailingStop])
        #expect(ledger.map(\.quantity) == [fixed("0.5"), fixed("0.5")])
        #expect(ledger.map(\.fee) == [fixed("250.375"), fixed("250.35")])
        #expect(ledger.map(\.netPnL) == [fixed("499.625"), fixed("449.65")])
        #expect(state.positions.isEmpty)
    }

    @Test func trailingStopWithoutPartialArmsAtTakeProfitInsteadOfSelling() {
        var config = Config()
        config.exit.trailingStop = fixed("0.002")
        var (state, btc, _) = givenPositionOpen(config)
        #expect(run(&state, [btc.trade(501_500, "0.01", at: at(30, 6))]) == [])
        #expect(state.positions[0].trailingExtreme == 501_500)
        let exit = run(&state, [btc.trade(500_400, "0.01", at: at(30, 7))])  // <= 501,500 * 0.998 = 500,497
        #expect(exit == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))])
        #expect(state.orders["t-1-s2"]?.exitReason == .trailingStop)
    }

    @Test func limitTakeProfitStopCancelsTheRestingSellThenSellsWhatIsStillHeld() {
        var config = Config()
        config.exit.order = .limitTakeProfit
        var (state, btc, opened) = givenPositionOpen(config)
        #expect(opened.last == .placeOrder(upbitOrder("t-1-t2", "KRW-BTC", .limit(side: .sell, price: 501_500, volume: 1))))
        run(&state, [.orderAccepted(identifier: "t-1-t2", uuid: "u-t2", time: at(30, 5, 300))])

        // The stop triggers: first the cancel, and nothing is sold yet.
        let stop = run(&state, [btc.trade(495_000, "0.01", at: at(30, 8))])
        #expect(stop == [.cancelOrder(identifier: "t-1-t2", uuid: "u-t2")])
        #expect(state.positions[0].pendingExit == .stopLoss)
        #expect(run(&state, [.cancelAccepted(identifier: "t-1-t2", time: at(30, 8, 100))]) == [])
        #expect(run(&state, [btc.trade(494_500, "0.01", at: at(30, 8, 500))]) == [])

        // The resting sell had 0.4 filled before the cancel took effect: a take_profit leg, then
        // a market sell of the 0.6 still held.
        let ended = run(&state, [update("t-1-t2", "KRW-BTC", .cancel, volume: "0.4", funds: "200600", fee: "100.3",
                                        at: at(30, 8, 600))])
        #expect(ended.last == .placeOrder(upbitOrder("t-1-s3", "KRW-BTC", .marketSell(volume: fixed("0.6")))))
        let ledger = legs(ended) + legs(run(&state, [update("t-1-s3", "KRW-BTC", .done, volume: "0.6", funds: "297000",
                                                             fee: "148.5", at: at(30, 9))]))

        #expect(ledger.map(\.reason) == [.takeProfit, .stopLoss])
        #expect(ledger.map(\.quantity) == [fixed("0.4"), fixed("0.6")])
        #expect(ledger.map(\.netPnL) == [fixed("399.7"), fixed("-3298.5")])
        #expect(state.positions.isEmpty)
        #expect(state.cash == fixed("997101.2"))  // 1,000,000 - 500,250 + 200,499.7 + 296,851.5
    }

    @Test func restingTakeProfitFilledCompletelyClosesThePosition() {
        var config = Config()
        config.exit.order = .limitTakeProfit
        var (state, _, _) = givenPositionOpen(config)
        run(&state, [.orderAccepted(identifier: "t-1-t2", uuid: "u-t2", time: at(30, 5, 300))])
        let ledger = legs(run(&state, [update("t-1-t2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75",
                                              at: at(30, 9))]))
        #expect(ledger.map(\.reason) == [.takeProfit])
        #expect(state.positions.isEmpty)
        #expect(state.orders.isEmpty)
    }

    @Test func timeStopSellsAfterMaxHoldMinutes() {
        var config = Config()
        config.exit.maxHoldMinutes = 3
        var (state, btc, _) = givenPositionOpen(config)
        // Opened at 30:05.200: the clock check of second 33:05 runs at 33:05.100, 100 ms short.
        #expect(run(&state, [btc.trade(500_100, "0.01", at: at(33, 5, 100))]) == [])
        #expect(run(&state, [btc.trade(500_100, "0.01", at: at(33, 5, 300))]) == [])
        let timed = run(&state, [btc.trade(500_100, "0.01", at: at(33, 6))])
        #expect(timed == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))])
        #expect(state.orders["t-1-s2"]?.exitReason == .timeStop)
    }

    @Test func rejectedExitIsRetriedUnderANewIdentifierAfterFiveSeconds() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 7))])
        let rejected = run(&state, [.orderRejected(identifier: "t-1-s2", error: "market_offline", time: at(30, 7, 100))])
        #expect(rejected == [notify(.warning, "KRW-BTC", "order t-1-s2 rejected: market_offline", at: at(30, 7, 100))])
        #expect(run(&state, [.timerFired(time: at(30, 12))]) == [])  // 100 ms short of 5 s
        let retry = run(&state, [.timerFired(time: at(30, 13))])
        #expect(retry == [.placeOrder(upbitOrder("t-1-s3", "KRW-BTC", .marketSell(volume: 1)))])
        #expect(state.orders["t-1-s3"]?.exitReason == .stopLoss)
    }
}
