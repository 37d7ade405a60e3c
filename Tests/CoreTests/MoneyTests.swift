import Core
import Shells
import TestSupport
import Foundation
import Testing

@Suite struct FixedTests {
    @Test(arguments: [
        ("500000", "500000"), ("0.00012", "0.00012"), ("1.16539E8", "116539000"), ("7.9276E-4", "0.00079276"),
        ("-0.5", "-0.5"), ("+3", "3"), ("1000000.0", "1000000"), ("0.0000000000000001", "0.0000000000000001"),
        ("0.00000000000000019", "0.0000000000000001"), ("12e0", "12"), (".5", "0.5"),
    ])
    func parsesAndPrintsPlainDecimals(text: String, printed: String) {
        #expect(Fixed(text)?.description == printed)
    }

    @Test(arguments: ["", "-", "abc", "1.2.3", "1e", "1e-", "NaN", "1 000", "1e400", "99999999999999999999999999999"])
    func rejectsWhatIsNotANumber(text: String) {
        #expect(Fixed(text) == nil)
    }

    @Test func arithmeticIsExactForUpbitPrecision() {
        #expect(fixed("0.1") + fixed("0.2") == fixed("0.3"))
        #expect(fixed("116539000") * fixed("0.00079276") == fixed("92387.45764"))
        #expect(fixed("500000") * fixed("1.003") == 501_500)
        #expect(fixed("1") / fixed("3") == fixed("0.3333333333333333"))
        #expect(fixed("-7") / fixed("2") == fixed("-3.5"))
    }

    @Test func roundingToAGrid() {
        #expect(fixed("501234").floored(toMultipleOf: 500) == 501_000)
        #expect(fixed("501234").ceiled(toMultipleOf: 500) == 501_500)
        #expect(fixed("501500").ceiled(toMultipleOf: 500) == 501_500)
        #expect(fixed("-1.5").floored(toMultipleOf: 1) == -2)
        #expect(fixed("0.123456789").floored(places: 8) == fixed("0.12345678"))
    }

    @Test func codableAsDecimalText() throws {
        let data = try JSONEncoder().encode([fixed("0.003"), fixed("-1.5")])
        #expect(String(decoding: data, as: UTF8.self) == #"["0.003","-1.5"]"#)
        #expect(try JSONDecoder().decode([Fixed].self, from: data) == [fixed("0.003"), fixed("-1.5")])
    }

    @Test func approximatingADoubleKeepsItsShortestDecimal() {
        #expect(Fixed(approximating: 0.003) == fixed("0.003"))
        #expect(Fixed(approximating: .nan) == nil)
    }
}

@Suite struct TickGridTests {
    @Test(arguments: [
        ("2500000", "1000"), ("1000000", "1000"), ("999999", "500"), ("500000", "500"), ("100000", "100"),
        ("99999", "50"), ("50000", "50"), ("10000", "10"), ("5000", "5"), ("4999", "1"), ("100", "1"),
        ("99.9", "0.1"), ("5", "0.01"), ("0.5", "0.001"), ("0.05", "0.0001"), ("0.005", "0.00001"),
        ("0.0005", "0.000001"), ("0.00005", "0.0000001"), ("0.000005", "0.00000001"),
    ])
    func krwTableOfUpbit(price: String, tick: String) {
        #expect(UpbitVenue.krwTicks.tick(for: fixed(price)) == fixed(tick))
    }

    @Test func buysRoundDownAndSellsRoundUp() {
        #expect(UpbitVenue.krwTicks.roundDown(fixed("501234")) == 501_000)
        #expect(UpbitVenue.krwTicks.roundUp(fixed("501234")) == 501_500)
        #expect(UpbitVenue.krwTicks.roundUp(fixed("99999.5")) == 100_000)  // onto the next band's boundary
        #expect(TickScheme.fixed(fixed("0.1")).roundDown(fixed("1234.5678")) == fixed("1234.5"))
        #expect(UpbitVenue.krwTicks.isOnGrid(501_500))
        #expect(!UpbitVenue.krwTicks.isOnGrid(501_550))
    }

    @Test func theExchangesTickSizeOverridesTheTable() {
        var state = upbitState(Config(), options: .init(identifierPrefix: "t"))
        run(&state, [.marketRulesReceived(MarketRules(market: "KRW-USDT", tickSize: fixed("0.5"), minimumNotional: 5_000,
                                                      feeRate: fixed("0.0004")), time: at(0))])
        #expect(state.market("KRW-USDT")?.instrument.tickScheme == .fixed(fixed("0.5")))
        #expect(state.market("KRW-USDT")?.instrument.takerFee == fixed("0.0004"))
        #expect(state.market("KRW-USDT")?.instrument.minimumNotional == 5_000)
    }
}

@Suite struct ConfigValidationTests {
    @Test func defaultsAreValidAndMatchTheStrategy() {
        let config = Config()
        #expect(config.validate(for: UpbitVenue.profile) == [])
        #expect(config.exit.takeProfit == fixed("0.003"))
        #expect(config.exit.effectiveTrailingActivation == fixed("0.003"))
        #expect(config.capital.positionFraction == fixed("0.5"))
    }

    @Test func badValuesAreNamedByKey() {
        var config = Config()
        config.exit.takeProfit = fixed("-0.1")
        config.capital.positionFraction = fixed("1.5")
        config.entry.rsiMin = 70
        config.entry.rsiMax = 60
        config.universe.exclude = ["BTC"]
        #expect(config.validate(for: UpbitVenue.profile).map(\.description) == [
            "capital.position_fraction: must be in (0, 1] (got 1.5)",
            "entry.rsi_max: must be rsi_min...100 (got 60.0)",
            "exit.take_profit: must be in (0, 10) (got -0.1)",
            "universe.exclude: not a KRW market code: BTC",
        ])
    }
}

@Suite struct FixedToDoubleTests {
    @Test(arguments: ["1.63815297", "2.51469375", "0.00079276", "116539000", "0.1", "-3.14159265", "89999999.99999999",
                      "1234567890123.5", "0.0000000000000001", "-0.5"])
    func upbitPrecisionConvertsToTheNearestDouble(text: String) {
        #expect(Fixed(text)!.doubleValue == Double(text)!)
    }
}
