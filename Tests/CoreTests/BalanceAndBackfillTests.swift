import Core
import Shells
import TestSupport
import Testing

/// Issue 11, items 8 and 11: pushed balances, and candle backfills that fail.
@Suite struct BalanceAndBackfillTests {
    @Test func pushedBalancesThatDisagreeWithTheBooksAreFetchedAndAdopted() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t"))
        // A myAsset frame that agrees with the books changes nothing.
        #expect(run(&state, [.balancesPushed(UpbitVenue.account([Balance(currency: "KRW", balance: 1_000_000, locked: 0)]), time: at(0))]) == [])
        // The operator withdrew 300,000 KRW: the balances are fetched (a frame is not adopted as such).
        let pushed = run(&state, [.balancesPushed(UpbitVenue.account([Balance(currency: "KRW", balance: 700_000, locked: 0)]), time: at(0, 1))])
        #expect(pushed == [.fetchBalances(requestId: 1)])
        run(&state, [.balancesFetched(requestId: 1, account: UpbitVenue.account([Balance(currency: "KRW", balance: 700_000, locked: 0)]),
                                      time: at(0, 1, 100))])
        #expect(state.cash == 700_000)
    }

    @Test func pushedBalancesWhileAnOrderWorksAreFetchedOnceItEnded() {
        var (state, _, _) = givenEntrySent()
        let pushed = run(&state, [.balancesPushed(UpbitVenue.account([Balance(currency: "KRW", balance: 100_000, locked: 500_250)]),
                                                  time: at(30, 5, 100))])
        #expect(pushed == [])
        #expect(state.risk.balancesStale)
        run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250", at: at(30, 5, 200))])
        #expect(run(&state, [.timerFired(time: at(30, 6))]) == [.fetchBalances(requestId: 1)])
        run(&state, [.balancesFetched(requestId: 1, account: UpbitVenue.account([
            Balance(currency: "KRW", balance: 99_750, locked: 0), Balance(currency: "BTC", balance: 1, locked: 0),
        ]), time: at(30, 6, 100))])
        #expect(state.cash == 99_750)
        #expect(state.positions[0].quantity == 1)
    }

    @Test func aFailedBackfillIsRetriedWithBackoffAndReportedOnce() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", backfillCandles: 200))
        var btc = Market("KRW-BTC")
        #expect(run(&state, [btc.trade(105, "1", at: at(10, 5))]) == [.fetchCandles(requestId: 1, market: "KRW-BTC", count: 200)])
        let failed = run(&state, [.candlesFetchFailed(requestId: 1, market: "KRW-BTC", time: at(10, 5, 100))])
        #expect(failed == [notify(.warning, "KRW-BTC", "candle history of KRW-BTC unavailable: building it from trades, asking again",
                                  at: at(10, 5, 100))])
        #expect(run(&state, [btc.trade(105, "1", at: at(10, 10))]) == [])
        #expect(run(&state, [btc.trade(105, "1", at: at(10, 11))]) == [.fetchCandles(requestId: 2, market: "KRW-BTC", count: 200)])
        // Failed again: no second warning, 10 s this time.
        #expect(run(&state, [.candlesFetchFailed(requestId: 2, market: "KRW-BTC", time: at(10, 11, 100))]) == [])
        #expect(state.market("KRW-BTC")?.backfillRetryAt == at(10, 21, 100))
        #expect(run(&state, [btc.trade(105, "1", at: at(10, 22))]) == [.fetchCandles(requestId: 3, market: "KRW-BTC", count: 200)])
        run(&state, [.candlesFetched(requestId: 3, market: "KRW-BTC", candles: [
            Candle(minute: Time.minute(of: at(8)), open: 103, high: 104, low: 103, close: 104, volume: 2),
        ], time: at(10, 22, 100))])
        #expect(state.market("KRW-BTC")?.backfill == .done)
        #expect(state.market("KRW-BTC")?.candles.closed.elements.map(\.close) == [104, 104])
    }
}
