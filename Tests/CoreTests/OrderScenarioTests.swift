import Core
import Shells
import TestSupport
import Testing

@Suite struct OrderScenarioTests {
    @Test func anUnknownOutcomeIsQueriedAndResolvedWithoutASecondOrder() {
        var (state, btc, _) = givenEntrySent(options: .init(identifierPrefix: "t", trace: true))
        let unknown = run(&state, [.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 900))])
        #expect(unknown == [.queryOrder(identifier: "t-1-b1")])
        #expect(state.orders["t-1-b1"]?.phase == .unknown)

        // The surge goes on while the outcome is unknown: no new order under a new identifier.
        let meanwhile = run(&state, [btc.trade(500_000, "1", at: at(30, 6))])
        #expect(decisions(meanwhile) == ["KRW-BTC skip position_open"])
        #expect(orders(meanwhile) == [])

        // The query finds the order: it was filled.
        let answer = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250",
                                         at: at(30, 6, 100), uuid: "u-b1")])
        #expect(answer == [notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 6, 100))])
        #expect(state.positions.map(\.phase) == [.open])
        #expect(state.orders.isEmpty)
    }

    @Test func aFailedQueryIsRetriedFiveSecondsLater() {
        var (state, _, _) = givenEntrySent()
        run(&state, [.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 900))])
        #expect(run(&state, [.orderQueryFailed(identifier: "t-1-b1", time: at(30, 6))]) == [])
        #expect(run(&state, [.timerFired(time: at(30, 10))]) == [])
        #expect(run(&state, [.timerFired(time: at(30, 11))]) == [.queryOrder(identifier: "t-1-b1")])
    }

    @Test func anOrderNotFoundWithinThirtySecondsIsAskedAgainThenGivenUp() {
        var (state, btc, _) = givenEntrySent()
        run(&state, [.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 900))])
        // The open orders are fetched to confirm the absence (nothing answers here).
        #expect(run(&state, [.orderNotFound(identifier: "t-1-b1", time: at(30, 6))]) == [.fetchOpenOrders(requestId: 1)])
        #expect(state.orders["t-1-b1"]?.phase == .unknown)
        #expect(run(&state, [btc.trade(500_000, "0.01", at: at(30, 11))]) == [.queryOrder(identifier: "t-1-b1")])

        // 30 s after the send, the exchange still has no such order: it never arrived.
        run(&state, [btc.trade(500_000, "0.01", at: at(30, 35))])
        let gone = run(&state, [.orderNotFound(identifier: "t-1-b1", time: at(30, 35, 100))])
        #expect(gone == [
            notify(.warning, "KRW-BTC", "order t-1-b1 never reached the exchange", at: at(30, 35, 100)),
            notify(.warning, "KRW-BTC", "entry of position 1 bought nothing", at: at(30, 35, 100)),
        ])
        #expect(state.positions.isEmpty)
        #expect(state.cash == 1_000_000)
    }

    @Test func aLimitEntryTimesOutPartlyFilledAndTheRestIsBoughtAtMarket() {
        var config = Config()
        config.entry.order = .limit
        var (state, btc, sent) = givenEntrySent(config)
        // Best bid 500,000: 1 BTC at 500,000, cancelled after 10 s.
        #expect(sent == [.placeOrder(upbitOrder("t-1-b1", "KRW-BTC", .limit(side: .buy, price: 500_000, volume: 1)))])
        run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100)),
                     update("t-1-b1", "KRW-BTC", .trade, volume: "0.3", funds: "150000", fee: "75", at: at(30, 8))])
        #expect(run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 14))]) == [])
        #expect(run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 15))]) == [.cancelOrder(identifier: "t-1-b1", uuid: "u-b1")])

        let cancelled = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "0.3", funds: "150000", fee: "75",
                                            at: at(30, 15, 200))])
        #expect(cancelled == [.placeOrder(upbitOrder("t-1-f2", "KRW-BTC", .marketBuy(amount: 350_000)))])
        let filled = run(&state, [update("t-1-f2", "KRW-BTC", .cancel, volume: "0.7", funds: "350000", fee: "175",
                                         at: at(30, 15, 400))])
        #expect(filled == [notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 15, 400))])
        #expect(state.positions[0].entryFee == 250)
        #expect(state.cash == 499_750)
    }

    @Test func aLimitEntryWithoutFallbackKeepsWhatFilled() {
        var config = Config()
        config.entry.order = .limit
        config.entry.limitFallback = .none
        var (state, _, _) = givenEntrySent(config)
        run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100)),
                     .timerFired(time: at(30, 15))])
        let ended = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "0.3", funds: "150000", fee: "75",
                                        at: at(30, 15, 200))])
        #expect(ended == [notify(.entry, "KRW-BTC", "bought 0.3 KRW-BTC at 500000 for 150000 KRW", at: at(30, 15, 200))])
        #expect(state.positions[0].quantity == fixed("0.3"))
    }

    @Test func outOfOrderUpdatesNeverTakeAFillBack() {
        var (state, _, _) = givenEntrySent()
        run(&state, [update("t-1-b1", "KRW-BTC", .trade, volume: "0.6", funds: "300000", fee: "150", at: at(30, 5, 300))])
        // An older frame with less executed arrives late: nothing changes.
        let before = state
        run(&state, [update("t-1-b1", "KRW-BTC", .wait, volume: "0.2", funds: "100000", fee: "50", at: at(30, 5, 200))])
        #expect(state == before)
        run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 5, 400))])
        #expect(state.positions[0].quantity == 1)
    }

    @Test func anUpdateThatSpendsMoreThanTheOrderIsRejectedAsInconsistent() {
        var (state, _, _) = givenEntrySent()
        run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "2", funds: "1000000", fee: "500", at: at(30, 5, 300))])
        #expect(state.statistics.inconsistentOrderUpdates == 1)
        #expect(state.positions[0].quantity == 0)
        #expect(state.orders["t-1-b1"] != nil)
    }

    /// The identifiers a lost journal transaction could have used after this state: the next three
    /// attempts of position 1 on each sell/fallback leg, and the entries of the next two positions.
    static let probed = ["t-1-f2", "t-1-f3", "t-1-f4", "t-1-s2", "t-1-s3", "t-1-s4", "t-1-t2", "t-1-t3", "t-1-t4",
                         "t-2-b1", "t-3-b1"]

    @Test func recoveryQueriesWorkingAndPossiblyLostOrdersThenWaitsForBalancesBeforeTrading() {
        var (state, _, _) = givenEntrySent()
        let recovering = run(&state, [.recovered(time: at(30, 9))])
        #expect(recovering == [notify(.halt, nil, "reconciling with the exchange: entries wait", at: at(30, 9)),
                               .queryOrder(identifier: "t-1-b1")]
                + OrderScenarioTests.probed.map { .queryOrder(identifier: $0) } + [.fetchOpenOrders(requestId: 1)])
        #expect(state.entryHaltReason == "reconciling")

        // None of them reached the exchange: the balances are asked for after the last answer.
        for identifier in OrderScenarioTests.probed.dropLast() {
            #expect(run(&state, [.orderNotFound(identifier: identifier, time: at(30, 9, 100))]) == [])
        }
        #expect(run(&state, [.orderNotFound(identifier: "t-3-b1", time: at(30, 9, 200))]) == [.fetchBalances(requestId: 2)])
        let balances = run(&state, [.balancesFetched(requestId: 2, account: UpbitVenue.account([
            Balance(currency: "KRW", balance: 499_750, locked: 500_250),
        ]), time: at(30, 9, 500))])
        #expect(balances == [notify(.resume, nil, "reconciled with the exchange: trading", at: at(30, 9, 500))])
        #expect(state.entryHaltReason == nil)
        // Probed identifiers are never used again.
        #expect(state.counters.nextPositionId == 4)
        #expect(state.positions[0].nextAttempt == 5)
    }

    @Test func aSellALostTransactionSentIsFoundAndAdoptedAndNewOrdersWaitForTheSearch() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [.recovered(time: at(30, 9))])

        // While the search goes on, a stop loss is decided but held: the lost sell may have sold it all.
        let stop = run(&state, [btc.trade(480_000, "0.01", at: at(30, 10))])
        #expect(orders(stop) == [])
        #expect(state.orders["t-1-s5"]?.phase == .held)

        // The exchange knows t-1-s2: it sold the position before the crash.
        let found = run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75",
                                        at: at(30, 10, 500), uuid: "u-s2")])
        #expect(found.contains(notify(.warning, "KRW-BTC",
            "order t-1-s2 was sent before a crash that lost it from the journal: adopted (1 filled)", at: at(30, 10, 500))))
        #expect(legs(found).map(\.reason) == [.recovered])
        #expect(legs(found).first?.netPnL == Fixed("999.25"))
        #expect(state.cash == state.config.capital.initialCapital + Fixed("999.25")!)

        // The rest were never sent; the held stop loss has nothing left to sell and is dropped.
        var last: [Command] = []
        for identifier in OrderScenarioTests.probed where identifier != "t-1-s2" {
            last = run(&state, [.orderNotFound(identifier: identifier, time: at(30, 11))])
        }
        #expect(orders(last) == [])
        #expect(last.contains(.fetchBalances(requestId: 2)))
        #expect(state.positions.isEmpty && state.orders.isEmpty)
    }

    @Test func anOpenOrderOfOursUnknownToTheStateIsCancelledAndForeignOnesAreLeftAlone() {
        var (state, _, _) = givenEntrySent()
        run(&state, [.recovered(time: at(30, 9))])
        func open(_ identifier: String) -> OrderUpdate {
            OrderUpdate(identifier: identifier, uuid: "u-" + identifier, market: "KRW-BTC", state: .open, executedQuantity: 0,
                        executedQuote: 0, paidFee: 0, time: at(30, 9, 500))
        }
        let commands = run(&state, [.openOrdersFetched(requestId: 1, orders: [open("t-1-b1"), open("t-7-s9"), open("my-own-order")],
                                                       time: at(30, 9, 500))])
        #expect(commands == [
            notify(.warning, "KRW-BTC", "order t-7-s9 is open on the exchange but unknown to the bot (lost in a crash): cancelling it",
                   at: at(30, 9, 500)),
            .cancelOrder(identifier: "t-7-s9", uuid: "u-t-7-s9"),
        ])
        #expect(state.orders["t-1-b1"] != nil)
    }
}
