import Core
import Shells
import TestSupport
import Testing

/// Issue 11, items 5 and 9: refusals, back-offs, stuck positions and the operator's pause.
@Suite struct RefusalTests {
    static func sell(_ identifier: String, _ volume: Fixed = 1) -> Command {
        .placeOrder(upbitOrder(identifier, "KRW-BTC", .marketSell(volume: volume)))
    }

    @Test func refusalsOurClientMakesWithoutSendingNeverMakeAPositionStuck() {
        var (state, btc, _) = givenPositionOpen()
        #expect(run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))]) == [RefusalTests.sell("t-1-s2")])
        var second = 6
        for (attempt, error) in ["banned", "rate_limited", "not_sent", "banned", "banned", "banned"].enumerated() {
            let refused = run(&state, [.orderRejected(identifier: "t-1-s\(attempt + 2)", error: error, time: at(30, second, 100))])
            #expect(refused == [notify(.warning, "KRW-BTC", "order t-1-s\(attempt + 2) not sent (\(error)): tried again later",
                                       at: at(30, second, 100))])
            // (trades, not timers, keep the feed fresh; they trigger nothing while the exit is pending)
            #expect(run(&state, [btc.trade(495_000, "0.01", at: at(30, second + 5))]) == [])  // 100 ms short of 5 s
            second += 6
            #expect(run(&state, [btc.trade(495_000, "0.01", at: at(30, second))]) == [RefusalTests.sell("t-1-s\(attempt + 3)")])
        }
        #expect(state.positions[0].phase == .open)
        #expect(state.positions[0].exitRejections == 0)
        #expect(state.statistics.unsentOrders == 6)
    }

    @Test func aStuckPositionIsRetriedWithBackoffAndKeepsNotifying() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))])
        for attempt in 2...5 {
            run(&state, [.orderRejected(identifier: "t-1-s\(attempt)", error: "invalid_volume", time: at(30, 6 * attempt)),
                         .timerFired(time: at(30, 6 * attempt + 5))])
        }
        let stuck = run(&state, [.orderRejected(identifier: "t-1-s6", error: "invalid_volume", time: at(30, 40))])
        #expect(stuck == [
            notify(.warning, "KRW-BTC", "order t-1-s6 rejected: invalid_volume", at: at(30, 40)),
            notify(.error, "KRW-BTC", "position 1 is stuck: 5 exit orders rejected; trying again in 1 min (or close it by hand)",
                   at: at(30, 40)),
            .fetchBalances(requestId: 1),
        ])
        #expect(state.positions[0].phase == .stuck)
        #expect(run(&state, [.timerFired(time: at(31, 39))]) == [])
        #expect(run(&state, [.timerFired(time: at(31, 40))]) == [RefusalTests.sell("t-1-s7")])
        // Refused again: stuck for twice as long, and said again.
        let again = run(&state, [.orderRejected(identifier: "t-1-s7", error: "invalid_volume", time: at(31, 41))])
        #expect(again.contains(notify(.error, "KRW-BTC",
            "position 1 is stuck: 5 exit orders rejected; trying again in 2 min (or close it by hand)", at: at(31, 41))))
        #expect(state.positions[0].stuckRetryAt == at(33, 41))
        // The operator's close un-sticks it at once.
        let close = run(&state, [.closeRequested(market: "KRW-BTC", time: at(31, 50))])
        #expect(close == [RefusalTests.sell("t-1-s8")])
        #expect(state.orders["t-1-s8"]?.exitReason == .manual)
        #expect(state.positions[0].phase == .open)
    }

    @Test func anInsufficientFundsSellRereadsTheBalanceAndSellsWhatIsHeld() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))])
        let refused = run(&state, [.orderRejected(identifier: "t-1-s2", error: "insufficient_funds_ask", time: at(30, 6, 100))])
        #expect(refused == [notify(.warning, "KRW-BTC", "order t-1-s2 rejected: insufficient_funds_ask", at: at(30, 6, 100)),
                            .fetchBalances(requestId: 1)])
        // The account holds 1e-8 BTC less than the books.
        let balances = run(&state, [.balancesFetched(requestId: 1, account: UpbitVenue.account([
            Balance(currency: "KRW", balance: 499_750, locked: 0), Balance(currency: "BTC", balance: fixed("0.99999999"), locked: 0),
        ]), time: at(30, 6, 200))])
        #expect(balances == [notify(.warning, "KRW-BTC", "exchange holds 0.99999999 of position 1's 1: adopted", at: at(30, 6, 200))])
        let retry = run(&state, [.timerFired(time: at(30, 12))])
        #expect(retry == [RefusalTests.sell("t-1-s3", fixed("0.99999999"))])
    }

    @Test func aRefusedEntryBacksOffInsteadOfRetryingEverySecond() {
        var config = Config()
        config.entry.minVolumeRatio = 1.5
        var (state, btc, _) = givenEntrySent(config, options: .init(identifierPrefix: "t", trace: true))
        let refused = run(&state, [.orderRejected(identifier: "t-1-b1", error: "insufficient_funds_bid", time: at(30, 5, 100))])
        #expect(refused == [
            notify(.warning, "KRW-BTC", "order t-1-b1 rejected: insufficient_funds_bid", at: at(30, 5, 100)),
            notify(.halt, nil, "entry refused: no entries for 30 s", at: at(30, 5, 100)),
            notify(.warning, "KRW-BTC", "entry of position 1 bought nothing", at: at(30, 5, 100)),
            .fetchBalances(requestId: 1),
        ])
        // The operator withdrew 800,000 KRW.
        run(&state, [.balancesFetched(requestId: 1, account: UpbitVenue.account([Balance(currency: "KRW", balance: 200_000, locked: 0)]),
                                      time: at(30, 5, 200))])
        #expect(state.cash == 200_000)
        let waiting = run(&state, [btc.trade(500_000, "1", at: at(30, 6))])
        #expect(decisions(waiting) == ["KRW-BTC skip entry_refused_backoff"])
        #expect(orders(waiting) == [])
        // 30 s later: resized to the account (half of 200,000).
        let retry = run(&state, [btc.trade(500_000, "0.5", at: at(30, 35, 100))])
        #expect(orders(retry) == [upbitOrder("t-2-b1", "KRW-BTC", .marketBuy(amount: 100_000))])
        // Refused again: 60 s this time.
        let again = run(&state, [.orderRejected(identifier: "t-2-b1", error: "insufficient_funds_bid", time: at(30, 35, 200))])
        #expect(again.contains(notify(.halt, nil, "entry refused: no entries for 60 s", at: at(30, 35, 200))))
        #expect(state.risk.entryBackoffUntil == at(31, 35, 200))
    }

    @Test func theOperatorPausesAndResumesEntriesWhileExitsGoOn() {
        var config = Config()
        config.entry.minVolumeRatio = 1.5
        config.risk.cooldownMinutes = 0
        var (state, btc, _) = givenPositionOpen(config, options: .init(identifierPrefix: "t", trace: true))
        #expect(run(&state, [.entriesPaused(time: at(30, 5, 300))]) == [
            notify(.halt, nil, "entries paused by the operator: exits go on", at: at(30, 5, 300))])
        #expect(run(&state, [.entriesPaused(time: at(30, 5, 400))]) == [])
        #expect(state.entryHaltReason == "paused_by_operator")
        let exit = run(&state, [btc.trade(501_500, "0.01", at: at(30, 6))])
        #expect(orders(exit).map(\.identifier) == ["t-1-s2"])
        run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "1", funds: "501500", fee: "250.75", at: at(30, 6, 100))])
        let paused = run(&state, [btc.trade(501_000, "2", at: at(30, 7))])
        #expect(decisions(paused) == ["KRW-BTC skip paused_by_operator"])
        #expect(run(&state, [.entriesResumed(time: at(30, 7, 100))]) == [
            notify(.resume, nil, "entries resumed by the operator", at: at(30, 7, 100))])
        let bought = run(&state, [.timerFired(time: at(30, 8))])
        #expect(orders(bought).map(\.identifier) == ["t-2-b1"])
    }
}
