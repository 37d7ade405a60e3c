import Core
import Shells
import TestSupport
import Testing

/// Issue 11, item 7: one print the book contradicts moves no money.
@Suite struct SuspectPrintTests {
    @Test func aPrintAHundredTimesThePriceTriggersNoTakeProfit() {
        var (state, btc, _) = givenPositionOpen()  // book: 500,000 / 500,500
        #expect(run(&state, [btc.trade(50_000_000, "0.01", at: at(30, 6))]) == [])
        #expect(state.statistics.suspectPrints == 1)
        #expect(state.market("KRW-BTC")?.lastPrice == 500_000)
        #expect(state.market("KRW-BTC")?.candles.building?.high == 500_000)
        // A real take-profit print still sells.
        let real = run(&state, [btc.trade(501_500, "0.01", at: at(30, 7))])
        #expect(real == [.placeOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))])
    }

    @Test func aPrintAtOneWritesNothingOffAndSellsNothing() {
        var (state, btc, _) = givenPositionOpen()
        #expect(run(&state, [btc.trade(1, "0.01", at: at(30, 6))]) == [])
        #expect(state.positions[0].quantity == 1)
        #expect(state.positions[0].writtenOffQuantity == 0)
        #expect(state.equity == fixed("999750"))  // 499,750 free + 1 BTC at 500,000
    }

    @Test func theBandIsThePriceBandAroundBestBidAndAsk() {
        var config = Config()
        config.risk.priceBand = fixed("0.01")
        var (state, btc, _) = givenPositionOpen(config)
        // 500,000 * 0.99 = 495,000 is inside; 494,999 is not.
        #expect(run(&state, [btc.trade(494_999, "0.01", at: at(30, 6))]) == [])
        #expect(state.statistics.suspectPrints == 1)
        let stop = run(&state, [btc.trade(495_000, "0.01", at: at(30, 7))])
        #expect(orders(stop).map(\.identifier) == ["t-1-s2"])
    }

    @Test func withoutAFreshBookAJumpIsBelievedOnceASecondPrintAgrees() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t"))
        var btc = Market("KRW-BTC")
        run(&state, [btc.trade(100, "1", at: at(0, 1)), btc.trade(120, "1", at: at(0, 2))])
        #expect(state.market("KRW-BTC")?.lastPrice == 100)
        #expect(state.statistics.suspectPrints == 1)
        run(&state, [btc.trade(121, "1", at: at(0, 3))])
        #expect(state.market("KRW-BTC")?.lastPrice == 121)
        // An old book does not judge: the first print after it is compared with the last price.
        run(&state, [btc.book(bid: 1, ask: 1, at: at(0, 4), bestBid: 120, bestAsk: 122),
                     btc.trade(150, "1", at: at(1, 5)), btc.trade(122, "1", at: at(1, 6))])
        #expect(state.market("KRW-BTC")?.lastPrice == 122)
        #expect(state.statistics.suspectPrints == 2)
    }

    /// Dust is judged at the book's best bid, not at the last print.
    @Test func aWriteOffValuesThePositionAtTheBestBid() {
        var (state, btc, _) = givenPositionOpen()
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))])  // stop: t-1-s2 sells 1 BTC
        // 0.99 BTC sold; 0.01 BTC (5,000 KRW at the best bid) is left and still sellable.
        let rest = run(&state, [update("t-1-s2", "KRW-BTC", .done, volume: "0.99", funds: "490050", fee: "245.025",
                                       at: at(30, 6, 100))])
        #expect(orders(rest) == [upbitOrder("t-1-s3", "KRW-BTC", .marketSell(volume: fixed("0.01")))])
        #expect(state.positions[0].writtenOffQuantity == 0)
    }
}
