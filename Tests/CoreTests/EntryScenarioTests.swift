import Core
import Shells
import TestSupport
import Testing

func decisions(_ commands: [Command]) -> [String] {
    commands.compactMap {
        guard case .trace(.decision(let decision)) = $0 else { return nil }
        return "\(decision.market) \(decision.action.rawValue) \(decision.reason)"
    }
}

func orders(_ commands: [Command]) -> [OrderRequest] {
    commands.compactMap {
        guard case .placeOrder(let request) = $0 else { return nil }
        return request
    }
}

/// Entry rules, every step of the "when" through an exhaustive store. Traced scenarios list every
/// decision and closed candle; their numbers were worked out apart from the reducer:
/// - the warm-up's 0.1 a minute averages 0.10000000000000002 over 20 minutes in floating point,
///   so a surge of 1 in the window is 9.999999999999998 times it, 2 is 19.999999999999996;
/// - the warm-up's RSI(14) (closes alternating, ending on a fall) is 47.538841397770085
///   (TA-Lib's Wilder RSI, `referenceRSI`).
@Suite struct EntryScenarioTests {
    static let warmRSI = 47.538841397770085

    static func buy(_ identifier: String, _ market: String, _ amount: Fixed) -> OrderRequest {
        upbitOrder(identifier, market, .marketBuy(amount: amount))
    }

    /// Position 1 of `market` entered at `time` with 500,000 KRW of the 1,000,000 (500,250 set aside).
    static func firstEntry(_ state: inout State, _ market: String, at time: Milliseconds) {
        state.positions = [openingPosition(1, market, amount: 500_000, orders: ["t-1-b1"], nextAttempt: 2)]
        state.orders["t-1-b1"] = sentOrder(buy("t-1-b1", market, 500_000), .entry, reserved: 500_250, at: time)
        state.cash = 499_750
        state.counters.nextPositionId = 2
        state.counters.orderActivity += 1
    }

    @Test func ofTwoSurgingCandidatesOnlyTheOneWithMoreBidsIsBought() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        var eth = Market("KRW-ETH")
        run(&state, btc.warmUp(low: 500_000, high: 500_500) + eth.warmUp(low: 3_000_000, high: 3_001_000))
        run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4)), eth.book(bid: 1, ask: 3, at: at(30, 4))])
        // Given: ETH surges 20x, BTC 10x, in the same second.
        run(&state, [eth.trade(3_000_000, "2", at: at(30, 5)), btc.trade(500_000, "1", at: at(30, 5, 500))])
        // When the clock reaches the next second, both are evaluated, ETH first.
        let store = TestStore(state, exhaustivity: .tradingState)
        store.send(.timerFired(time: at(30, 6))) { EntryScenarioTests.firstEntry(&$0, "KRW-BTC", at: at(30, 6)) }
        store.receive([
            decision("KRW-ETH", .skip, "ask_dominant", surgeRatio: 19.999999999999996, rsi: EntryScenarioTests.warmRSI,
                     bidDominant: false, at: at(30, 6)),
            decision("KRW-BTC", .buy, "entry", surgeRatio: 9.999999999999998, rsi: EntryScenarioTests.warmRSI,
                     bidDominant: true, at: at(30, 6)),
            .placeOrder(EntryScenarioTests.buy("t-1-b1", "KRW-BTC", 500_000)),
        ])
        store.finish()
    }

    @Test func noTradeWhileRSIIsBelow30() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        // A steady fall: every change is a loss, RSI = 0.
        run(&state, (0..<30).map { btc.trade(Fixed(600_000 - $0 * 1_000), "0.1", at: at($0)) })
        run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4))])
        let store = TestStore(state, exhaustivity: .tradingState)
        store.send(btc.trade(570_000, "1", at: at(30, 5)))  // no order, nothing in the books changes
        store.receive([decision("KRW-BTC", .skip, "rsi_below_min", surgeRatio: 9.999999999999998, rsi: 0, bidDominant: true,
                                at: at(30, 5))])
        #expect(store.state.market("KRW-BTC")?.candles.rsi.value == 0)
        store.finish()
    }

    @Test func aSurgeBelowTwiceTheAverageIsNotBought() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        run(&state, btc.warmUp(low: 500_000, high: 500_500) + [btc.book(bid: 2, ask: 1, at: at(30, 4))])
        let store = TestStore(state, exhaustivity: .tradingState)
        store.send(btc.trade(500_000, "0.19", at: at(30, 5)))
        // 0.19 / 0.10000000000000002
        store.receive([decision("KRW-BTC", .skip, "surge_below_min", surgeRatio: 1.8999999999999997,
                                rsi: EntryScenarioTests.warmRSI, bidDominant: true, at: at(30, 5))])
        store.finish()
    }

    @Test func cooldownBlocksReEntryUntilFiveMinutesAfterTheExit() {
        var config = Config()
        config.entry.minVolumeRatio = 1.5
        var (state, btc, _) = givenPositionOpen(config, options: .init(identifierPrefix: "t", trace: true))
        // Given: sold at take-profit at 30:07.300 (1,000,999.25 KRW), cooling down until 35:07.300;
        // minute 30 (500,000 → 501,500, 1.01 BTC) and the silent minute 31 closed at 33:00.
        run(&state, [btc.trade(501_500, "0.01", at: at(30, 7))])
        run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 7, 300))])
        run(&state, [btc.book(bid: 5, ask: 1, at: at(33, 0))])
        #expect(state.positions.isEmpty && state.cash == fixed("1000999.25"))
        #expect(state.risk.cooldownUntil == ["KRW-BTC": at(35, 7, 300)])
        let store = TestStore(state, exhaustivity: .tradingState)

        // 5 BTC against a mean of 0.1405 a minute over minutes 12-31 (18 × 0.1 + 1.01): 35.6x.
        store.send(btc.trade(501_000, "5", at: at(33, 5)))
        store.receive([
            candle("KRW-BTC", minute: 32, open: 501_500, high: 501_500, low: 501_500, close: 501_500, volume: 0,
                   rsi: 57.37530863568821),
            decision("KRW-BTC", .skip, "cooling_down", surgeRatio: 35.58718861209963, rsi: 57.37530863568821, bidDominant: true,
                     at: at(33, 5)),
        ])

        // 20 BTC against a mean of 0.3805 a minute over minutes 14-33 (16 × 0.1 + 1.01 + 5): 52.6x.
        let entry = EntryScenarioTests.buy("t-2-b1", "KRW-BTC", 500_499)  // half of 1,000,999.25, floored
        store.send(btc.trade(501_000, "20", at: at(35, 8))) {
            $0.positions = [openingPosition(2, "KRW-BTC", amount: 500_499, orders: ["t-2-b1"], nextAttempt: 2)]
            $0.orders["t-2-b1"] = sentOrder(entry, position: 2, .entry, reserved: fixed("500749.2495"), at: at(35, 8))
            $0.cash = fixed("500250.0005")  // 1,000,999.25 − 500,499 × 1.0005
            $0.counters.nextPositionId = 3
            $0.counters.orderActivity += 1
        }
        store.receive([
            candle("KRW-BTC", minute: 33, open: 501_000, high: 501_000, low: 501_000, close: 501_000, volume: 5,
                   rsi: 53.22083726941397),
            candle("KRW-BTC", minute: 34, open: 501_000, high: 501_000, low: 501_000, close: 501_000, volume: 0,
                   rsi: 53.22083726941398),
            decision("KRW-BTC", .buy, "entry", surgeRatio: 52.56241787122212, rsi: 53.22083726941398, bidDominant: true,
                     at: at(35, 8)),
            .placeOrder(entry),
        ])
        store.finish()
    }

    @Test func maxPositionsCapsEntries() {
        var config = Config()
        config.capital.maxPositions = 1
        var state = upbitState(config, options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        var eth = Market("KRW-ETH")
        run(&state, btc.warmUp(low: 500_000, high: 500_500) + eth.warmUp(low: 3_000_000, high: 3_001_000))
        run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4)), eth.book(bid: 2, ask: 1, at: at(30, 4))])
        run(&state, [eth.trade(3_000_000, "2", at: at(30, 5)), btc.trade(500_000, "1", at: at(30, 5, 500))])
        let store = TestStore(state, exhaustivity: .tradingState)
        // ETH was bought at 30:05, when its trade started the second: nothing changes now.
        store.send(.timerFired(time: at(30, 6)))
        store.receive([
            decision("KRW-ETH", .skip, "position_open", surgeRatio: 19.999999999999996, rsi: EntryScenarioTests.warmRSI,
                     bidDominant: true, at: at(30, 6)),
            decision("KRW-BTC", .skip, "max_positions", surgeRatio: 9.999999999999998, rsi: EntryScenarioTests.warmRSI,
                     bidDominant: true, at: at(30, 6)),
        ])
        #expect(store.state.positions.map(\.market) == ["KRW-ETH"])
        store.finish()
    }

    @Test func dailyLossLimitHaltsEntriesUntilTheNextKSTDay() {
        var config = Config()
        config.risk.dailyLossLimit = fixed("0.005")  // 5,000 KRW of 1,000,000
        config.risk.cooldownMinutes = 0
        config.entry.rsiMin = 0  // the loss itself pushes RSI down; only the halt is under test
        var (state, btc, _) = givenPositionOpen(config, options: .init(identifierPrefix: "t", trace: true))
        let sell = upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1))
        #expect(run(&state, [btc.trade(495_000, "0.01", at: at(30, 7))]).contains(.placeOrder(sell)))
        let store = TestStore(state, exhaustivity: .tradingState)

        store.send(update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "247.5", at: at(30, 7, 300))) {
            $0.orders = [:]
            $0.positions = []
            $0.cash = fixed("994502.5")  // 499,750 + 495,000 − 247.5
            $0.counters.orderActivity += 2
            $0.risk.dayRealizedPnL = fixed("-5497.5")
            $0.risk.dailyLossLimitHit = true
            // a cooldown of 0 minutes ends at once and is pruned: cooldownUntil stays empty
        }
        let leg = LedgerEntry(
            positionId: 1, market: "KRW-BTC", entryTime: at(30, 5, 200), entryPrice: 500_000, exitTime: at(30, 7, 300),
            exitPrice: 495_000, quantity: 1, grossPnL: -5_000, fee: fixed("497.5"), netPnL: fixed("-5497.5"),
            returnPercent: fixed("-1.0995"), reason: .stopLoss)
        store.receive([
            .bookLeg(leg, orderIdentifier: "t-1-s2"),
            notify(.exit, "KRW-BTC", "stop_loss: sold 1 KRW-BTC at 495000, net -5498 KRW", at: at(30, 7, 300)),
            notify(.halt, nil, "daily loss limit reached (-5498 KRW today): no entries until 00:00 KST", at: at(30, 7, 300)),
        ])

        // The book's second evaluates the surge (1.01 BTC in the window): halted.
        store.send(btc.book(bid: 5, ask: 1, at: at(31, 0)))
        store.receive([decision("KRW-BTC", .skip, "daily_loss_limit", surgeRatio: 10.099999999999998,
                                rsi: EntryScenarioTests.warmRSI, bidDominant: true, at: at(31, 0))])
        // Minute 30 closes at 495,000 (RSI 26.87, allowed by rsi_min 0); 5.01 BTC in the window.
        store.send(btc.trade(495_500, "5", at: at(31, 5)))
        store.receive([
            candle("KRW-BTC", minute: 30, open: 500_000, high: 500_000, low: 495_000, close: 495_000, volume: 1.01,
                   rsi: 26.86977992047874),
            decision("KRW-BTC", .skip, "daily_loss_limit", surgeRatio: 50.09999999999999, rsi: 26.86977992047874,
                     bidDominant: true, at: at(31, 5)),
        ])

        // 15:00 UTC is 00:00 KST of the next day. Nothing arrived since 31:05: the feed is stale,
        // and minute 31 closes with 867 silent minutes after it (no surge is computed over them).
        var closes = warmUpCloses(low: 500_000, high: 500_500) + [495_000, 495_500]
        closes += Array(repeating: 495_500, count: 898 - 31)
        let rsi = referenceRSI(closes)
        let candles: [Command] = (31...898).map { minute in
            candle("KRW-BTC", minute: minute, open: 495_500, high: 495_500, low: 495_500, close: 495_500,
                   volume: minute == 31 ? 5 : 0, rsi: rsi[minute])
        }
        store.send(.timerFired(time: at(15 * 60))) {
            $0.risk.day += 1
            $0.risk.dayStartEquity = fixed("994502.5")
            $0.risk.dayRealizedPnL = 0
            $0.risk.dailyLossLimitHit = false
            $0.risk.feedStale = true
        }
        store.receive([
            notify(.resume, nil, "new KST day: entries resume", at: at(15 * 60)),
            notify(.halt, nil, "market data stalled: entries halted until data flows again", at: at(15 * 60)),
        ] + candles)
        store.finish()
    }

    @Test func aStaleFeedHaltsEntriesUntilDataFlowsAgain() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        run(&state, btc.warmUp(low: 500_000, high: 500_500))
        let store = TestStore(state, exhaustivity: .tradingState)
        store.send(btc.trade(500_000, "1", at: at(30, 5)))
        store.receive([
            candle("KRW-BTC", minute: 29, open: 500_000, high: 500_000, low: 500_000, close: 500_000, volume: 0.1,
                   rsi: EntryScenarioTests.warmRSI),
            decision("KRW-BTC", .skip, "no_orderbook", surgeRatio: 9.999999999999998, rsi: EntryScenarioTests.warmRSI,
                     bidDominant: nil, at: at(30, 5)),
        ])
        store.send(btc.book(bid: 2, ask: 1, at: at(30, 5, 100)))
        store.receive([])

        store.send(.feedStalled(time: at(30, 5, 200))) { $0.risk.feedStale = true }
        store.receive([notify(.halt, nil, "market data stalled: entries halted until data flows again", at: at(30, 5, 200))])
        store.send(.timerFired(time: at(30, 6)))
        store.receive([decision("KRW-BTC", .skip, "stale_feed", surgeRatio: 9.999999999999998, rsi: EntryScenarioTests.warmRSI,
                                bidDominant: true, at: at(30, 6))])

        store.send(btc.book(bid: 2, ask: 1, at: at(30, 6, 500))) { $0.risk.feedStale = false }
        store.receive([notify(.resume, nil, "market data flows again: entries resume", at: at(30, 6, 500))])
        store.send(.timerFired(time: at(30, 7))) { EntryScenarioTests.firstEntry(&$0, "KRW-BTC", at: at(30, 7)) }
        store.receive([
            decision("KRW-BTC", .buy, "entry", surgeRatio: 9.999999999999998, rsi: EntryScenarioTests.warmRSI,
                     bidDominant: true, at: at(30, 7)),
            .placeOrder(EntryScenarioTests.buy("t-1-b1", "KRW-BTC", 500_000)),
        ])
        store.finish()
    }

    @Test func noMarketDataForTenSecondsIsAStaleFeed() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t"))
        var btc = Market("KRW-BTC")
        run(&state, [btc.trade(500_000, "0.1", at: at(0))])
        let store = TestStore(state, exhaustivity: .tradingState)
        store.send(.timerFired(time: at(0, 9)))
        store.receive([])
        store.send(.timerFired(time: at(0, 10))) { $0.risk.feedStale = true }
        store.receive([notify(.halt, nil, "market data stalled: entries halted until data flows again", at: at(0, 10))])
        store.finish()
    }
}
