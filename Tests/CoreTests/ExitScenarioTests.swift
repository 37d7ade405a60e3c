import Core
import Shells
import TestSupport
import Testing

/// Exits of the worked example's position (1 BTC bought at 500,000 for 500,000 KRW, fee 250;
/// 499,750 KRW left; take-profit 501,500, stop 495,000), every step through an exhaustive store.
@Suite struct ExitScenarioTests {
    static func sell(_ identifier: String, _ volume: Fixed) -> OrderRequest {
        upbitOrder(identifier, "KRW-BTC", .marketSell(volume: volume))
    }

    @Test func partialTakeProfitThenTrailingStopWritesTwoLegs() {
        var config = Config()
        config.exit.partialFraction = fixed("0.5")
        config.exit.trailingStop = fixed("0.002")
        var (opened, btc, _) = givenPositionOpen(config)
        let store = TestStore(opened, exhaustivity: .tradingState)

        // Take-profit reached: half is sold, the stop moves to break even, the trail arms at 501,500.
        store.send(btc.trade(501_500, "0.01", at: at(30, 6))) {
            $0.orders["t-1-s2"] = sentOrder(ExitScenarioTests.sell("t-1-s2", fixed("0.5")), .exit, .partialTakeProfit,
                                            at: at(30, 6))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.positions[0].partialTaken = true
            $0.positions[0].stopPrice = fixed("500500.2501250625312656")  // 500,000 * 1.0005 / 0.9995
            $0.positions[0].trailingExtreme = 501_500
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ExitScenarioTests.sell("t-1-s2", fixed("0.5")))])

        store.send(update("t-1-s2", "KRW-BTC", .done, volume: "0.5", funds: "250750", fee: "125.375", at: at(30, 6, 200))) {
            $0.orders = [:]
            $0.positions[0].orderIdentifiers = []
            $0.positions[0].quantity = fixed("0.5")
            $0.positions[0].exitedQuantity = fixed("0.5")
            $0.positions[0].recordedQuantity = fixed("0.5")
            $0.positions[0].recordedEntryFee = 125  // half of the 250 entry fee
            $0.positions[0].lastExitReason = .partialTakeProfit
            $0.cash = fixed("750374.625")  // 499,750 + 250,750 − 125.375
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("499.625")
        }
        let partialLeg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 6, 200),
            exitPrice: 501_500, quantity: fixed("0.5"), grossPnL: 750, fee: fixed("250.375"), netPnL: fixed("499.625"),
            returnPercent: fixed("0.19985"), reason: .partialTakeProfit)
        store.receive([.bookLeg(partialLeg, orderIdentifier: "t-1-s2"),
                       notify(.exit, "KRW-BTC", "partial_take_profit: sold 0.5 KRW-BTC at 501500, net 499 KRW",
                              at: at(30, 6, 200))])

        // The trail follows the high (502,500) and exits 0.2 % below it (501,495).
        store.send(btc.trade(502_500, "0.01", at: at(30, 7))) { $0.positions[0].trailingExtreme = 502_500 }
        store.receive([])
        store.send(btc.trade(501_600, "0.01", at: at(30, 8)))
        store.receive([])
        store.send(btc.trade(501_400, "0.01", at: at(30, 9))) {
            $0.orders["t-1-s3"] = sentOrder(ExitScenarioTests.sell("t-1-s3", fixed("0.5")), .exit, .trailingStop, at: at(30, 9))
            $0.positions[0].orderIdentifiers = ["t-1-s3"]
            $0.positions[0].nextAttempt = 4
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ExitScenarioTests.sell("t-1-s3", fixed("0.5")))])

        store.send(update("t-1-s3", "KRW-BTC", .done, volume: "0.5", funds: "250700", fee: "125.35", at: at(30, 9, 200))) {
            $0.orders = [:]
            $0.positions = []
            $0.cash = fixed("1000949.275")  // 750,374.625 + 250,700 − 125.35
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("949.275")  // 499.625 + 449.65
            $0.risk.cooldownUntil = ["KRW-BTC": at(35, 9, 200)]
        }
        let trailLeg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 9, 200),
            exitPrice: 501_400, quantity: fixed("0.5"), grossPnL: 700, fee: fixed("250.35"), netPnL: fixed("449.65"),
            returnPercent: fixed("0.17986"), reason: .trailingStop)
        store.receive([.bookLeg(trailLeg, orderIdentifier: "t-1-s3"),
                       notify(.exit, "KRW-BTC", "trailing_stop: sold 0.5 KRW-BTC at 501400, net 449 KRW", at: at(30, 9, 200))])
        store.finish()
    }

    @Test func trailingStopWithoutPartialArmsAtTakeProfitInsteadOfSelling() {
        var config = Config()
        config.exit.trailingStop = fixed("0.002")
        var (opened, btc, _) = givenPositionOpen(config)
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(btc.trade(501_500, "0.01", at: at(30, 6))) { $0.positions[0].trailingExtreme = 501_500 }
        store.receive([])
        store.send(btc.trade(500_400, "0.01", at: at(30, 7))) {  // <= 501,500 * 0.998 = 500,497
            $0.orders["t-1-s2"] = sentOrder(ExitScenarioTests.sell("t-1-s2", 1), .exit, .trailingStop, at: at(30, 7))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ExitScenarioTests.sell("t-1-s2", 1))])
        store.finish()
    }

    @Test func limitTakeProfitStopCancelsTheRestingSellThenSellsWhatIsStillHeld() {
        var config = Config()
        config.exit.order = .limitTakeProfit
        var (opened, btc, openedCommands) = givenPositionOpen(config)
        let resting = upbitOrder("t-1-t2", "KRW-BTC", .limit(side: .sell, price: 501_500, volume: 1))
        #expect(openedCommands.last == .placeOrder(resting))
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(.orderAccepted(identifier: "t-1-t2", uuid: "u-t2", time: at(30, 5, 300))) {
            $0.orders["t-1-t2"]?.uuid = "u-t2"
            $0.orders["t-1-t2"]?.phase = .open
        }
        store.receive([])

        // The stop triggers: first the cancel, and nothing is sold yet.
        store.send(btc.trade(495_000, "0.01", at: at(30, 8))) {
            $0.positions[0].pendingExit = .stopLoss
            $0.orders["t-1-t2"]?.phase = .cancelling
            $0.orders["t-1-t2"]?.nextQueryAt = at(30, 13)  // asked about if no final state comes in 5 s
        }
        store.receive([.cancelOrder(identifier: "t-1-t2", uuid: "u-t2", market: "KRW-BTC")])
        store.send(.cancelAccepted(identifier: "t-1-t2", time: at(30, 8, 100))) {
            $0.orders["t-1-t2"]?.nextQueryAt = at(30, 13, 100)
        }
        store.receive([])
        store.send(btc.trade(494_500, "0.01", at: at(30, 8, 500)))
        store.receive([])

        // The resting sell had 0.4 filled before the cancel took effect: a take_profit leg, then
        // a market sell of the 0.6 still held.
        store.send(update("t-1-t2", "KRW-BTC", .cancel, volume: "0.4", funds: "200600", fee: "100.3", at: at(30, 8, 600))) {
            $0.orders = ["t-1-s3": sentOrder(ExitScenarioTests.sell("t-1-s3", fixed("0.6")), .exit, .stopLoss, at: at(30, 8, 600))]
            $0.positions[0].orderIdentifiers = ["t-1-s3"]
            $0.positions[0].nextAttempt = 4
            $0.positions[0].pendingExit = nil
            $0.positions[0].quantity = fixed("0.6")
            $0.positions[0].exitedQuantity = fixed("0.4")
            $0.positions[0].recordedQuantity = fixed("0.4")
            $0.positions[0].recordedEntryFee = 100  // 0.4 of the 250 entry fee
            $0.positions[0].lastExitReason = .takeProfit
            $0.cash = fixed("700249.7")  // 499,750 + 200,600 − 100.3
            $0.counters.orderActivity += 3  // the fill, the end of t-1-t2, the send of t-1-s3
            $0.risk.dayRealizedPnL = fixed("399.7")
        }
        let takeProfitLeg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 8, 600),
            exitPrice: 501_500, quantity: fixed("0.4"), grossPnL: 600, fee: fixed("200.3"), netPnL: fixed("399.7"),
            returnPercent: fixed("0.19985"), reason: .takeProfit)
        store.receive([.bookLeg(takeProfitLeg, orderIdentifier: "t-1-t2"),
                       notify(.exit, "KRW-BTC", "take_profit: sold 0.4 KRW-BTC at 501500, net 399 KRW", at: at(30, 8, 600)),
                       .placeOrder(ExitScenarioTests.sell("t-1-s3", fixed("0.6")))])

        store.send(update("t-1-s3", "KRW-BTC", .done, volume: "0.6", funds: "297000", fee: "148.5", at: at(30, 9))) {
            $0.orders = [:]
            $0.positions = []
            $0.cash = fixed("997101.2")  // 1,000,000 - 500,250 + 200,499.7 + 296,851.5
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("-2898.8")  // 399.7 − 3,298.5
            $0.risk.cooldownUntil = ["KRW-BTC": at(35, 9)]
        }
        let stopLeg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 9),
            exitPrice: 495_000, quantity: fixed("0.6"), grossPnL: -3_000, fee: fixed("298.5"), netPnL: fixed("-3298.5"),
            returnPercent: fixed("-1.0995"), reason: .stopLoss)
        store.receive([.bookLeg(stopLeg, orderIdentifier: "t-1-s3"),
                       notify(.exit, "KRW-BTC", "stop_loss: sold 0.6 KRW-BTC at 495000, net -3299 KRW", at: at(30, 9))])
        store.finish()
    }

    @Test func restingTakeProfitFilledCompletelyClosesThePosition() {
        var config = Config()
        config.exit.order = .limitTakeProfit
        let (opened, _, _) = givenPositionOpen(config)
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(.orderAccepted(identifier: "t-1-t2", uuid: "u-t2", time: at(30, 5, 300))) {
            $0.orders["t-1-t2"]?.uuid = "u-t2"
            $0.orders["t-1-t2"]?.phase = .open
        }
        store.receive([])
        store.send(update("t-1-t2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 9))) {
            $0.orders = [:]
            $0.positions = []
            $0.cash = fixed("1000999.25")  // 499,750 + 501,500 − 250.75
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("999.25")
            $0.risk.cooldownUntil = ["KRW-BTC": at(35, 9)]
        }
        let leg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 9),
            exitPrice: 501_500, quantity: 1, grossPnL: 1_500, fee: fixed("500.75"), netPnL: fixed("999.25"),
            returnPercent: fixed("0.19985"), reason: .takeProfit)
        store.receive([.bookLeg(leg, orderIdentifier: "t-1-t2"),
                       notify(.exit, "KRW-BTC", "take_profit: sold 1 KRW-BTC at 501500, net 999 KRW", at: at(30, 9))])
        store.finish()
    }

    @Test func timeStopSellsAfterMaxHoldMinutes() {
        var config = Config()
        config.exit.maxHoldMinutes = 3
        var (opened, btc, _) = givenPositionOpen(config)
        let store = TestStore(opened, exhaustivity: .tradingState)
        // Opened at 30:05.200: the clock check of second 33:05 runs at 33:05.100, 100 ms short.
        store.send(btc.trade(500_100, "0.01", at: at(33, 5, 100)))
        store.receive([])
        store.send(btc.trade(500_100, "0.01", at: at(33, 5, 300)))
        store.receive([])
        store.send(btc.trade(500_100, "0.01", at: at(33, 6))) {
            $0.orders["t-1-s2"] = sentOrder(ExitScenarioTests.sell("t-1-s2", 1), .exit, .timeStop, at: at(33, 6))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ExitScenarioTests.sell("t-1-s2", 1))])
        store.finish()
    }

    @Test func rejectedExitIsRetriedUnderANewIdentifierAfterFiveSeconds() {
        var (opened, btc, _) = givenPositionOpen()
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(btc.trade(495_000, "0.01", at: at(30, 7))) {
            $0.orders["t-1-s2"] = sentOrder(ExitScenarioTests.sell("t-1-s2", 1), .exit, .stopLoss, at: at(30, 7))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ExitScenarioTests.sell("t-1-s2", 1))])
        store.send(.orderRejected(identifier: "t-1-s2", error: "market_offline", time: at(30, 7, 100))) {
            $0.orders = [:]
            $0.positions[0].orderIdentifiers = []
            $0.positions[0].exitRejections = 1
            $0.positions[0].pendingExit = .stopLoss
            $0.positions[0].exitRetryAt = at(30, 12, 100)
            $0.counters.orderActivity += 1
        }
        store.receive([notify(.warning, "KRW-BTC", "order t-1-s2 rejected: market_offline", at: at(30, 7, 100))])
        store.send(.timerFired(time: at(30, 12)))  // 100 ms short of 5 s
        store.receive([])
        store.send(.timerFired(time: at(30, 13))) {
            $0.orders["t-1-s3"] = sentOrder(ExitScenarioTests.sell("t-1-s3", 1), .exit, .stopLoss, at: at(30, 13))
            $0.positions[0].orderIdentifiers = ["t-1-s3"]
            $0.positions[0].nextAttempt = 4
            $0.positions[0].pendingExit = nil
            $0.positions[0].exitRetryAt = nil
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ExitScenarioTests.sell("t-1-s3", 1))])
        store.finish()
    }
}
