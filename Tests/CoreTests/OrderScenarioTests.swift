import Core
import Shells
import TestSupport
import Testing

/// Order answers of the worked example's entry (a market buy of 500,000 KRW as `t-1-b1`, 500,250
/// reserved, 499,750 KRW free; take-profit 501,500, stop 495,000 once bought), every step through
/// an exhaustive store.
@Suite struct OrderScenarioTests {
    static let buy = upbitOrder("t-1-b1", "KRW-BTC", .marketBuy(amount: 500_000))

    /// RSI(14) of the warm-up (closes alternating 500,500 / 500,000 for 30 minutes, ending on a
    /// fall): TA-Lib's Wilder RSI worked out apart from the reducer.
    static let warmRSI = 47.538841397770085

    /// The entry of `givenEntrySent`, bought completely: 1 BTC for 500,000 KRW, fee 250.
    static func bought(_ state: inout State, at time: Milliseconds) {
        state.orders = [:]
        state.positions[0].phase = .open
        state.positions[0].openedAt = time
        state.positions[0].enteredQuantity = 1
        state.positions[0].enteredQuote = 500_000
        state.positions[0].entryFee = 250
        state.positions[0].quantity = 1
        state.positions[0].takeProfitPrice = 501_500
        state.positions[0].stopPrice = 495_000
        state.positions[0].orderIdentifiers = []
        state.counters.orderActivity += 2  // the fill, the end of the order
    }

    @Test func anUnknownOutcomeIsQueriedAndResolvedWithoutASecondOrder() {
        var (sent, btc, _) = givenEntrySent(options: .init(identifierPrefix: "t", trace: true))
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 900))) {
            $0.orders["t-1-b1"]?.phase = .unknown
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 5, 900)
        }
        store.receive([.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])

        // The surge goes on while the outcome is unknown: no new order under a new identifier.
        // 2 BTC in the minute to 30:06 against 0.1 a minute before it: 20 times the average (in
        // floating point 2 / 0.10000000000000002, twenty 0.1 summed being 2.0000000000000004).
        store.send(btc.trade(500_000, "1", at: at(30, 6)))
        store.receive([decision("KRW-BTC", .skip, "position_open", surgeRatio: 19.999999999999996, rsi: OrderScenarioTests.warmRSI,
                                bidDominant: true, at: at(30, 6))])

        // The query finds the order: it was filled.
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 6, 100),
                          uuid: "u-b1")) {
            OrderScenarioTests.bought(&$0, at: at(30, 6, 100))
        }
        store.receive([notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 6, 100))])
        store.finish()
    }

    @Test func aFailedQueryIsRetriedFiveSecondsLater() {
        let (sent, _, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 900))) {
            $0.orders["t-1-b1"]?.phase = .unknown
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 5, 900)
        }
        store.receive([.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])
        store.send(.orderQueryFailed(identifier: "t-1-b1", time: at(30, 6))) {
            $0.orders["t-1-b1"]?.queryAskedAt = nil
            $0.orders["t-1-b1"]?.nextQueryAt = at(30, 11)
        }
        store.receive([])
        store.send(.timerFired(time: at(30, 10)))
        store.receive([])
        store.send(.timerFired(time: at(30, 11))) {
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 11)
            $0.orders["t-1-b1"]?.nextQueryAt = nil
        }
        store.receive([.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])
        store.finish()
    }

    @Test func anOrderNotFoundWithinThirtySecondsIsAskedAgainThenGivenUp() {
        var (sent, btc, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.orderOutcomeUnknown(identifier: "t-1-b1", time: at(30, 5, 900))) {
            $0.orders["t-1-b1"]?.phase = .unknown
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 5, 900)
        }
        store.receive([.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])
        // The open orders are fetched to confirm the absence (nothing answers here); a second
        // query may count from 2 s after the first not-found.
        store.send(.orderNotFound(identifier: "t-1-b1", time: at(30, 6))) {
            $0.orders["t-1-b1"]?.queryAskedAt = nil
            $0.orders["t-1-b1"]?.nextQueryAt = at(30, 8)
            $0.orders["t-1-b1"]?.firstNotFoundAt = at(30, 6)
            $0.orders["t-1-b1"]?.lastNotFoundAt = at(30, 6)
            $0.orders["t-1-b1"]?.openOrdersCheckId = 1
            $0.counters.nextRequestId = 2
        }
        store.receive([.fetchOpenOrders(requestId: 1)])
        store.send(btc.trade(500_000, "0.01", at: at(30, 11))) {
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 11)
            $0.orders["t-1-b1"]?.nextQueryAt = nil
        }
        store.receive([.queryOrder(identifier: "t-1-b1", market: "KRW-BTC")])

        // 30 s after the send, the exchange still has no such order: it never arrived.
        store.send(btc.trade(500_000, "0.01", at: at(30, 35)))
        store.receive([])
        store.send(.orderNotFound(identifier: "t-1-b1", time: at(30, 35, 100))) {
            $0.orders = [:]
            $0.positions = []
            $0.cash = 1_000_000
            $0.counters.orderActivity += 1
        }
        store.receive([
            notify(.warning, "KRW-BTC", "order t-1-b1 never reached the exchange", at: at(30, 35, 100)),
            notify(.warning, "KRW-BTC", "entry of position 1 bought nothing", at: at(30, 35, 100)),
        ])
        store.finish()
    }

    @Test func aLimitEntryTimesOutPartlyFilledAndTheRestIsBoughtAtMarket() {
        var config = Config()
        config.entry.order = .limit
        let (sent, btc, sentCommands) = givenEntrySent(config)
        // Best bid 500,000: 1 BTC at 500,000, cancelled after 10 s.
        #expect(sentCommands == [.placeOrder(upbitOrder("t-1-b1", "KRW-BTC", .limit(side: .buy, price: 500_000, volume: 1)))])
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))) {
            $0.orders["t-1-b1"]?.uuid = "u-b1"
            $0.orders["t-1-b1"]?.phase = .open
        }
        store.receive([])
        store.send(update("t-1-b1", "KRW-BTC", .trade, volume: "0.3", funds: "150000", fee: "75", at: at(30, 8))) {
            $0.orders["t-1-b1"]?.executedQuantity = fixed("0.3")
            $0.orders["t-1-b1"]?.executedQuote = 150_000
            $0.orders["t-1-b1"]?.paidFee = 75
            $0.orders["t-1-b1"]?.reserved = 350_175  // 500,250 − 150,075
            $0.positions[0].openedAt = at(30, 8)
            $0.positions[0].enteredQuantity = fixed("0.3")
            $0.positions[0].enteredQuote = 150_000
            $0.positions[0].entryFee = 75
            $0.positions[0].quantity = fixed("0.3")
            $0.counters.orderActivity += 1
        }
        store.receive([])
        store.send(btc.book(bid: 2, ask: 1, at: at(30, 14)))
        store.receive([])
        store.send(btc.book(bid: 2, ask: 1, at: at(30, 15))) {
            $0.orders["t-1-b1"]?.phase = .cancelling
            $0.orders["t-1-b1"]?.cancelAt = nil
            $0.orders["t-1-b1"]?.nextQueryAt = at(30, 20)
        }
        store.receive([.cancelOrder(identifier: "t-1-b1", uuid: "u-b1", market: "KRW-BTC")])

        let fallback = upbitOrder("t-1-f2", "KRW-BTC", .marketBuy(amount: 350_000))
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "0.3", funds: "150000", fee: "75", at: at(30, 15, 200))) {
            // the 350,175 still reserved comes back and is reserved again for the fallback
            $0.orders = ["t-1-f2": sentOrder(fallback, .entryFallback, reserved: 350_175, at: at(30, 15, 200))]
            $0.positions[0].orderIdentifiers = ["t-1-f2"]
            $0.positions[0].nextAttempt = 3
            $0.counters.orderActivity += 2
        }
        store.receive([.placeOrder(fallback)])
        store.send(update("t-1-f2", "KRW-BTC", .cancel, volume: "0.7", funds: "350000", fee: "175", at: at(30, 15, 400))) {
            $0.orders = [:]
            $0.positions[0].phase = .open
            $0.positions[0].enteredQuantity = 1
            $0.positions[0].enteredQuote = 500_000
            $0.positions[0].entryFee = 250
            $0.positions[0].quantity = 1
            $0.positions[0].takeProfitPrice = 501_500
            $0.positions[0].stopPrice = 495_000
            $0.positions[0].orderIdentifiers = []
            $0.counters.orderActivity += 2
        }
        store.receive([notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 15, 400))])
        #expect(store.state.cash == 499_750)
        store.finish()
    }

    @Test func aLimitEntryWithoutFallbackKeepsWhatFilled() {
        var config = Config()
        config.entry.order = .limit
        config.entry.limitFallback = .none
        let (sent, _, _) = givenEntrySent(config)
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))) {
            $0.orders["t-1-b1"]?.uuid = "u-b1"
            $0.orders["t-1-b1"]?.phase = .open
        }
        store.receive([])
        // No market data since 30:05: at 30:15 the feed is stale too.
        store.send(.timerFired(time: at(30, 15))) {
            $0.risk.feedStale = true
            $0.orders["t-1-b1"]?.phase = .cancelling
            $0.orders["t-1-b1"]?.cancelAt = nil
            $0.orders["t-1-b1"]?.nextQueryAt = at(30, 20)
        }
        store.receive([notify(.halt, nil, "market data stalled: entries halted until data flows again", at: at(30, 15)),
                       .cancelOrder(identifier: "t-1-b1", uuid: "u-b1", market: "KRW-BTC")])
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "0.3", funds: "150000", fee: "75", at: at(30, 15, 200))) {
            $0.orders = [:]
            $0.positions[0].phase = .open
            $0.positions[0].openedAt = at(30, 15, 200)
            $0.positions[0].enteredQuantity = fixed("0.3")
            $0.positions[0].enteredQuote = 150_000
            $0.positions[0].entryFee = 75
            $0.positions[0].quantity = fixed("0.3")
            $0.positions[0].takeProfitPrice = 501_500
            $0.positions[0].stopPrice = 495_000
            $0.positions[0].orderIdentifiers = []
            $0.cash = 849_925  // 499,750 + the 350,175 not spent
            $0.counters.orderActivity += 2
        }
        store.receive([notify(.entry, "KRW-BTC", "bought 0.3 KRW-BTC at 500000 for 150000 KRW", at: at(30, 15, 200))])
        store.finish()
    }

    @Test func outOfOrderUpdatesNeverTakeAFillBack() {
        let (sent, _, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .full)
        store.send(update("t-1-b1", "KRW-BTC", .trade, volume: "0.6", funds: "300000", fee: "150", at: at(30, 5, 300))) {
            $0.now = at(30, 5, 300)
            $0.orders["t-1-b1"]?.phase = .open
            $0.orders["t-1-b1"]?.executedQuantity = fixed("0.6")
            $0.orders["t-1-b1"]?.executedQuote = 300_000
            $0.orders["t-1-b1"]?.paidFee = 150
            $0.orders["t-1-b1"]?.reserved = 200_100  // 500,250 − 300,150
            $0.positions[0].openedAt = at(30, 5, 300)
            $0.positions[0].enteredQuantity = fixed("0.6")
            $0.positions[0].enteredQuote = 300_000
            $0.positions[0].entryFee = 150
            $0.positions[0].quantity = fixed("0.6")
            $0.counters.orderActivity += 1
        }
        store.receive([])
        // An older frame with less executed arrives late: nothing changes.
        store.send(update("t-1-b1", "KRW-BTC", .wait, volume: "0.2", funds: "100000", fee: "50", at: at(30, 5, 200)))
        store.receive([])
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 5, 400))) {
            $0.now = at(30, 5, 400)
            OrderScenarioTests.bought(&$0, at: at(30, 5, 300))  // opened by the first fill
        }
        store.receive([notify(.entry, "KRW-BTC", "bought 1 KRW-BTC at 500000 for 500000 KRW", at: at(30, 5, 400))])
        store.finish()
    }

    @Test func anUpdateThatSpendsMoreThanTheOrderIsRejectedAsInconsistent() {
        let (sent, _, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .full)
        store.send(update("t-1-b1", "KRW-BTC", .cancel, volume: "2", funds: "1000000", fee: "500", at: at(30, 5, 300))) {
            $0.now = at(30, 5, 300)
            $0.statistics.inconsistentOrderUpdates += 1
            // not booked: the exchange is asked in 1 s instead
            $0.orders["t-1-b1"]?.distrustedUpdates = 1
            $0.orders["t-1-b1"]?.nextQueryAt = at(30, 6, 300)
        }
        store.receive([notify(.warning, "KRW-BTC",
            "order t-1-b1: an update contradicts what the order could do (2 for 1000000 KRW): not booked, asking the exchange",
            at: at(30, 5, 300))])
        store.finish()
    }

    /// The identifiers a lost journal transaction could have used after this state: the next three
    /// attempts of position 1 on each sell/fallback leg, and the entries of the next two positions.
    static let probed = ["t-1-f2", "t-1-f3", "t-1-f4", "t-1-s2", "t-1-s3", "t-1-s4", "t-1-t2", "t-1-t3", "t-1-t4",
                         "t-2-b1", "t-3-b1"]

    /// What `recovered` at `time` does to a state with position 1 (next attempt 2) and nothing
    /// else probed: reconciling, every probe asked now, the counters past every probed identifier.
    static func reconciling(_ state: inout State, at time: Milliseconds) {
        state.risk.reconciling = true
        for attempt in 2...4 {
            state.probes["t-1-f\(attempt)"] = probe(1, .entryFallback, askedAt: time)
            state.probes["t-1-t\(attempt)"] = probe(1, .restingTakeProfit, askedAt: time)
            state.probes["t-1-s\(attempt)"] = probe(1, .exit, askedAt: time)
        }
        state.probes["t-2-b1"] = probe(2, .entry, askedAt: time)
        state.probes["t-3-b1"] = probe(3, .entry, askedAt: time)
        state.positions[0].nextAttempt = 5
        state.counters.nextPositionId = 4
        state.counters.nextRequestId = 2
        state.counters.openOrdersRequestId = 1
    }

    @Test func recoveryQueriesWorkingAndPossiblyLostOrdersThenWaitsForBalancesBeforeTrading() {
        let (sent, _, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.recovered(time: at(30, 9))) {
            OrderScenarioTests.reconciling(&$0, at: at(30, 9))
            $0.orders["t-1-b1"]?.phase = .unknown  // sent or not before the restart
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 9)
        }
        store.receive([notify(.halt, nil, "reconciling with the exchange: entries wait", at: at(30, 9)),
                       .queryOrder(identifier: "t-1-b1", market: "KRW-BTC")]
                      + OrderScenarioTests.probed.map { .queryOrder(identifier: $0, market: $0.hasPrefix("t-1-") ? "KRW-BTC" : nil) } + [.fetchOpenOrders(requestId: 1)])
        #expect(store.state.entryHaltReason == "reconciling")

        // None of them reached the exchange: the balances are asked for after the last answer.
        for identifier in OrderScenarioTests.probed.dropLast() {
            store.send(.orderNotFound(identifier: identifier, time: at(30, 9, 100))) { $0.probes[identifier] = nil }
            store.receive([])
        }
        store.send(.orderNotFound(identifier: "t-3-b1", time: at(30, 9, 200))) {
            $0.probes = [:]
            $0.counters.nextRequestId = 3
            $0.risk.balanceRequestId = 2
            $0.risk.balanceRequestActivity = 1  // one order sent so far
        }
        store.receive([.fetchBalances(requestId: 2)])
        store.send(.balancesFetched(requestId: 2, account: UpbitVenue.account([
            Balance(currency: "KRW", balance: 499_750, locked: 500_250),
        ]), time: at(30, 9, 500))) {
            $0.risk.balanceRequestId = nil
            $0.risk.reconciling = false
        }
        store.receive([notify(.resume, nil, "reconciled with the exchange: trading", at: at(30, 9, 500))])
        #expect(store.state.entryHaltReason == nil)
        // Probed identifiers are never used again.
        #expect(store.state.counters.nextPositionId == 4)
        #expect(store.state.positions[0].nextAttempt == 5)
        store.finish()
    }

    @Test func aSellALostTransactionSentIsFoundAndAdoptedAndNewOrdersWaitForTheSearch() {
        var (opened, btc, _) = givenPositionOpen()
        let store = TestStore(opened, exhaustivity: .tradingState)
        store.send(.recovered(time: at(30, 9))) { OrderScenarioTests.reconciling(&$0, at: at(30, 9)) }
        store.receive([notify(.halt, nil, "reconciling with the exchange: entries wait", at: at(30, 9))]
                      + OrderScenarioTests.probed.map { .queryOrder(identifier: $0, market: $0.hasPrefix("t-1-") ? "KRW-BTC" : nil) } + [.fetchOpenOrders(requestId: 1)])

        // While the search goes on, a stop loss is decided but held: the lost sell may have sold it all.
        let stop = upbitOrder("t-1-s5", "KRW-BTC", .marketSell(volume: 1))
        store.send(btc.trade(480_000, "0.01", at: at(30, 10))) {
            $0.orders["t-1-s5"] = Order(request: stop, positionId: 1, purpose: .exit, exitReason: .stopLoss, phase: .held,
                                        reserved: 0, sentAt: at(30, 10))
            $0.positions[0].orderIdentifiers = ["t-1-s5"]
            $0.positions[0].nextAttempt = 6
            $0.counters.orderActivity += 1
        }
        store.receive([])

        // The exchange knows t-1-s2: it sold the position before the crash.
        store.send(update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 10, 500),
                          uuid: "u-s2")) {
            $0.probes["t-1-s2"] = nil
            $0.orders["t-1-s5"]?.phase = .withdrawn  // nothing left for the held stop loss to sell
            $0.positions[0].quantity = 0
            $0.positions[0].exitedQuantity = 1
            $0.positions[0].recordedQuantity = 1
            $0.positions[0].recordedEntryFee = 250
            $0.positions[0].lastExitReason = .recovered
            $0.cash = fixed("1000999.25")  // 1,000,000 + 999.25
            $0.counters.orderActivity += 2  // the adopted order's fill and end
            $0.risk.dayRealizedPnL = fixed("999.25")
        }
        let leg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 10, 500),
            exitPrice: 501_500, quantity: 1, grossPnL: 1_500, fee: fixed("500.75"), netPnL: fixed("999.25"),
            returnPercent: fixed("0.19985"), reason: .recovered)
        store.receive([
            notify(.warning, "KRW-BTC",
                   "order t-1-s2 was sent before a crash that lost it from the journal: adopted (1 filled)", at: at(30, 10, 500)),
            .bookLeg(leg, orderIdentifier: "t-1-s2"),
            notify(.exit, "KRW-BTC", "recovered: sold 1 KRW-BTC at 501500, net 999 KRW", at: at(30, 10, 500)),
        ])

        // The rest were never sent; the held stop loss has nothing left to sell and is dropped.
        let rest = OrderScenarioTests.probed.filter { $0 != "t-1-s2" }
        for identifier in rest.dropLast() {
            store.send(.orderNotFound(identifier: identifier, time: at(30, 11))) { $0.probes[identifier] = nil }
            store.receive([])
        }
        store.send(.orderNotFound(identifier: "t-3-b1", time: at(30, 11))) {
            $0.probes = [:]
            $0.orders = [:]
            $0.positions = []
            $0.counters.orderActivity += 1  // the withdrawn stop loss ends
            $0.counters.nextRequestId = 3
            $0.risk.cooldownUntil = ["KRW-BTC": at(35, 11)]
            $0.risk.balanceRequestId = 2
            $0.risk.balanceRequestActivity = 7  // 3 (entry sent, filled, ended) + 1 held + 2 adopted + 1 withdrawn
        }
        store.receive([.fetchBalances(requestId: 2)])
        store.finish()
    }

    @Test func anOpenOrderOfOursUnknownToTheStateIsCancelledAndForeignOnesAreLeftAlone() {
        let (sent, _, _) = givenEntrySent()
        let store = TestStore(sent, exhaustivity: .tradingState)
        store.send(.recovered(time: at(30, 9))) {
            OrderScenarioTests.reconciling(&$0, at: at(30, 9))
            $0.orders["t-1-b1"]?.phase = .unknown
            $0.orders["t-1-b1"]?.queryAskedAt = at(30, 9)
        }
        store.receive([notify(.halt, nil, "reconciling with the exchange: entries wait", at: at(30, 9)),
                       .queryOrder(identifier: "t-1-b1", market: "KRW-BTC")]
                      + OrderScenarioTests.probed.map { .queryOrder(identifier: $0, market: $0.hasPrefix("t-1-") ? "KRW-BTC" : nil) } + [.fetchOpenOrders(requestId: 1)])
        func open(_ identifier: String) -> OrderUpdate {
            OrderUpdate(identifier: identifier, uuid: "u-" + identifier, market: "KRW-BTC", state: .open, executedQuantity: 0,
                        executedQuote: 0, paidFee: 0, time: at(30, 9, 500))
        }
        store.exhaustivity = .full
        store.send(.openOrdersFetched(requestId: 1, orders: [open("t-1-b1"), open("t-7-s9"), open("my-own-order")],
                                      time: at(30, 9, 500))) {
            $0.now = at(30, 9, 500)
            $0.counters.openOrdersRequestId = nil  // t-1-b1 stays as it was
        }
        store.receive([
            notify(.warning, "KRW-BTC", "order t-7-s9 is open on the exchange but unknown to the bot (lost in a crash): cancelling it",
                   at: at(30, 9, 500)),
            .cancelOrder(identifier: "t-7-s9", uuid: "u-t-7-s9", market: "KRW-BTC"),
        ])
        store.finish()
    }
}
