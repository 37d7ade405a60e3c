import Core
import Shells
import Testing

/// The answers of binance-futures.md §3.7 (and the account, klines and premium index shapes of
/// §3.1/§3.6) turned into core values.
@Suite struct BinanceRESTAnswerTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }
    func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    static let marketFilled = #"{"orderId":8389765739703625592,"symbol":"BTCUSDT","status":"FILLED","clientOrderId":"sg-p42-entry-1","price":"0.0","avgPrice":"60000.0","origQty":"0.010","executedQty":"0.010","cumQty":"0.010","cumQuote":"600.00000","timeInForce":"GTC","type":"MARKET","reduceOnly":false,"closePosition":false,"side":"BUY","positionSide":"BOTH","stopPrice":"0.0","workingType":"CONTRACT_PRICE","priceProtect":false,"origType":"MARKET","priceMatch":"NONE","selfTradePreventionMode":"EXPIRE_MAKER","goodTillDate":0,"updateTime":1700000000031}"#

    /// §3.1's leverage brackets: numbers or strings, sorted by cap; applied to a listing they give
    /// the symbol's maximum leverage and maintenance tiers.
    @Test func leverageBracketsAndWhatTheyMakeOfAnInstrument() throws {
        let answer = #"[{"symbol":"BTCUSDT","brackets":[{"bracket":2,"initialLeverage":100,"notionalCap":600000,"notionalFloor":50000,"maintMarginRatio":"0.005","cum":50.0},{"bracket":1,"initialLeverage":125,"notionalCap":50000,"notionalFloor":0,"maintMarginRatio":0.004,"cum":0.0}]}]"#
        let brackets = try BinanceREST.brackets(try json(answer))
        #expect(brackets["BTCUSDT"] == [
            BinanceBracket(initialLeverage: 125, notionalCap: 50_000, maintenanceRatio: fixed("0.004"), cumulative: 0),
            BinanceBracket(initialLeverage: 100, notionalCap: 600_000, maintenanceRatio: fixed("0.005"), cumulative: 50),
        ])
        let listings = BinanceBracket.apply(brackets, to: [MarketListing(market: "BTCUSDT", instrument: BinanceVenue.perpetualInstrument),
                                                           MarketListing(market: "ETHUSDT", instrument: BinanceVenue.perpetualInstrument)])
        #expect(listings[0].instrument?.maximumLeverage == 125)
        #expect(listings[0].instrument?.maintenanceTier(notional: 60_000) == MaintenanceTier(notionalCap: 600_000, rate: fixed("0.005"), amount: 50))
        #expect(listings[1].instrument?.maintenanceTiers == [])  // no brackets: the defaults
        for hostile in [#"[{"symbol":"BTCUSDT","brackets":[]}]"#,
                        #"[{"symbol":"BTCUSDT","brackets":[{"initialLeverage":0,"notionalCap":1,"maintMarginRatio":0.1,"cum":0}]}]"#,
                        #"[{"symbol":"BTCUSDT","brackets":[{"initialLeverage":5,"notionalCap":1,"maintMarginRatio":1.5,"cum":0}]}]"#,
                        #"[{"symbol":"BTCUSDT","brackets":[{"initialLeverage":5,"notionalCap":-1,"maintMarginRatio":0.1,"cum":0}]}]"#] {
            #expect(throws: (any Error).self) { try BinanceREST.brackets(try json(hostile)) }
        }
    }

    @Test func aFilledMarketOrder() throws {
        let update = try BinanceREST.orderUpdate(try json(BinanceRESTAnswerTests.marketFilled), fillsRequired: true)
        #expect(update == OrderUpdate(identifier: "sg-p42-entry-1", uuid: "8389765739703625592", market: "BTCUSDT",
                                      state: .filled, executedQuantity: fixed("0.01"), executedQuote: 600, paidFee: 0,
                                      time: 1_700_000_000_031, side: .buy))
    }

    @Test func withoutCumQuoteTheQuoteIsAveragePriceTimesQuantity() throws {
        let text = BinanceRESTAnswerTests.marketFilled.replacingOccurrences(of: #""cumQuote":"600.00000","#, with: "")
            .replacingOccurrences(of: #""avgPrice":"60000.0""#, with: #""avgPrice":"60000.3""#)
        let update = try BinanceREST.orderUpdate(try json(text), fillsRequired: true)
        #expect(update.executedQuote == fixed("600.003"))
    }

    /// Placement answers may lack both since mid-2026: a working order is reported without its
    /// fills; a final one (or a query's answer) is refused, to be settled by a query.
    @Test func withoutAnyQuoteFillsWaitForTheStream() throws {
        let bare = BinanceRESTAnswerTests.marketFilled.replacingOccurrences(of: #""cumQuote":"600.00000","#, with: "")
            .replacingOccurrences(of: #""avgPrice":"60000.0","#, with: "")
        #expect(throws: (any Error).self) { try BinanceREST.orderUpdate(try json(bare), fillsRequired: false) }
        let partial = bare.replacingOccurrences(of: #""status":"FILLED""#, with: #""status":"PARTIALLY_FILLED""#)
        let update = try BinanceREST.orderUpdate(try json(partial), fillsRequired: false)
        #expect(update.state == .partiallyFilled && update.executedQuantity == 0 && update.executedQuote == 0)
        #expect(throws: (any Error).self) { try BinanceREST.orderUpdate(try json(partial), fillsRequired: true) }
    }

    @Test(arguments: [("NEW", OrderStatus.open), ("PARTIALLY_FILLED", .partiallyFilled), ("FILLED", .filled),
                      ("CANCELED", .cancelled), ("EXPIRED", .expired), ("EXPIRED_IN_MATCH", .expired), ("REJECTED", .rejected)])
    func statuses(binance: String, status: OrderStatus) throws {
        let text = BinanceRESTAnswerTests.marketFilled.replacingOccurrences(of: #""status":"FILLED""#, with: #""status":"\#(binance)""#)
        #expect(try BinanceREST.orderUpdate(try json(text), fillsRequired: true).state == status)
    }

    @Test func hostileOrderAnswersAreRefused() throws {
        for (from, to) in [(#""status":"FILLED""#, #""status":"DONE""#), (#""executedQty":"0.010""#, #""executedQty":"-1""#),
                           (#""cumQuote":"600.00000""#, #""cumQuote":"1e20""#), (#""symbol":"BTCUSDT""#, #""symbol":"btc usdt""#),
                           (#""orderId":8389765739703625592"#, #""orderId":98389765739703625592"#),
                           (#""updateTime":1700000000031"#, #""updateTime":99999999999999"#)] {
            let text = BinanceRESTAnswerTests.marketFilled.replacingOccurrences(of: from, with: to)
            #expect(throws: (any Error).self, "\(to)") { try BinanceREST.orderUpdate(try json(text), fillsRequired: true) }
        }
    }

    @Test func aNewAlgoOrder() throws {
        let algo = try BinanceREST.algoOrder(try json(#"{"algoId":1000000033225453,"clientAlgoId":"sg-p42-sl-1","algoType":"CONDITIONAL","orderType":"STOP_MARKET","symbol":"BTCUSDT","side":"SELL","positionSide":"BOTH","timeInForce":"GTC","quantity":"0.000","algoStatus":"NEW","triggerPrice":"59400.0","price":"0.0","icebergQuantity":null,"selfTradePreventionMode":"EXPIRE_MAKER","workingType":"MARK_PRICE","priceMatch":"NONE","closePosition":true,"priceProtect":false,"reduceOnly":false,"activatePrice":"","callbackRate":"","createTime":1700000000210,"updateTime":1700000000210,"triggerTime":0,"goodTillDate":0}"#))
        #expect(algo == BinanceAlgoOrder(algoId: 1_000_000_033_225_453, clientAlgoId: "sg-p42-sl-1", symbol: "BTCUSDT", side: .sell,
                                         orderType: "STOP_MARKET", status: .new, triggerPrice: 59_400, actualOrderId: nil,
                                         averagePrice: nil, executedQuantity: nil, time: 1_700_000_000_210))
        #expect(algo.orderUpdate.state == .open && algo.orderUpdate.uuid == "algo-1000000033225453")
    }

    @Test func aTriggeredAlgoOrderNamesItsChild() throws {
        let algo = try BinanceREST.algoOrder(try json(#"{"algoId":7,"clientAlgoId":"sg-p42-sl-1","orderType":"STOP_MARKET","symbol":"BTCUSDT","side":"SELL","algoStatus":"FINISHED","triggerPrice":"59400.0","actualOrderId":"8389765739703625999","actualPrice":"59380.0","actualQty":"0.010","updateTime":1700000300016}"#))
        #expect(algo.actualOrderId == 8_389_765_739_703_625_999)
        #expect(algo.orderUpdate.state == .filled)
        #expect(algo.orderUpdate.executedQuote == fixed("593.8"))
    }

    @Test func positionRisk() throws {
        let positions = try BinanceREST.positions(try json(#"[{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"-0.010","entryPrice":"60000.0","breakEvenPrice":"60030.0","markPrice":"58500.00000000","unRealizedProfit":"15.00000000","liquidationPrice":"79681.27","isolatedMargin":"185.00000000","notional":"585.00000000","marginAsset":"USDT","isolatedWallet":"200.00000000","initialMargin":"195.00000000","maintMargin":"2.34000000","positionInitialMargin":"195.00000000","openOrderInitialMargin":"0","adl":1,"bidNotional":"0","askNotional":"0","updateTime":1700000100000}]"#))
        #expect(positions == [BinancePosition(symbol: "BTCUSDT", positionSide: "BOTH", amount: fixed("-0.01"), entryPrice: 60_000,
                                              unrealizedProfit: 15, isolatedWallet: 200, markPrice: 58_500,
                                              liquidationPrice: fixed("79681.27"))])
    }

    @Test func theAccountBecomesASnapshot() throws {
        let snapshot = try BinanceREST.accountSnapshot(try json(#"{"totalWalletBalance":"10000.0","availableBalance":"9790.0","assets":[{"asset":"BNB","walletBalance":"1","availableBalance":"1"},{"asset":"USDT","walletBalance":"10000.00000000","unrealizedProfit":"-15.0","marginBalance":"9985.0","maintMargin":"2.34","initialMargin":"210.0","positionInitialMargin":"195.0","openOrderInitialMargin":"15.0","crossWalletBalance":"9800.0","crossUnPnl":"0","availableBalance":"9790.00000000","maxWithdrawAmount":"9790.0","updateTime":1700000100000}],"positions":[{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"-0.010","unrealizedProfit":"-15.0","isolatedMargin":"185.0","notional":"-585.0","isolatedWallet":"200","initialMargin":"195","maintMargin":"2.34","updateTime":1700000100000},{"symbol":"ETHUSDT","positionSide":"BOTH","positionAmt":"0","updateTime":0}]}"#))
        #expect(snapshot == AccountSnapshot(cash: 9_790, lockedCash: 15, holdings: ["BTCUSDT": fixed("-0.01"), "ETHUSDT": 0]))  // signed: a short
    }

    @Test func klinesBecomeMinuteCandles() throws {
        let candles = try BinanceREST.candles(try json(#"[[1700000040000,"60000.0","60020.0","59990.1","60012.3","12.345",1700000099999,"740812.55",850,"6.100","366070.11","0"]]"#))
        #expect(candles == [Candle(minute: 28_333_334, open: 60_000, high: 60_020, low: 59_990.1, close: 60_012.3, volume: 12.345)])
        #expect(throws: (any Error).self) { try BinanceREST.candles(try json(#"[[1700000040000,"1","2"]]"#)) }
        #expect(throws: (any Error).self) { try BinanceREST.candles(try json(#"[[1700000040000,"1","2","-3","4","5"]]"#)) }
    }

    @Test func thePremiumIndex() throws {
        let mark = try BinanceREST.markPrice(try json(#"{"symbol":"BTCUSDT","markPrice":"58500.00000000","indexPrice":"58495.31","estimatedSettlePrice":"58490.0","lastFundingRate":"-0.00010000","interestRate":"0.0001","nextFundingTime":1700006400000,"time":1700000001000}"#))
        #expect(mark == BinanceMarkPrice(symbol: "BTCUSDT", markPrice: 58_500, fundingRate: fixed("-0.0001"),
                                         nextFundingTime: 1_700_006_400_000, time: 1_700_000_001_000))
    }
}
