import Core
import Shells
import Testing

@Suite struct BinanceVenueTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    @Test func theProfile() {
        let profile = BinanceVenue.profile(leverage: 3)
        #expect(profile.name == "binance-futures")
        #expect(profile.quoteAsset == "USDT")
        #expect(profile.symbolPrefix == "" && profile.symbolSuffix == "USDT")
        #expect(profile.accepts("BTCUSDT") && !profile.accepts("KRW-BTC") && !profile.accepts("USDT"))
        #expect(profile.baseAsset(of: "1000PEPEUSDT") == "1000PEPE")
        #expect(profile.dayStartOffsetMinutes == 0 && profile.dayStartZone == "UTC")
        #expect(profile.leverage == 3)
        #expect(profile.isMargin)
        #expect(profile.defaultInstrument.kind == .perpetual(maximumLeverage: 125))
        #expect(!profile.defaultInstrument.quoteSizedMarketBuys)
        #expect(profile.instrument(for: "ETHUSDT").baseAsset == "ETH")
    }

    /// The fact sheet's filter block (§6), and three symbols that must be left out.
    static let exchangeInfo = """
        {"timezone":"UTC","serverTime":1700000000000,
         "rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},
                       {"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200},
                       {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":300}],
         "assets":[],
         "symbols":[
          {"symbol":"BTCUSDT","pair":"BTCUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","marginAsset":"USDT","pricePrecision":2,"quantityPrecision":3,"quotePrecision":8,"triggerProtect":"0.0500","liquidationFee":"0.012500","marketTakeBound":"0.05","filters":[{"filterType":"PRICE_FILTER","minPrice":"556.80","maxPrice":"4529764","tickSize":"0.10"},{"filterType":"LOT_SIZE","minQty":"0.001","maxQty":"1000","stepSize":"0.001"},{"filterType":"MARKET_LOT_SIZE","minQty":"0.001","maxQty":"120","stepSize":"0.001"},{"filterType":"MAX_NUM_ORDERS","limit":200},{"filterType":"MIN_NOTIONAL","notional":"100"},{"filterType":"PERCENT_PRICE","multiplierUp":"1.0500","multiplierDown":"0.9500","multiplierDecimal":"4"}],"orderTypes":["LIMIT","MARKET"],"timeInForce":["GTC"]},
          {"symbol":"BTCUSDT_260327","contractType":"CURRENT_QUARTER","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","filters":[]},
          {"symbol":"BTCUSDC","contractType":"PERPETUAL","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDC","filters":[]},
          {"symbol":"OLDUSDT","contractType":"PERPETUAL","status":"SETTLING","baseAsset":"OLD","quoteAsset":"USDT","filters":[]},
          {"symbol":"DOGEUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"DOGE","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.000010"},{"filterType":"LOT_SIZE","minQty":"1","maxQty":"10000000","stepSize":"1"},{"filterType":"MARKET_LOT_SIZE","minQty":"1","maxQty":"5000000","stepSize":"1"},{"filterType":"MIN_NOTIONAL","notional":"5"}]},
          {"symbol":"BADUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"BAD","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"-0.1"},{"filterType":"LOT_SIZE","minQty":"1","maxQty":"10","stepSize":"1"}]},
          {"symbol":"HUGEUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"HUGE","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"1e30"},{"filterType":"LOT_SIZE","minQty":"1","maxQty":"10","stepSize":"1"}]},
          {"symbol":"测试USDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"测试","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.1"},{"filterType":"LOT_SIZE","minQty":"1","maxQty":"10","stepSize":"1"}]}
         ]}
        """

    @Test func exchangeInfoListsTradingUSDTPerpetualsWithTheirInstruments() throws {
        let info = try BinanceExchangeInfo.parse(try JSONValue.parse(BinanceVenueTests.exchangeInfo), maximumLeverage: ["DOGEUSDT": 75])
        #expect(info.listings.map(\.market) == ["BTCUSDT", "DOGEUSDT"])
        #expect(info.skipped == ["BADUSDT", "HUGEUSDT", "测试USDT"])
        let bitcoin = try #require(info.listings[0].instrument)
        #expect(bitcoin == Instrument(
            symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", kind: .perpetual(maximumLeverage: 125),
            tickScheme: .fixed(fixed("0.1")), quantityStep: fixed("0.001"), minimumQuantity: fixed("0.001"),
            maximumQuantity: 120, minimumNotional: 100, quoteDecimals: 8, quoteSizedMarketBuys: false))
        let doge = try #require(info.listings[1].instrument)
        #expect(doge.kind == .perpetual(maximumLeverage: 75))
        #expect(doge.tickScheme == .fixed(fixed("0.00001")))
        #expect(doge.quantityStep == 1 && doge.maximumQuantity == 5_000_000 && doge.minimumNotional == 5)
        #expect(doge.quoteDecimals == 8)  // no quotePrecision: 8
        #expect(info.rateLimits == BinanceRateLimits(weightPerMinute: 6_000, ordersPerTenSeconds: 300, ordersPerMinute: 1_200))
    }

    @Test func hostileExchangeInfoIsRefusedNotCrashedOn() {
        for text in ["{}", #"{"symbols":{}}"#, #"{"symbols":[1,2,3]}"#, "[" + String(repeating: "[", count: 5_000),
                     #"{"symbols":[{"contractType":"PERPETUAL","quoteAsset":"USDT","status":"TRADING","symbol":"XUSDT","baseAsset":"X","filters":7}]}"#] {
            let info = (try? JSONValue.parse(text)).flatMap { try? BinanceExchangeInfo.parse($0) }
            #expect(info == nil || info?.listings.isEmpty == true, "\(text.prefix(40))")
        }
    }

    @Test func rateLimitsIgnoreWhatTheyDoNotKnow() {
        let json = try? JSONValue.parse(#"[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":-5},{"rateLimitType":"RAW","interval":"MINUTE","intervalNum":1,"limit":9}]"#)
        #expect(BinanceRateLimits.parse(json) == .standard)
    }

    @Test func decimalsAreWrittenWithTheStepsPlaces() {
        #expect(BinanceDecimal.places(of: fixed("0.10")) == 1)
        #expect(BinanceDecimal.places(of: fixed("0.001")) == 3)
        #expect(BinanceDecimal.places(of: 1) == 0)
        #expect(BinanceDecimal.text(fixed("0.01"), step: fixed("0.001")) == "0.010")
        #expect(BinanceDecimal.text(fixed("60180"), step: fixed("0.10")) == "60180.0")
        #expect(BinanceDecimal.text(fixed("59400.0"), step: fixed("0.1")) == "59400.0")
        #expect(BinanceDecimal.text(5, step: 1) == "5")
        #expect(BinanceDecimal.text(fixed("0.00001"), step: fixed("0.00001")) == "0.00001")
        #expect(BinanceDecimal.text(fixed("123456789012.5"), step: fixed("0.1")) == "123456789012.5")
        #expect(BinanceDecimal.text(fixed("0.0105"), step: fixed("0.001")) == nil)  // off the grid: refused
        #expect(BinanceDecimal.text(fixed("-1"), step: 1) == nil)
    }
}
