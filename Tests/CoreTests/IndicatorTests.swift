import Core
import Shells
import TestSupport
import Foundation
import Testing

@Suite struct RSITests {
    /// The series and TA-Lib RSI(14) values of issue #2.
    @Test func matchesTALibOnTheIssueSeries() {
        let closes: [Double] = [
            500000, 500500, 500500, 500500, 500500, 500500, 499000, 499000, 499000, 499000, 498500, 497000, 496500,
            496000, 497500, 497500, 498000, 497500, 497500, 497500, 496000, 497000, 498500, 499500, 499000, 499000,
            500500, 502000, 502000, 500500, 499500, 498000, 498000, 497000, 498000, 499500, 499500, 501000, 501000,
            502500,
        ]
        let expected = [
            30.7692307692, 30.7692307692, 36.4396155453, 33.4859539775, 33.4859539775, 33.4859539775, 25.6850812205,
            36.3334956996, 48.3001817777, 54.4472859779, 51.1711535116, 51.1711535116, 59.6239380137, 65.9683456256,
            65.9683456256, 55.7995962759, 50.2396340469, 43.2742332872, 43.2742332872, 39.0845354398, 44.8361835743,
            52.1365504616, 52.1365504616, 58.5052772171, 58.5052772171, 64.0526225196,
        ]
        let rsi = WilderRSI.series(closes, period: 14)
        #expect(rsi.count == expected.count)
        for (value, reference) in zip(rsi, expected) {
            #expect(abs(value - reference) < 1e-9, "RSI \(value) vs TA-Lib \(reference)")
        }
    }

    /// 240 real KRW-BTC closes with TA-Lib's RSI(14) beside them (shared/fixtures, from smtm).
    @Test func matchesTALibOnRealUpbitCloses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/krw-btc-1m-rsi.csv").path
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let closes = rows.map { Double($0[1])! }
        let expected = rows.compactMap { Double($0[2]) }
        let rsi = WilderRSI.series(closes, period: 14)
        #expect(rsi.count == 226)
        #expect(rsi.count == expected.count)
        for (value, reference) in zip(rsi, expected) {
            #expect(abs(value - reference) < 1e-9)
        }
    }

    @Test func flatClosesGiveZeroAsTALibDoes() {
        #expect(WilderRSI.series(Array(repeating: 100, count: 16), period: 14) == [0, 0])
    }

    @Test func noValueBeforePeriodPlusOneCloses() {
        var rsi = WilderRSI(period: 14)
        for close in 0..<14 { rsi.add(close: Double(close)) }
        #expect(rsi.value == nil)
        rsi.add(close: 14)
        #expect(rsi.value == 100)
    }
}

@Suite struct CandleTests {
    func state() -> State { upbitState(Config(), options: .init(identifierPrefix: "t", trace: true)) }

    @Test func aMinuteWithoutTradesIsAFlatCandleWithZeroVolume() {
        var state = state()
        var btc = Market("KRW-BTC")
        // (104, not 110: with no book, a print more than 5 % from the last price waits for a second one)
        run(&state, [btc.trade(100, "1", at: at(0, 10)), btc.trade(102, "2", at: at(0, 40)),
                     btc.trade(104, "3", at: at(3, 1))])
        let candles = state.market("KRW-BTC")!.candles
        #expect(candles.closed.elements == [
            Candle(minute: Time.minute(of: at(0)), open: 100, high: 102, low: 100, close: 102, volume: 3),
            Candle(minute: Time.minute(of: at(1)), open: 102, high: 102, low: 102, close: 102, volume: 0),
            Candle(minute: Time.minute(of: at(2)), open: 102, high: 102, low: 102, close: 102, volume: 0),
        ])
        #expect(candles.building == Candle(minute: Time.minute(of: at(3)), open: 104, high: 104, low: 104, close: 104, volume: 3))
    }

    @Test func theClockClosesCandlesOfSilentMarketsTwoSecondsAfterTheMinute() {
        var state = state()
        var btc = Market("KRW-BTC")
        run(&state, [btc.trade(100, "1", at: at(0, 10))])
        func traces(_ commands: [Command]) -> [Command] {
            commands.filter { if case .trace = $0 { true } else { false } }
        }
        let early = run(&state, [.timerFired(time: at(1, 1))])
        #expect(traces(early) == [])
        let closed = run(&state, [.timerFired(time: at(1, 2))])
        #expect(traces(closed) == [.trace(.candle(market: "KRW-BTC",
            candle: Candle(minute: Time.minute(of: at(0)), open: 100, high: 100, low: 100, close: 100, volume: 1), rsi: nil))])
    }

    @Test func aDuplicateSequentialIdIsIgnored() {
        var state = state()
        let trade = Trade(market: "KRW-BTC", price: 100, volume: 1, side: .buy, time: at(0, 1), sequentialId: 7)
        run(&state, [.tradeReceived(trade), .tradeReceived(trade)])
        #expect(state.market("KRW-BTC")?.candles.building?.volume == 1)
        #expect(state.statistics.duplicateTrades == 1)
    }

    @Test func aTradeOlderThanTheLastClosedCandleIsLateAndCounted() {
        var state = state()
        var btc = Market("KRW-BTC")
        run(&state, [btc.trade(100, "1", at: at(1, 0)), btc.trade(101, "1", at: at(2, 0)),
                     btc.trade(99, "5", at: at(1, 59))])
        #expect(state.statistics.lateTrades == 1)
        #expect(state.market("KRW-BTC")?.candles.closed.last?.volume == 1)
    }

    @Test func backfilledCandlesGoInFrontWithGapsFilled() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t", backfillCandles: 200))
        var btc = Market("KRW-BTC")
        let first = run(&state, [btc.trade(105, "1", at: at(10, 5))])
        #expect(first == [.fetchCandles(requestId: 1, market: "KRW-BTC", count: 200)])
        let fetched = [
            Candle(minute: Time.minute(of: at(8)), open: 103, high: 104, low: 103, close: 104, volume: 2),
            Candle(minute: Time.minute(of: at(6)), open: 100, high: 103, low: 100, close: 103, volume: 4),
        ]
        run(&state, [.candlesFetched(requestId: 1, market: "KRW-BTC", candles: fetched, time: at(10, 6))])
        let closes = state.market("KRW-BTC")!.candles.closed.elements.map { "\($0.close)/\($0.volume)" }
        #expect(closes == ["103.0/4.0", "103.0/0.0", "104.0/2.0", "104.0/0.0"])
        #expect(state.market("KRW-BTC")?.backfill == .done)
    }
}
