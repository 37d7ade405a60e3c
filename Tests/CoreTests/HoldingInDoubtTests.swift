import Core
import Testing
import TestSupport

/// A margin venue that no longer holds (all of) a position the books hold: closed there by
/// something the bot did not hear of (a liquidation while it was down, the operator). On the test
/// perpetual's short of `givenShortOpen` (0.1 BTC at 50,000, 5,000 USDT margin, 2 USDT fee).
@Suite struct HoldingInDoubtTests {
    static func placed(_ commands: [Command]) -> [OrderRequest] {
        commands.compactMap { if case .placeOrder(let request) = $0 { request } else { nil } }
    }

    static func balanceRequest(_ commands: [Command]) -> Int? {
        commands.lazy.compactMap { if case .fetchBalances(let id) = $0 { id } else { nil } }.first
    }

    /// The short with its safety stop working, then a stop-loss exit the venue refuses: it
    /// holds nothing to reduce.
    static func givenExitRefused() -> (state: State, btc: Market, commands: [Command]) {
        var (state, btc, _) = givenShortOpen(safetyStopBuffer: SafetyStopTests.buffer)
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        #expect(placed(run(&state, [btc.trade(50_700, "0.01", at: at(30, 6), side: .buy)])) == [SafetyStopTests.buyBack("t-1-s3")])
        let refused = run(&state, [.orderRejected(identifier: "t-1-s3", error: "reduce_only_rejected", time: at(30, 6, 100))])
        return (state, btc, refused)
    }

    /// `givenExitRefused`, then the stop's cancel confirmed and the next second: the balances asked
    /// for (the request id, nil if they were not).
    static func givenHoldingAsked() -> (state: State, request: Int?) {
        var (state, _, _) = givenExitRefused()
        run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0", quote: "0", fee: "0", at: at(30, 6, 300), status: .cancelled)])
        let asked = run(&state, [.timerFired(time: at(30, 7))])
        return (state, balanceRequest(asked))
    }

    /// The short with its safety stop confirmed working, then the private stream restored: the
    /// balances asked for (the request id, nil if they were not).
    static func givenProtectedShortReadingBalances() -> (state: State, request: Int?) {
        var (state, _, _) = givenShortOpen(safetyStopBuffer: SafetyStopTests.buffer)
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        let asked = run(&state, [.userStreamRestored(time: at(30, 6))])
        return (state, balanceRequest(asked))
    }

    @Test func aRefusedReduceOnlyExitCancelsTheStopAndSendsNothingUntilTheHoldingIsRead() {
        var (state, _, refused) = HoldingInDoubtTests.givenExitRefused()
        #expect(refused.contains(.cancelOrder(identifier: "t-1-x2", uuid: "a-x2", market: "BTCUSDT")))
        #expect(state.positions[0].holdingInDoubt)
        #expect(state.positions[0].pendingExit == .stopLoss)
        // the stop's cancel confirmed: no exit and no new stop while in doubt, the balances are read
        let cancelled = run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0", quote: "0", fee: "0", at: at(30, 6, 300),
                                            status: .cancelled)])
        #expect(HoldingInDoubtTests.placed(cancelled).isEmpty)
        let tick = run(&state, [.timerFired(time: at(30, 7))])
        #expect(HoldingInDoubtTests.placed(tick).isEmpty)
        #expect(HoldingInDoubtTests.balanceRequest(tick) != nil)
    }

    /// Seed 3029 / 2321 of the futures simulator: the venue liquidated the short; the books take
    /// the venue's word, write the position off (no exit leg: nothing of the bot's closed it) and
    /// take the venue's cash, without handing the lost margin back.
    @Test func aPositionTheVenueNoLongerHoldsIsWrittenOffAndItsCashAdopted() {
        guard case (var state, let request?) = HoldingInDoubtTests.givenHoldingAsked() else {
            Issue.record("no balance request")
            return
        }
        let answer = run(&state, [.balancesFetched(requestId: request,
                                                   account: AccountSnapshot(cash: 4_990, lockedCash: 0, holdings: [:]),
                                                   time: at(30, 7, 100))])
        #expect(state.positions.isEmpty)
        #expect(state.cash == 4_990)
        #expect(legs(answer).isEmpty)
        #expect(HoldingInDoubtTests.placed(answer).isEmpty)
        #expect(HoldingInDoubtTests.placed(run(&state, [.timerFired(time: at(31))])).isEmpty)
    }

    /// A false alarm (the venue does hold it): the pending exit goes out and the position is
    /// protected again.
    @Test func aHoldingTheVenueConfirmsGoesOnWithItsExitAndItsStop() {
        guard case (var state, let request?) = HoldingInDoubtTests.givenHoldingAsked() else {
            Issue.record("no balance request")
            return
        }
        let answer = run(&state, [.balancesFetched(requestId: request,
                                                   account: AccountSnapshot(cash: 4_998, lockedCash: 0, holdings: ["BTCUSDT": fixed("-0.1")]),
                                                   time: at(30, 7, 100))])
        #expect(!state.positions[0].holdingInDoubt)
        #expect(HoldingInDoubtTests.placed(answer) == [SafetyStopTests.buyBack("t-1-s4")])
        #expect(state.positions[0].quantity == fixed("0.1"))
    }

    /// A balance read with every order confirmed working that shows less than the books puts the
    /// position in doubt (the stop may have fired with its update lost: its cancel tells).
    @Test func aShortBalanceReadWhileEverythingWorksPutsThePositionInDoubt() {
        guard case (var state, let request?) = HoldingInDoubtTests.givenProtectedShortReadingBalances() else {
            Issue.record("no balance request")
            return
        }
        let answer = run(&state, [.balancesFetched(requestId: request,
                                                   account: AccountSnapshot(cash: 4_998, lockedCash: 0, holdings: [:]),
                                                   time: at(30, 6, 100))])
        #expect(state.positions[0].holdingInDoubt)
        #expect(answer.contains(.cancelOrder(identifier: "t-1-x2", uuid: "a-x2", market: "BTCUSDT")))
        // the cancel is refused: the stop had fired; its fill is booked as the exchange's stop
        run(&state, [.cancelRejected(identifier: "t-1-x2", error: "unknown_order", time: at(30, 6, 200))])
        let fired = run(&state, [filled("t-1-x2", "BTCUSDT", quantity: "0.1", quote: "5061", fee: "2.0244", at: at(30, 6, 300))])
        #expect(legs(fired).map(\.reason) == [.exchangeStop])
        #expect(state.positions.isEmpty)
    }

    /// A margin venue's sizes are signed: a venue that holds the other direction holds none of
    /// the short (a long of the same size must not pass for it).
    @Test func aHoldingOfTheOtherDirectionIsNoneOfThePosition() {
        guard case (var state, let request?) = HoldingInDoubtTests.givenProtectedShortReadingBalances() else {
            Issue.record("no balance request")
            return
        }
        run(&state, [.balancesFetched(requestId: request,
                                      account: AccountSnapshot(cash: 4_998, lockedCash: 0, holdings: ["BTCUSDT": fixed("0.1")]),
                                      time: at(30, 6, 100))])
        #expect(state.positions[0].holdingInDoubt)
    }

    /// Seed 633 of the futures simulator: with no order working, the balances are adopted whole;
    /// a position the venue no longer holds must not hand its margin back on top of the venue's
    /// cash (which already holds what is left of it).
    @Test func adoptingAnEmptyHoldingDoesNotCountTheMarginTwice() {
        var (state, _, _) = givenShortOpen()
        #expect(state.orders.isEmpty)
        guard let request = HoldingInDoubtTests.balanceRequest(run(&state, [.userStreamRestored(time: at(30, 6))])) else {
            Issue.record("no balance request")
            return
        }
        run(&state, [.balancesFetched(requestId: request, account: AccountSnapshot(cash: 4_998, lockedCash: 0, holdings: [:]),
                                      time: at(30, 6, 100))])
        #expect(state.positions.isEmpty)
        #expect(state.cash == 4_998)
    }

    /// Seeds 507 and 5747: a market entry limited by free cash is sized so that its margin at the
    /// price band's worst price still fits (the venue checks at its own view of the price).
    @Test func aCashLimitedMarketEntryLeavesTheBandsHeadroom() {
        let (state, _, commands) = givenShortSent { $0.capital.positionFraction = 1 }
        // 10,000 / 1.0004 = 9,996 of notional at most; at 5 % above 50,000 that is 0.19 BTC
        let sell = OrderRequest(identifier: "t-1-b1", market: "BTCUSDT", side: .sell, kind: .market, size: .quantity(fixed("0.19")))
        #expect(commands == [.placeOrder(sell)])
        #expect(state.orders["t-1-b1"]?.reserved == fixed("9978.99"))  // 0.19 × 52,500 + 0.04 %
        #expect(!state.cash.isNegative)
    }
}
