import Core
import Testing
import TestSupport

/// Every exit of a short on the generic test perpetual (fixed 0.1 tick, 0.001 step, 10,000 USDT,
/// leverage 1, fee 0.04 %): the long rules mirrored. The entry: 0.1 BTC sold at 50,000 (5,000
/// USDT of margin, 2 USDT fee); take-profit 49,850 (−0.3 %), stop 50,500 (+1 %).
@Suite struct ShortScenarioTests {
    static func buyBack(_ identifier: String, _ quantity: String) -> OrderRequest {
        OrderRequest(identifier: identifier, market: "BTCUSDT", side: .buy, kind: .market, size: .quantity(fixed(quantity)),
                     reduceOnly: true)
    }

    @Test func theEntryIsAMarketSellOfTheQuantityTheMarginBuys() {
        let (state, _, commands) = givenShortSent()
        let sell = OrderRequest(identifier: "t-1-b1", market: "BTCUSDT", side: .sell, kind: .market, size: .quantity(fixed("0.1")))
        #expect(commands == [.placeOrder(sell)])
        #expect(state.positions.map(\.direction) == [.short])
        // the margin at the price band's worst price (5 % above 50,000: a fill higher asks more
        // margin) + its 0.04 % fee
        #expect(state.orders["t-1-b1"]?.reserved == fixed("5252.1"))
        #expect(state.cash == fixed("4747.9"))
    }

    @Test func aShortTakesProfitBelowItsEntry() {
        var (opened, btc, entryCommands) = givenShortOpen()
        #expect(entryCommands == [notify(.entry, "BTCUSDT", "sold short 0.1 BTCUSDT at 50000 for 5000 USDT", at: at(30, 5, 200))])
        #expect(opened.positions[0].takeProfitPrice == 49_850 && opened.positions[0].stopPrice == 50_500)
        #expect(opened.positions[0].margin == 5_000 && opened.cash == 4_998)
        let store = TestStore(opened, exhaustivity: .tradingState)

        store.send(btc.trade(49_850, "0.01", at: at(30, 6), side: .sell)) {
            $0.orders["t-1-s2"] = Order(request: ShortScenarioTests.buyBack("t-1-s2", "0.1"), positionId: 1, purpose: .exit,
                                        exitReason: .takeProfit, phase: .sent, reserved: 0, sentAt: at(30, 6))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ShortScenarioTests.buyBack("t-1-s2", "0.1"))])

        store.send(.orderAccepted(identifier: "t-1-s2", uuid: "u-s2", time: at(30, 6, 100))) {
            $0.orders["t-1-s2"]?.uuid = "u-s2"
            $0.orders["t-1-s2"]?.phase = .open
        }
        store.receive([])

        store.send(filled("t-1-s2", "BTCUSDT", quantity: "0.1", quote: "4985", fee: "1.994", at: at(30, 6, 300))) {
            $0.orders["t-1-s2"] = nil
            $0.positions = []
            $0.cash = fixed("10011.006")  // 4,998 + 5,000 margin + 15 P&L − 1.994 fee
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("11.006")
            $0.risk.cooldownUntil["BTCUSDT"] = at(35, 6, 300)
        }
        let leg = LedgerEntry(positionId: 1, market: "BTCUSDT", direction: .short, entryTime: at(30, 5, 200),
                              entryPrice: 50_000, exitTime: at(30, 6, 300), exitPrice: 49_850, quantity: fixed("0.1"),
                              grossPnL: 15, fee: fixed("3.994"), netPnL: fixed("11.006"), returnPercent: fixed("0.22012"),
                              reason: .takeProfit)
        store.receive([.bookLeg(leg, orderIdentifier: "t-1-s2"),
                       notify(.exit, "BTCUSDT", "take_profit: bought back 0.1 BTCUSDT at 49850, net 11 USDT", at: at(30, 6, 300))])
        store.finish()
    }

    @Test func aShortStopsOutAboveItsEntry() {
        var (opened, btc, _) = givenShortOpen()
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(btc.trade(50_400, "0.01", at: at(30, 6)))  // below the stop: nothing
        store.receive([])
        store.send(btc.trade(50_500, "0.01", at: at(30, 7))) {
            $0.orders["t-1-s2"] = Order(request: ShortScenarioTests.buyBack("t-1-s2", "0.1"), positionId: 1, purpose: .exit,
                                        exitReason: .stopLoss, phase: .sent, reserved: 0, sentAt: at(30, 7))
            $0.positions[0].orderIdentifiers = ["t-1-s2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(ShortScenarioTests.buyBack("t-1-s2", "0.1"))])
        store.send(filled("t-1-s2", "BTCUSDT", quantity: "0.1", quote: "5050", fee: "2.02", at: at(30, 7, 200))) {
            $0.orders["t-1-s2"] = nil
            $0.positions = []
            $0.cash = fixed("9945.98")  // 4,998 + 5,000 − 50 − 2.02
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("-54.02")
            $0.risk.cooldownUntil["BTCUSDT"] = at(35, 7, 200)
        }
        let leg = LedgerEntry(positionId: 1, market: "BTCUSDT", direction: .short, entryTime: at(30, 5, 200),
                              entryPrice: 50_000, exitTime: at(30, 7, 200), exitPrice: 50_500, quantity: fixed("0.1"),
                              grossPnL: -50, fee: fixed("4.02"), netPnL: fixed("-54.02"), returnPercent: fixed("-1.0804"),
                              reason: .stopLoss)
        store.receive([.bookLeg(leg, orderIdentifier: "t-1-s2"),
                       notify(.exit, "BTCUSDT", "stop_loss: bought back 0.1 BTCUSDT at 50500, net -55 USDT", at: at(30, 7, 200))])
        store.finish()
    }

    @Test func partialTakeProfitMovesTheStopDownToBreakEvenAndTheTrailFollowsTheLow() {
        var (state, btc, _) = givenShortOpen {
            $0.exit.partialFraction = fixed("0.5")
            $0.exit.trailingStop = fixed("0.002")
        }
        let partial = run(&state, [btc.trade(49_850, "0.01", at: at(30, 6), side: .sell)])
        #expect(partial == [.placeOrder(ShortScenarioTests.buyBack("t-1-s2", "0.05"))])
        #expect(state.orders["t-1-s2"]?.exitReason == .partialTakeProfit)
        #expect(state.positions[0].stopPrice == fixed("49960.0159936025589764"))  // 50,000 × 0.9996 / 1.0004
        #expect(state.positions[0].trailingExtreme == 49_850)
        var ledger = legs(run(&state, [filled("t-1-s2", "BTCUSDT", quantity: "0.05", quote: "2492.5", fee: "0.997",
                                              at: at(30, 6, 200))]))
        #expect(run(&state, [btc.trade(49_700, "0.01", at: at(30, 7), side: .sell)]) == [])  // a new low
        #expect(state.positions[0].trailingExtreme == 49_700)
        #expect(run(&state, [btc.trade(49_750, "0.01", at: at(30, 8))]) == [])  // below 49,700 × 1.002 = 49,799.4
        let trail = run(&state, [btc.trade(49_800, "0.01", at: at(30, 9))])
        #expect(trail == [.placeOrder(ShortScenarioTests.buyBack("t-1-s3", "0.05"))])
        ledger += legs(run(&state, [filled("t-1-s3", "BTCUSDT", quantity: "0.05", quote: "2490", fee: "0.996",
                                           at: at(30, 9, 200))]))
        #expect(ledger.map(\.reason) == [.partialTakeProfit, .trailingStop])
        #expect(ledger.map(\.grossPnL) == [fixed("7.5"), 10])
        #expect(ledger.map(\.netPnL) == [fixed("5.503"), fixed("8.004")])  // entry fee 1 per half
        #expect(state.positions.isEmpty)
        #expect(state.cash == fixed("10013.507"))
    }

    @Test func aTrailingStopWithoutPartialArmsBelowTheEntryInsteadOfTakingProfit() {
        var (state, btc, _) = givenShortOpen { $0.exit.trailingStop = fixed("0.002") }
        #expect(run(&state, [btc.trade(49_850, "0.01", at: at(30, 6), side: .sell)]) == [])
        #expect(state.positions[0].trailingExtreme == 49_850)
        let exit = run(&state, [btc.trade(49_950, "0.01", at: at(30, 7))])  // >= 49,850 × 1.002 = 49,949.7
        #expect(exit == [.placeOrder(ShortScenarioTests.buyBack("t-1-s2", "0.1"))])
        #expect(state.orders["t-1-s2"]?.exitReason == .trailingStop)
    }

    @Test func theTimeStopClosesAShortLikeALong() {
        var (state, _, _) = givenShortOpen {
            $0.exit.maxHoldMinutes = 1
            $0.risk.staleFeedSeconds = 3_600  // no trades in this minute: not a stale feed here
        }
        #expect(run(&state, [.timerFired(time: at(31, 5))]) == [])
        let exit = run(&state, [.timerFired(time: at(31, 6))])
        #expect(exit == [.placeOrder(ShortScenarioTests.buyBack("t-1-s2", "0.1"))])
        #expect(state.orders["t-1-s2"]?.exitReason == .timeStop)
    }

    @Test func aLimitShortRestsAtTheBestAskAndFallsBackToAMarketSell() {
        var (state, _, sent) = givenShortSent {
            $0.entry.order = .limit
            $0.entry.limitTimeoutSeconds = 10
            $0.risk.staleFeedSeconds = 3_600
        }
        let limit = OrderRequest(identifier: "t-1-b1", market: "BTCUSDT", side: .sell, kind: .limit(price: fixed("50000.1")),
                                 size: .quantity(fixed("0.099")))
        #expect(sent == [.placeOrder(limit)])
        #expect(state.orders["t-1-b1"]?.reserved == fixed("4951.98990396"))  // 4,950.0099 + 0.04 % fee
        run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))])
        #expect(run(&state, [.timerFired(time: at(30, 15))]) == [.cancelOrder(identifier: "t-1-b1", uuid: "u-b1", market: "BTCUSDT")])
        run(&state, [.cancelAccepted(identifier: "t-1-b1", time: at(30, 15, 100))])
        let fallback = run(&state, [filled("t-1-b1", "BTCUSDT", quantity: "0", quote: "0", fee: "0", at: at(30, 15, 200),
                                           status: .cancelled)])
        let sell = OrderRequest(identifier: "t-1-f2", market: "BTCUSDT", side: .sell, kind: .market, size: .quantity(fixed("0.1")))
        #expect(fallback == [.placeOrder(sell)])
        #expect(state.cash == fixed("4747.9"))  // 5,250 margin at the band's worst price + 2.1 fee set aside
    }

    @Test func aSpotVenueRefusesShortsAtValidation() {
        var config = Config()
        config.entry.direction = .both
        #expect(config.validate(for: TestVenue.profile()).isEmpty)
        let problems = config.validate(for: State(config: config, venue: upbitState().venue).venue)
        #expect(problems.map(\.description) == [#"entry.direction: upbit is a spot venue: only "long" positions can be opened there (got "both")"#])
    }
}
