import Core
import Testing
import TestSupport

/// The exchange-side safety stop of a margin venue (buffer 0.2 %) on the test perpetual: the short
/// of `givenShortOpen` (0.1 BTC at 50,000, stop 50,500) is protected by a buy stop at 50,601.
@Suite struct SafetyStopTests {
    static let buffer = Fixed("0.002")!

    static let stop = OrderRequest(identifier: "t-1-x2", market: "BTCUSDT", side: .buy,
                                   kind: .protectiveStop(trigger: fixed("50601")), size: .quantity(fixed("0.1")))

    static func buyBack(_ identifier: String) -> OrderRequest {
        OrderRequest(identifier: identifier, market: "BTCUSDT", side: .buy, kind: .market, size: .quantity(fixed("0.1")),
                     reduceOnly: true)
    }

    @Test func theFilledEntryPlacesTheStopBeyondTheStrategysStop() {
        let (state, _, commands) = givenShortOpen(safetyStopBuffer: SafetyStopTests.buffer)
        #expect(commands == [notify(.entry, "BTCUSDT", "sold short 0.1 BTCUSDT at 50000 for 5000 USDT", at: at(30, 5, 200)),
                             .placeOrder(SafetyStopTests.stop)])  // 50,500 × 1.002, rounded up to the tick
        #expect(state.orders["t-1-x2"]?.purpose == .safetyStop)
        #expect(state.orders["t-1-x2"]?.exitReason == .exchangeStop)
    }

    @Test func theReducersOwnExitWinsAndTheStopIsCancelledWhenFlat() {
        var (opened, btc, _) = givenShortOpen(safetyStopBuffer: SafetyStopTests.buffer)
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))) {
            $0.orders["t-1-x2"]?.uuid = "a-x2"
            $0.orders["t-1-x2"]?.phase = .open
        }
        store.receive([])
        // the take-profit is not held back by the stop: it promises no quantity
        store.send(btc.trade(49_850, "0.01", at: at(30, 6), side: .sell)) {
            $0.orders["t-1-s3"] = Order(request: SafetyStopTests.buyBack("t-1-s3"), positionId: 1, purpose: .exit,
                                        exitReason: .takeProfit, phase: .sent, reserved: 0, sentAt: at(30, 6))
            $0.positions[0].orderIdentifiers = ["t-1-x2", "t-1-s3"]
            $0.positions[0].nextAttempt = 4
            $0.counters.orderActivity += 1
        }
        store.receive([.placeOrder(SafetyStopTests.buyBack("t-1-s3"))])
        store.send(filled("t-1-s3", "BTCUSDT", quantity: "0.1", quote: "4985", fee: "1.994", at: at(30, 6, 300))) {
            $0.orders["t-1-s3"] = nil
            $0.orders["t-1-x2"]?.phase = .cancelling
            $0.orders["t-1-x2"]?.nextQueryAt = at(30, 11, 300)
            $0.positions[0].orderIdentifiers = ["t-1-x2"]
            $0.positions[0].enteredQuantity = fixed("0.1")
            $0.positions[0].exitedQuantity = fixed("0.1")
            $0.positions[0].quantity = 0
            $0.positions[0].margin = 0
            $0.positions[0].recordedQuantity = fixed("0.1")
            $0.positions[0].recordedEntryFee = 2
            $0.positions[0].lastExitReason = .takeProfit
            $0.cash = fixed("10011.006")
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("11.006")
        }
        let leg = LedgerEntry(positionId: 1, market: "BTCUSDT", direction: .short, entryTime: at(30, 5, 200),
                              entryPrice: 50_000, exitTime: at(30, 6, 300), exitPrice: 49_850, quantity: fixed("0.1"),
                              grossPnL: 15, fee: fixed("3.994"), netPnL: fixed("11.006"), returnPercent: fixed("0.22012"),
                              reason: .takeProfit)
        store.receive([.bookLeg(leg, orderIdentifier: "t-1-s3"),
                       notify(.exit, "BTCUSDT", "take_profit: bought back 0.1 BTCUSDT at 49850, net 11 USDT", at: at(30, 6, 300)),
                       .cancelOrder(identifier: "t-1-x2", uuid: "a-x2", market: "BTCUSDT")])
        store.send(filled("t-1-x2", "BTCUSDT", quantity: "0", quote: "0", fee: "0", at: at(30, 6, 500), status: .cancelled)) {
            $0.orders = [:]
            $0.positions = []
            $0.counters.orderActivity += 1
            $0.risk.cooldownUntil["BTCUSDT"] = at(35, 6, 500)
        }
        store.receive([])
        store.finish()
    }

    @Test func aStopThatFiredWhileTheBotWasDownIsBookedAsAnExchangeStop() {
        var (state, _, _) = givenShortOpen(safetyStopBuffer: SafetyStopTests.buffer)
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        // a restart asks about every order: the exchange says the stop filled at 50,610
        let recovered = run(&state, [.recovered(time: at(40))])
        #expect(recovered.contains(.queryOrder(identifier: "t-1-x2", market: "BTCUSDT")))
        let answer = run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0.1", quote: "5061", fee: "2.0244", at: at(40, 0, 100))])
        let booked = legs(answer)
        #expect(booked.map(\.reason) == [.exchangeStop])
        #expect(booked.map(\.netPnL) == [fixed("-65.0244")])  // −61 − 2 entry fee − 2.0244
        #expect(state.positions.isEmpty)
        #expect(!answer.contains { if case .placeOrder = $0 { true } else { false } })  // nothing sent for it
    }

    /// The exchange's stop fills while the reducer's own exit is on its way; the exit is then
    /// refused (nothing left to reduce): the position closes as `exchange_stop`, nothing is retried.
    @Test func anExitRefusedAfterTheStopClosedThePositionIsNotRetried() {
        var (state, btc, _) = givenShortOpen(safetyStopBuffer: SafetyStopTests.buffer)
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        let stopLoss = run(&state, [btc.trade(50_700, "0.01", at: at(30, 6), side: .buy)])
        #expect(stopLoss.contains(.placeOrder(SafetyStopTests.buyBack("t-1-s3"))))
        let fired = run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0.1", quote: "5061", fee: "2.0244", at: at(30, 6, 100))])
        #expect(legs(fired).map(\.reason) == [.exchangeStop])
        #expect(state.positions.count == 1)  // the exit's answer is still to come
        let refused = run(&state, [.orderRejected(identifier: "t-1-s3", error: "reduce_only_rejected", time: at(30, 6, 200))])
        #expect(state.positions.isEmpty)
        #expect(!refused.contains { if case .placeOrder = $0 { true } else { false } })
        #expect(!run(&state, [.timerFired(time: at(30, 20))]).contains { if case .placeOrder = $0 { true } else { false } })
    }

    /// A partial take-profit moves the strategy's stop to break-even (49,960.02): the safety stop
    /// follows, cancelled first (one close-all stop per side) and placed again at once at
    /// 49,960.02 × 1.002, rounded up to the tick.
    @Test func theStopFollowsTheStrategysStopToBreakEvenAfterAPartialTakeProfit() {
        var (state, btc, _) = givenShortOpen({ $0.exit.partialFraction = fixed("0.5") }, safetyStopBuffer: SafetyStopTests.buffer)
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        let partial = run(&state, [btc.trade(49_850, "0.01", at: at(30, 6), side: .sell)])
        #expect(partial.contains(.placeOrder(ShortScenarioTests.buyBack("t-1-s3", "0.05"))))
        #expect(partial.contains(.cancelOrder(identifier: "t-1-x2", uuid: "a-x2", market: "BTCUSDT")))
        let moved = run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0", quote: "0", fee: "0", at: at(30, 6, 100),
                                        status: .cancelled)])
        let again = OrderRequest(identifier: "t-1-x4", market: "BTCUSDT", side: .buy,
                                 kind: .protectiveStop(trigger: fixed("50060")), size: .quantity(fixed("0.1")))
        #expect(moved == [.placeOrder(again)])
        // confirmed at its new trigger, it stays
        run(&state, [.orderAccepted(identifier: "t-1-x4", uuid: "a-x4", time: at(30, 6, 200))])
        #expect(!run(&state, [.timerFired(time: at(30, 8))]).contains { if case .cancelOrder = $0 { true } else { false } })
    }

    @Test func anExpiredStopIsPlacedAgainWhileThePositionIsOpen() {
        var (state, _, _) = givenShortOpen({ $0.risk.staleFeedSeconds = 3_600 }, safetyStopBuffer: SafetyStopTests.buffer)
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        #expect(run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0", quote: "0", fee: "0", at: at(30, 6),
                                    status: .expired)]) == [])
        #expect(state.positions[0].safetyStopRetryAt == at(30, 36))
        #expect(run(&state, [.timerFired(time: at(30, 35))]) == [])
        let again = OrderRequest(identifier: "t-1-x3", market: "BTCUSDT", side: .buy,
                                 kind: .protectiveStop(trigger: fixed("50601")), size: .quantity(fixed("0.1")))
        #expect(run(&state, [.timerFired(time: at(30, 36))]) == [.placeOrder(again)])
    }

    @Test func aSpotVenueHasNoSafetyStop() {
        let (_, _, commands) = givenPositionOpen()
        #expect(!commands.contains { if case .placeOrder = $0 { true } else { false } })
    }
}
