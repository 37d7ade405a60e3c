import Core
import Shells
import TestSupport
import Testing

/// strategy.md §4 worked example: buy at 500,000; take profit 501,500; stop loss 495,000.
@Suite struct WorkedExampleTests {
    @Test func surgeWithBidsAndRSIAbove30BuysHalfTheEquityAtMarket() {
        let (state, _, commands) = givenEntrySent()
        #expect(commands == [.placeOrder(upbitOrder("t-1-b1", "KRW-BTC", .marketBuy(amount: 500_000)))])
        #expect(state.positions.map(\.phase) == [.opening])
        #expect(state.cash == fixed("499750"))  // 500,000 + 0.05 % fee set aside
        #expect(state.orders["t-1-b1"]?.reserved == fixed("500250"))
    }

    @Test func filledMarketBuyInStateCancelOpensThePositionWithOCOPrices() {
        let (state, _, commands) = givenPositionOpen()
        #expect(commands == [notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 5, 200))])
        let position = state.positions[0]
        #expect(position.phase == .open)
        #expect(position.entryPrice == 500_000)
        #expect(position.takeProfitPrice == 501_500)
        #expect(position.stopPrice == 495_000)
        #expect(position.quantity == 1)
        #expect(position.entryFee == 250)
        #expect(state.orders.isEmpty)
        #expect(state.cash == 499_750)
    }

    @Test func tradeAtTakeProfitSellsEverythingAtMarketAndWritesOneTakeProfitLeg() {
        var (state, btc, _) = givenPositionOpen()
        #expect(run(&state, [btc.trade(501_000, "0.01", at: at(30, 6))]) == [])
        let sell = run(&state, [btc.trade(501_500, "0.01", at: at(30, 7))])
        #expect(sell == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))])

        let filled = run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75",
                                         at: at(30, 7, 300))])
        let leg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000,
            exitTime: at(30, 7, 300), exitPrice: 501_500, quantity: 1, grossPnL: 1_500, fee: fixed("500.75"),
            netPnL: fixed("999.25"), returnPercent: fixed("0.19985"), reason: .takeProfit)
        #expect(filled == [.bookLeg(leg, orderIdentifier: "t-1-s2"),
                           notify(.exit, "KRW-BTC", "take_profit: sold 1 KRW-BTC at 501500, net 999 KRW", at: at(30, 7, 300))])
        #expect(state.positions.isEmpty)
        #expect(state.orders.isEmpty)
        #expect(state.cash == fixed("1000999.25"))
        #expect(state.risk.cooldownUntil == ["KRW-BTC": at(35, 7, 300)])
    }

    @Test func tradeAtStopLossSellsEverythingWithReasonStopLoss() {
        var (state, btc, _) = givenPositionOpen()
        #expect(run(&state, [btc.trade(495_500, "0.01", at: at(30, 6))]) == [])
        let sell = run(&state, [btc.trade(495_000, "0.01", at: at(30, 7))])
        #expect(sell == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))])
        let ledger = legs(run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "247.5",
                                              at: at(30, 7, 300))]))
        #expect(ledger.map(\.reason) == [.stopLoss])
        #expect(ledger[0].netPnL == fixed("-5497.5"))
        #expect(ledger[0].returnPercent == fixed("-1.0995"))
        #expect(state.positions.isEmpty)
    }

    @Test func theLateAckAndDuplicateFillOfAClosedOrderChangeNothing() {
        var (state, _, _) = givenPositionOpen()
        let before = state
        let commands = run(&state, [
            .orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 300)),
            update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 5, 400)),
        ])
        #expect(commands == [])
        #expect(state.positions == before.positions)
        #expect(state.cash == before.cash)
    }
}
