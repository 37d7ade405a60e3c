import Core
import Testing
import TestSupport

/// Funding, liquidation, margin calls and the emergency stop on the test perpetual, with the short
/// of `givenShortOpen` (0.1 BTC at 50,000, 5,000 USDT margin, 4,998 USDT free).
@Suite struct FuturesEventTests {
    @Test func fundingIsCashAndALedgerLineOfItsOwnBookedOnce() {
        var (state, _, _) = givenShortOpen()
        run(&state, [.markPriceReceived(market: "BTCUSDT", price: 50_100, time: at(30, 5, 500))])
        let paid = run(&state, [.fundingSettled(market: "BTCUSDT", amount: fixed("0.501"), settledAt: at(30, 6),
                                                time: at(30, 6, 10))])
        let leg = LedgerEntry(positionId: 1, market: "BTCUSDT", direction: .short, entryTime: at(30, 5, 200),
                              entryPrice: 50_000, exitTime: at(30, 6, 10), exitPrice: 50_100, quantity: fixed("0.1"),
                              grossPnL: fixed("0.501"), fee: 0, netPnL: fixed("0.501"), returnPercent: 0, reason: .funding)
        #expect(paid == [.bookLeg(leg, orderIdentifier: "funding-BTCUSDT-\(at(30, 6))")])
        #expect(state.cash == fixed("4998.501"))
        #expect(state.risk.dayRealizedPnL == fixed("0.501"))
        #expect(run(&state, [.fundingSettled(market: "BTCUSDT", amount: fixed("0.501"), settledAt: at(30, 6),
                                             time: at(30, 6, 20))]) == [])
        #expect(state.cash == fixed("4998.501"))
    }

    /// Funding paid while the bot was not listening: a minute after the funding time the balances
    /// are read, and with only the safety stop working and the position as the venue holds it, the
    /// venue's free cash is adopted.
    @Test func fundingTheBotDidNotHearOfIsAdoptedFromTheBalances() {
        var (state, _, _) = givenShortOpen({ $0.risk.staleFeedSeconds = 86_400 }, safetyStopBuffer: fixed("0.002"))
        state.venue.fundingIntervalMinutes = 480
        run(&state, [.orderAccepted(identifier: "t-1-x2", uuid: "a-x2", time: at(30, 5, 300))])
        let boundary = (at(30) / 28_800_000 + 1) * 28_800_000  // the next 8-hour funding time
        #expect(!run(&state, [.timerFired(time: boundary + 59_000)]).contains { if case .fetchBalances = $0 { true } else { false } })
        let asked = run(&state, [.timerFired(time: boundary + 60_000)])
        guard case .fetchBalances(let requestId)? = asked.last else { Issue.record("\(asked)"); return }
        let venue = AccountSnapshot(cash: fixed("4997.5"), lockedCash: 0, holdings: ["BTCUSDT": fixed("-0.1")])  // the short
        let adopted = run(&state, [.balancesFetched(requestId: requestId, account: venue, time: boundary + 60_100)])
        #expect(state.cash == fixed("4997.5"))
        #expect(adopted.count == 1)
        // a venue that holds another size says something else happened: nothing is adopted then
        let next = run(&state, [.timerFired(time: boundary + 28_860_000)])
        guard case .fetchBalances(let second)? = next.last else { Issue.record("\(next)"); return }
        let other = AccountSnapshot(cash: 100, lockedCash: 0, holdings: ["BTCUSDT": fixed("-0.05")])
        run(&state, [.balancesFetched(requestId: second, account: other, time: boundary + 28_860_100)])
        #expect(state.risk.balanceRequestId == nil)
        #expect(state.cash == fixed("4997.5"))
    }

    /// Seed 8795 of the futures simulator: the first fills of an entry are liquidated while the
    /// rest of it still works; when the entry ends nothing is left, and the position closes
    /// (it stayed open with nothing in it, and its closing balance read never came).
    @Test func aPositionLiquidatedWhileItsEntryWorksIsGoneWhenTheEntryEnds() {
        var (state, _, _) = givenShortSent()
        state.venue.fundingIntervalMinutes = 480  // a venue with funding reads its cash once a position closes
        run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))])
        run(&state, [filled("t-1-b1", "BTCUSDT", quantity: "0.05", quote: "2500", fee: "1", at: at(30, 5, 200),
                            status: .partiallyFilled)])
        let liquidated = run(&state, [.positionLiquidated(market: "BTCUSDT", identifier: "autoclose-1", quantity: fixed("0.05"),
                                                          price: 60_000, fee: fixed("1.2"), time: at(30, 5, 300))])
        #expect(legs(liquidated).map(\.reason) == [.liquidation])
        run(&state, [filled("t-1-b1", "BTCUSDT", quantity: "0.05", quote: "2500", fee: "1", at: at(30, 5, 400), status: .expired)])
        #expect(state.positions.isEmpty)
        #expect(state.orders.isEmpty)
        #expect(state.risk.balancesStale)  // the venue's cash is read once nothing works
    }

    @Test func fundingBeyondFreeCashIsTakenFromTheMargin() {
        var (state, _, _) = givenShortOpen()
        run(&state, [.fundingSettled(market: "BTCUSDT", amount: -5_000, settledAt: at(30, 6), time: at(30, 6, 10))])
        #expect(state.cash == 0)
        #expect(state.positions[0].margin == 4_998)
    }

    @Test func aLiquidationIsAnExitLegAndARepeatedReportChangesNothing() {
        var (state, _, _) = givenShortOpen()
        let event = Event.positionLiquidated(market: "BTCUSDT", identifier: "autoclose-1", quantity: fixed("0.1"),
                                             price: 55_000, fee: 2, time: at(31))
        let commands = run(&state, [event])
        #expect(legs(commands).map(\.reason) == [.liquidation])
        #expect(legs(commands).map(\.netPnL) == [-504])  // −500 on the price, 2 + 2 fees
        #expect(state.positions.isEmpty)
        #expect(state.cash == 9_496)  // 4,998 + 5,000 margin − 500 − 2
        #expect(run(&state, [event]) == [])
    }

    @Test func anIsolatedPositionLosesItsMarginAtMost() {
        var (state, _, _) = givenShortOpen()
        run(&state, [.positionLiquidated(market: "BTCUSDT", identifier: "autoclose-2", quantity: fixed("0.1"),
                                         price: 110_000, fee: 2, time: at(31))])
        #expect(state.cash == 4_996)  // the 5,000 margin is gone, and the 2 USDT fee is paid from the free cash
        #expect(state.positions.isEmpty)
    }

    @Test func aMarginCallHaltsEntriesUntilTheOperatorResumes() {
        var (state, _, _) = givenShortOpen { $0.risk.staleFeedSeconds = 3_600 }
        #expect(run(&state, [.marginCalled(time: at(31))])
            == [notify(.error, nil, "margin call from the venue: entries halted until `surge resume`", at: at(31))])
        #expect(state.entryHaltReason == "margin_call")
        run(&state, [.entriesResumed(time: at(32))])
        #expect(state.entryHaltReason == nil)
        #expect(!state.risk.marginCallHalt)
    }

    @Test func anUnrealisedLossOfTenPercentClosesEverythingAndHaltsEntries() {
        var (state, _, _) = givenShortOpen()
        #expect(run(&state, [.markPriceReceived(market: "BTCUSDT", price: 59_990, time: at(30, 6))]) == [])  // −999 < 999.8
        let commands = run(&state, [.markPriceReceived(market: "BTCUSDT", price: 60_000, time: at(30, 7))])  // −1,000
        let buyBack = OrderRequest(identifier: "t-1-s2", market: "BTCUSDT", side: .buy, kind: .market,
                                   size: .quantity(fixed("0.1")), reduceOnly: true)
        #expect(commands == [
            notify(.halt, nil, "emergency stop: unrealised loss 1000 USDT reached 0.1 of equity; closing every position, entries halted until `surge resume`", at: at(30, 7)),
            .placeOrder(buyBack),
        ])
        #expect(state.orders["t-1-s2"]?.exitReason == .emergencyStop)
        #expect(state.entryHaltReason == "emergency_stop")
    }

    @Test func aSpotVenueHasNoEmergencyStop() {
        var (state, btc, _) = givenPositionOpen()
        // a fall through the stop is a stop loss there, never an emergency stop
        let commands = run(&state, [btc.trade(494_000, "0.01", at: at(30, 6))])
        #expect(state.orders.values.map(\.exitReason) == [.stopLoss])
        #expect(!commands.contains { if case .notify(let note) = $0 { note.text.hasPrefix("emergency") } else { false } })
    }
}

/// binance-futures.md §8.1: long 0.010 at 60,000 with 200 USDT of margin (leverage 3) is
/// liquidated at 40,160.64; the same short at 79,681.27.
@Suite struct LiquidationPriceTests {
    @Test func theWorkedExamplesLiquidationPrices() {
        var long = Position(id: 1, market: "BTCUSDT", direction: .long, phase: .open, entryAmount: 600)
        long.enteredQuantity = fixed("0.01")
        long.enteredQuote = 600
        long.quantity = fixed("0.01")
        long.margin = 200
        #expect(long.isolatedLiquidationPrice(TestVenue.instrument)?.floored(places: 2) == fixed("40160.64"))  // 0.4 % without brackets
        var short = Position(id: 2, market: "BTCUSDT", direction: .short, phase: .open, entryAmount: 600)
        short.enteredQuantity = fixed("0.01")
        short.enteredQuote = 600
        short.quantity = fixed("0.01")
        short.margin = 200
        #expect(short.isolatedLiquidationPrice(TestVenue.instrument)?.floored(places: 2) == fixed("79681.27"))
    }

    /// Binance's BTCUSDT brackets (the local server's): up to 50,000 at 0.4 %, up to 600,000 at
    /// 0.5 % with cum 50.
    static let bracketed: Instrument = {
        var instrument = TestVenue.instrument
        instrument.maintenanceTiers = [MaintenanceTier(notionalCap: 50_000, rate: fixed("0.004"), amount: 0),
                                       MaintenanceTier(notionalCap: 600_000, rate: fixed("0.005"), amount: 50)]
        return instrument
    }()

    static func long(_ quantity: String, at entry: Fixed, leverage: Int) -> Position {
        var long = Position(id: 1, market: "BTCUSDT", direction: .long, phase: .open, entryAmount: entry * fixed(quantity))
        long.enteredQuantity = fixed(quantity)
        long.enteredQuote = entry * fixed(quantity)
        long.quantity = fixed(quantity)
        long.margin = entry * fixed(quantity) / Fixed(leverage)
        return long
    }

    /// 10 BTC long at 60,000, leverage 3: the notional's bracket (0.5 %, cum 50):
    /// (600,000 − 200,000 − 50) / (10 × 0.995).
    @Test func theBracketOfTheNotionalGivesTheRateAndTheAmount() {
        let position = LiquidationPriceTests.long("10", at: 60_000, leverage: 3)
        #expect(position.isolatedLiquidationPrice(LiquidationPriceTests.bracketed)?.floored(places: 2) == fixed("40195.97"))
    }

    /// 1 BTC at 60,000 (60,000 of notional: the 0.5 % bracket) liquidates near 40,150, whose
    /// notional is in the 0.4 % bracket: recomputed with it, as the fact sheet says.
    @Test func aPriceInAnotherBracketIsRecomputedWithIt() {
        let position = LiquidationPriceTests.long("1", at: 60_000, leverage: 3)
        #expect(position.isolatedLiquidationPrice(LiquidationPriceTests.bracketed)?.floored(places: 2) == fixed("40160.64"))
        #expect(position.isolatedLiquidationPrice(LiquidationPriceTests.bracketed.maintenanceTiers[1])?.floored(places: 2)
                == fixed("40150.75"))
    }

    /// A leverage above what the symbol allows is no entry: the venue would refuse it.
    @Test func aLeverageAboveTheSymbolsMaximumEntersNothing() {
        let (_, _, refused) = givenShortSent(leverage: 21)  // the test perpetual allows 20
        #expect(!refused.contains { if case .placeOrder = $0 { true } else { false } })
        let (_, _, allowed) = givenShortSent(leverage: 20)
        #expect(allowed.contains { if case .placeOrder = $0 { true } else { false } })
    }
}
