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

@Suite struct EntryScenarioTests {
    @Test func ofTwoSurgingCandidatesOnlyTheOneWithMoreBidsIsBought() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        var eth = Market("KRW-ETH")
        run(&state, btc.warmUp(low: 500_000, high: 500_500) + eth.warmUp(low: 3_000_000, high: 3_001_000))
        run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4)), eth.book(bid: 1, ask: 3, at: at(30, 4))])
        // Given: ETH surges 20x, BTC 10x, in the same second.
        run(&state, [eth.trade(3_000_000, "2", at: at(30, 5)), btc.trade(500_000, "1", at: at(30, 5, 500))])
        // When the clock reaches the next second, both are evaluated, ETH first.
        let commands = run(&state, [.timerFired(time: at(30, 6))])
        #expect(decisions(commands) == ["KRW-ETH skip ask_dominant", "KRW-BTC buy entry"])
        #expect(orders(commands) == [upbitOrder("t-1-b1", "KRW-BTC", .marketBuy(amount: 500_000))])
    }

    @Test func noTradeWhileRSIIsBelow30() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        // A steady fall: every change is a loss, RSI = 0.
        run(&state, (0..<30).map { btc.trade(Fixed(600_000 - $0 * 1_000), "0.1", at: at($0)) })
        run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4))])
        let commands = run(&state, [btc.trade(570_000, "1", at: at(30, 5))])
        #expect(state.market("KRW-BTC")?.candles.rsi.value == 0)
        #expect(decisions(commands) == ["KRW-BTC skip rsi_below_min"])
        #expect(orders(commands) == [])
    }

    @Test func aSurgeBelowTwiceTheAverageIsNotBought() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        run(&state, btc.warmUp(low: 500_000, high: 500_500) + [btc.book(bid: 2, ask: 1, at: at(30, 4))])
        let commands = run(&state, [btc.trade(500_000, "0.19", at: at(30, 5))])
        #expect(decisions(commands) == ["KRW-BTC skip surge_below_min"])
    }

    @Test func cooldownBlocksReEntryUntilFiveMinutesAfterTheExit() {
        var config = Config()
        config.entry.minVolumeRatio = 1.5
        var (state, btc, _) = givenPositionOpen(config, options: .init(identifierPrefix: "t", trace: true))
        run(&state, [btc.trade(501_500, "0.01", at: at(30, 7))])
        run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 7, 300))])
        run(&state, [btc.book(bid: 5, ask: 1, at: at(33, 0))])

        let blocked = run(&state, [btc.trade(501_000, "5", at: at(33, 5))])
        #expect(decisions(blocked) == ["KRW-BTC skip cooling_down"])

        let after = run(&state, [btc.trade(501_000, "20", at: at(35, 8))])
        #expect(decisions(after) == ["KRW-BTC buy entry"])
        #expect(orders(after).map(\.identifier) == ["t-2-b1"])
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
        let commands = run(&state, [.timerFired(time: at(30, 6))])
        // ETH was bought at 30:05, when its trade started the second.
        #expect(decisions(commands) == ["KRW-ETH skip position_open", "KRW-BTC skip max_positions"])
        #expect(state.positions.map(\.market) == ["KRW-ETH"])
    }

    @Test func dailyLossLimitHaltsEntriesUntilTheNextKSTDay() {
        var config = Config()
        config.risk.dailyLossLimit = fixed("0.005")  // 5,000 KRW of 1,000,000
        config.risk.cooldownMinutes = 0
        config.entry.rsiMin = 0  // the loss itself pushes RSI down; only the halt is under test
        var (state, btc, _) = givenPositionOpen(config, options: .init(identifierPrefix: "t", trace: true))
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 7))])
        let loss = run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "495000", fee: "247.5",
                                       at: at(30, 7, 300))])
        #expect(loss.last == notify(.halt, nil,
            "daily loss limit reached (-5498 KRW today): no entries until 00:00 KST", at: at(30, 7, 300)))

        run(&state, [btc.book(bid: 5, ask: 1, at: at(31, 0))])
        let halted = run(&state, [btc.trade(495_500, "5", at: at(31, 5))])
        #expect(decisions(halted) == ["KRW-BTC skip daily_loss_limit"])

        // 15:00 UTC is 00:00 KST of the next day.
        let nextDay = run(&state, [.timerFired(time: at(15 * 60))])
        #expect(nextDay.first == notify(.resume, nil, "new KST day: entries resume", at: at(15 * 60)))
        #expect(!state.risk.dailyLossLimitHit)
        #expect(state.risk.dayStartEquity == fixed("994502.5"))
    }

    @Test func aStaleFeedHaltsEntriesUntilDataFlowsAgain() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", trace: true))
        var btc = Market("KRW-BTC")
        run(&state, btc.warmUp(low: 500_000, high: 500_500))
        let surge = run(&state, [btc.trade(500_000, "1", at: at(30, 5))])
        #expect(decisions(surge) == ["KRW-BTC skip no_orderbook"])
        run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 5, 100))])

        let stalled = run(&state, [.feedStalled(time: at(30, 5, 200))])
        #expect(stalled == [notify(.halt, nil, "market data stalled: entries halted until data flows again", at: at(30, 5, 200))])
        let halted = run(&state, [.timerFired(time: at(30, 6))])
        #expect(decisions(halted) == ["KRW-BTC skip stale_feed"])

        let flowing = run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 6, 500))])
        #expect(flowing == [notify(.resume, nil, "market data flows again: entries resume", at: at(30, 6, 500))])
        let bought = run(&state, [.timerFired(time: at(30, 7))])
        #expect(orders(bought).map(\.identifier) == ["t-1-b1"])
    }

    @Test func noMarketDataForTenSecondsIsAStaleFeed() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t"))
        var btc = Market("KRW-BTC")
        run(&state, [btc.trade(500_000, "0.1", at: at(0))])
        #expect(run(&state, [.timerFired(time: at(0, 9))]) == [])
        #expect(run(&state, [.timerFired(time: at(0, 10))]) == [
            notify(.halt, nil, "market data stalled: entries halted until data flows again", at: at(0, 10))])
    }
}
