import Core
import Shells
import TestSupport
import Testing

/// strategy.md §4 worked example: buy at 500,000; take profit 501,500; stop loss 495,000.
@Suite struct WorkedExampleTests {
    static let buy = upbitOrder("t-1-b1", "KRW-BTC", .marketBuy(amount: 500_000))
    static let sell = upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1))

    @Test func surgeWithBidsAndRSIAbove30BuysHalfTheEquityAtMarket() {
        var (ready, btc) = givenSurgeReady()
        let store = TestStore(ready, exhaustivity: .tradingState)
        store.send(btc.trade(500_000, "1", at: at(30, 5))) {
            $0.positions = [openingPosition(1, "KRW-BTC", amount: 500_000, orders: ["t-1-b1"], nextAttempt: 2)]
            // 500,000 + 0.05 % fee set aside
            $0.orders["t-1-b1"] = sentOrder(WorkedExampleTests.buy, .entry, reserved: fixed("500250"), at: at(30, 5))
            $0.cash = fixed("499750")
            $0.counters.nextPositionId = 2
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(WorkedExampleTests.buy)])
        store.finish()
    }

    @Test func filledMarketBuyInStateCancelOpensThePositionWithOCOPrices() {
        let (sent, _, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .full)
        store.send(.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))) {
            $0.now = at(30, 5, 100)
            $0.orders["t-1-b1"]?.uuid = "u-b1"
            $0.orders["t-1-b1"]?.phase = .open
        }
        store.receive([])
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 5, 200))) {
            $0.now = at(30, 5, 200)
            $0.orders = [:]
            $0.positions[0].phase = .open
            $0.positions[0].openedAt = at(30, 5, 200)
            $0.positions[0].enteredQuantity = 1
            $0.positions[0].enteredQuote = 500_000
            $0.positions[0].entryFee = 250
            $0.positions[0].quantity = 1
            $0.positions[0].takeProfitPrice = 501_500
            $0.positions[0].stopPrice = 495_000
            $0.positions[0].orderIdentifiers = []
            $0.cash = 499_750  // the reserve was spent exactly: nothing comes back
            $0.counters.orderActivity += 2
        }
        store.receive([notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 5, 200))])
        store.finish()
    }

    @Test func tradeAtTakeProfitSellsEverythingAtMarketAndWritesOneTakeProfitLeg() {
        var (opened, btc, _) = givenPositionOpen()
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(btc.trade(501_000, "0.01", at: at(30, 6)))
        store.receive([])
        store.send(btc.trade(501_500, "0.01", at: at(30, 7))) {
            $0.orders["t-1-s2"] = sentOrder(WorkedExampleTests.sell, .exit, .takeProfit, at: at(30, 7))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(WorkedExampleTests.sell)])

        store.send(update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 7, 300))) {
            $0.positions = []
            $0.orders = [:]
            $0.cash = fixed("1000999.25")
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("999.25")
            $0.risk.cooldownUntil = ["KRW-BTC": at(35, 7, 300)]
        }
        let leg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000,
            exitTime: at(30, 7, 300), exitPrice: 501_500, quantity: 1, grossPnL: 1_500, fee: fixed("500.75"),
            netPnL: fixed("999.25"), returnPercent: fixed("0.19985"), reason: .takeProfit)
        store.receive([.bookLeg(leg, orderIdentifier: "t-1-s2"),
                       notify(.exit, "KRW-BTC", "take_profit: sold 1 KRW-BTC at 501500, net 999 KRW", at: at(30, 7, 300))])
        store.finish()
    }

    @Test func tradeAtStopLossSellsEverythingWithReasonStopLoss() {
        var (opened, btc, _) = givenPositionOpen()
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(btc.trade(495_500, "0.01", at: at(30, 6)))
        store.receive([])
        store.send(btc.trade(495_000, "0.01", at: at(30, 7))) {
            $0.orders["t-1-s2"] = sentOrder(WorkedExampleTests.sell, .exit, .stopLoss, at: at(30, 7))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(WorkedExampleTests.sell)])

        store.send(update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "247.5", at: at(30, 7, 300))) {
            $0.positions = []
            $0.orders = [:]
            $0.cash = fixed("994502.5")  // 499,750 + 495,000 − 247.5
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("-5497.5")
            $0.risk.cooldownUntil = ["KRW-BTC": at(35, 7, 300)]
        }
        let leg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000,
            exitTime: at(30, 7, 300), exitPrice: 495_000, quantity: 1, grossPnL: -5_000, fee: fixed("497.5"),
            netPnL: fixed("-5497.5"), returnPercent: fixed("-1.0995"), reason: .stopLoss)
        store.receive([.bookLeg(leg, orderIdentifier: "t-1-s2"),
                       notify(.exit, "KRW-BTC", "stop_loss: sold 1 KRW-BTC at 495000, net -5498 KRW", at: at(30, 7, 300))])
        store.finish()
    }

    @Test func theLateAckAndDuplicateFillOfAClosedOrderChangeNothing() {
        let (opened, _, _) = givenPositionOpen()
        let store = TestStore(opened, exhaustivity: .full)
        // Nothing in the books moves: the events are only counted as ignored (and move the clock).
        store.send(.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 300))) {
            $0.now = at(30, 5, 300)
            $0.statistics.ignoredOrderEvents += 1
        }
        store.receive([])
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 5, 400))) {
            $0.now = at(30, 5, 400)
            $0.statistics.ignoredOrderEvents += 1
        }
        store.receive([])
        store.finish()
    }
}
