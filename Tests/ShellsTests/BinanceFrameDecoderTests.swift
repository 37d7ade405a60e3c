import Core
import Shells
import Testing

/// The payloads of binance-futures.md §7.3 (market) and §7.6 (user data), bare and wrapped, and a
/// small fuzz: truncations, deep nesting, huge numbers never crash.
@Suite struct BinanceFrameDecoderTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    static let aggTrade = #"{"e":"aggTrade","E":1700000000123,"a":2001442211,"s":"BTCUSDT","p":"60000.0","q":"0.250","nq":"0.250","f":5001001,"l":5001003,"T":1700000000120,"m":false}"#
    static let bookTicker = #"{"e":"bookTicker","u":8823410091,"s":"BTCUSDT","b":"59999.9","B":"3.120","a":"60000.0","A":"1.045","T":1700000000119,"E":1700000000124}"#
    static let depth = #"{"e":"depthUpdate","E":1700000000200,"T":1700000000198,"s":"BTCUSDT","U":8823410050,"u":8823410095,"pu":8823410049,"b":[["59999.9","3.120"],["59999.8","0.402"]],"a":[["60000.0","1.045"],["60000.1","0.800"]]}"#
    static let markPrice = #"{"e":"markPriceUpdate","E":1700000001000,"s":"BTCUSDT","p":"58500.00000000","ap":"58510.12000000","i":"58495.31000000","P":"58490.00000000","r":"0.00010000","T":1700006400000}"#
    static let kline = #"{"e":"kline","E":1700000060050,"s":"BTCUSDT","k":{"t":1700000000000,"T":1700000059999,"s":"BTCUSDT","i":"1m","f":5001001,"L":5001850,"o":"60000.0","c":"60012.3","h":"60020.0","l":"59990.1","v":"12.345","n":850,"x":true,"q":"740812.55","V":"6.100","Q":"366070.11","B":"0"}}"#

    @Test func anAggregatedTrade() throws {
        let expected = BinanceMarketFrame.trade(Trade(market: "BTCUSDT", price: 60_000, volume: fixed("0.25"), side: .buy,
                                                      time: 1_700_000_000_120, sequentialId: 2_001_442_211))
        #expect(try BinanceMarketFrameDecoder.decode(BinanceFrameDecoderTests.aggTrade) == expected)
        let wrapped = #"{"stream":"btcusdt@aggTrade","data":"# + BinanceFrameDecoderTests.aggTrade + "}"
        #expect(try BinanceMarketFrameDecoder.decode(wrapped) == expected)
        let sold = BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""m":false"#, with: #""m":true"#)
        guard case .trade(let trade) = try BinanceMarketFrameDecoder.decode(sold) else { Issue.record("not a trade"); return }
        #expect(trade.side == .sell)  // the buyer was the maker: the taker sold
    }

    @Test func theBookTickerAndThePartialBook() throws {
        #expect(try BinanceMarketFrameDecoder.decode(BinanceFrameDecoderTests.bookTicker) == .book(BookTop(
            market: "BTCUSDT", time: 1_700_000_000_119, totalBidSize: 3.12, totalAskSize: 1.045,
            bestBidPrice: fixed("59999.9"), bestAskPrice: 60_000)))
        let wrapped = #"{"stream":"btcusdt@depth20@100ms","data":"# + BinanceFrameDecoderTests.depth + "}"
        #expect(try BinanceMarketFrameDecoder.decode(wrapped) == .book(BookTop(
            market: "BTCUSDT", time: 1_700_000_000_198, totalBidSize: 3.522, totalAskSize: 1.845,
            bestBidPrice: fixed("59999.9"), bestAskPrice: 60_000)))
        let empty = #"{"e":"depthUpdate","E":1700000000200,"T":1700000000198,"s":"BTCUSDT","b":[],"a":[["60000.0","0"],["60000.1","0.8"]]}"#
        #expect(try BinanceMarketFrameDecoder.decode(empty) == .book(BookTop(
            market: "BTCUSDT", time: 1_700_000_000_198, totalBidSize: 0, totalAskSize: 0.8, bestBidPrice: nil,
            bestAskPrice: fixed("60000.1"))))
    }

    /// Levels written plainly take the decoder's fast path; the same levels with a space after
    /// each comma go through the general scanner. Both must give the same book or both refuse.
    @Test func theFastPathOfTheLevelsAgreesWithTheGeneralOne() throws {
        let spellings = ["3.120", "0", "0.000", ".5", "5.", "1234567", "0.1234567", "12345678.9", "0.0000000000000001",
                         "0.00000000000000001", "123456789012345.5", "999999999999999.9999", "1000000000000000",
                         "0000000000000001.5", "1e3", "-1", "+1", "", ".", "1.2.3", " 1", "1 ", "１"]
        var decoded = 0
        for (index, quantity) in spellings.enumerated() {
            let other = spellings[(index * 7 + 3) % spellings.count]
            let bids = [#"["59999.9","\#(quantity)"]"#, #"["59999.8","\#(other)"]"#, #"["59999.7","0.402"]"#]
            let asks = [#"["0","\#(other)"]"#, #"["60000.0","\#(quantity)"]"#, #"["60000.1","0.8"]"#]
            let frame = #"{"e":"depthUpdate","E":1700000000200,"T":1700000000198,"s":"BTCUSDT","b":["# + bids.joined(separator: ",")
                + #"],"a":["# + asks.joined(separator: ",") + "]}"
            let spaced = frame.replacingOccurrences(of: "\",\"", with: "\", \"")
            let plain = Result { () throws(FrameError) in try BinanceMarketFrameDecoder.decode(frame) }
            let general = Result { () throws(FrameError) in try BinanceMarketFrameDecoder.decode(spaced) }
            switch (plain, general) {
            case (.success(let fast), .success(let slow)):
                #expect(fast == slow, "\(quantity)")
                decoded += 1
            case (.failure, .failure): break
            default: Issue.record("\(quantity): \(plain) but \(general)")
            }
        }
        #expect(decoded > spellings.count / 3)
    }

    @Test func theMarkPriceAndOtherFrames() throws {
        #expect(try BinanceMarketFrameDecoder.decode(BinanceFrameDecoderTests.markPrice) == .markPrice(BinanceMarkPrice(
            symbol: "BTCUSDT", markPrice: 58_500, fundingRate: fixed("0.0001"), nextFundingTime: 1_700_006_400_000,
            time: 1_700_000_001_000)))
        #expect(try BinanceMarketFrameDecoder.decode(BinanceFrameDecoderTests.kline) == .other(type: "kline"))
        #expect(try BinanceMarketFrameDecoder.decode(#"{"result":null,"id":1}"#) == .subscriptionAnswer(id: 1))
    }

    @Test func badMarketFramesThrow() {
        let cases = [
            BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""p":"60000.0""#, with: #""p":"-1""#),
            BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""s":"BTCUSDT""#, with: #""s":"KRW-BTC""#),
            BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""T":1700000000120"#, with: #""T":17"#),
            BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""a":2001442211"#, with: #""a":2.5"#),
            BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""q":"0.250""#, with: #""q":"1e300""#),
            BinanceFrameDecoderTests.depth.replacingOccurrences(of: #"["59999.8","0.402"]"#, with: #"["59999.8"]"#),
            BinanceFrameDecoderTests.aggTrade + " x", "[]", "{", #"{"E":1}"#,
        ]
        for text in cases {
            #expect(throws: FrameError.self, "\(text.suffix(60))") { try BinanceMarketFrameDecoder.decode(text) }
        }
    }

    // MARK: User data

    static let orderTradeUpdate = #"{"e":"ORDER_TRADE_UPDATE","E":1700000000032,"T":1700000000030,"o":{"s":"BTCUSDT","c":"sg-p42-entry-1","S":"BUY","o":"MARKET","f":"GTC","q":"0.010","p":"0","ap":"60000.0","sp":"0","x":"TRADE","X":"FILLED","i":8389765739703625592,"l":"0.010","z":"0.010","L":"60000.0","N":"USDT","n":"0.30000000","T":1700000000030,"t":109100866,"b":"0","a":"0","m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"MARKET","ps":"BOTH","cp":false,"rp":"0","pP":false,"si":0,"ss":0,"V":"EXPIRE_MAKER","pm":"NONE","gtd":0,"er":"0"}}"#

    @Test func anOrderTradeUpdate() throws {
        guard case .order(let event) = try BinanceUserFrameDecoder.decode(BinanceFrameDecoderTests.orderTradeUpdate) else {
            Issue.record("not an order event"); return
        }
        #expect(event.update == OrderUpdate(identifier: "sg-p42-entry-1", uuid: "8389765739703625592", market: "BTCUSDT",
                                            state: .filled, executedQuantity: fixed("0.01"), executedQuote: 600, paidFee: 0,
                                            time: 1_700_000_000_030, side: .buy))
        #expect(event.orderId == 8_389_765_739_703_625_592 && event.tradeId == 109_100_866)
        #expect(event.executionType == "TRADE" && event.commission == fixed("0.3") && event.commissionAsset == "USDT")
        #expect(event.lastQuantity == fixed("0.01") && event.lastPrice == 60_000 && event.expiryReason == 0)
        #expect(!event.isMaker && !event.reduceOnly && event.orderType == "MARKET")
    }

    /// The fee is summed per order, each trade once, whatever the duplicates and replays.
    @Test func theFeeTallySumsEachTradeOnce() throws {
        func event(_ z: String, _ n: String, trade: Int, status: String) throws -> BinanceOrderEvent {
            let text = BinanceFrameDecoderTests.orderTradeUpdate
                .replacingOccurrences(of: #""z":"0.010""#, with: #""z":"\#(z)""#)
                .replacingOccurrences(of: #""n":"0.30000000""#, with: #""n":"\#(n)""#)
                .replacingOccurrences(of: #""t":109100866"#, with: #""t":\#(trade)"#)
                .replacingOccurrences(of: #""X":"FILLED""#, with: #""X":"\#(status)""#)
            guard case .order(let event) = try BinanceUserFrameDecoder.decode(text) else { throw FrameError.missing("order") }
            return event
        }
        var tally = BinanceFeeTally()
        let first = try event("0.004", "0.12", trade: 1, status: "PARTIALLY_FILLED")
        #expect(tally.apply(first).paidFee == fixed("0.12"))
        #expect(tally.apply(first).paidFee == fixed("0.12"))  // a duplicate
        let second = try event("0.010", "0.18", trade: 2, status: "FILLED")
        #expect(tally.apply(second).paidFee == fixed("0.3"))
        #expect(tally.apply(first).paidFee == fixed("0.3"))  // a replay after the end
        let bnb = try event("0.010", "0.001", trade: 3, status: "FILLED")
        var inBNB = bnb
        inBNB.commissionAsset = "BNB"
        #expect(tally.apply(inBNB).paidFee == fixed("0.3"))
        #expect(tally.paidInOtherAsset(symbol: "BTCUSDT", orderId: 8_389_765_739_703_625_592))
    }

    @Test func aTradeLite() throws {
        #expect(try BinanceUserFrameDecoder.decode(#"{"e":"TRADE_LITE","E":1700000000031,"T":1700000000030,"s":"BTCUSDT","q":"0.010","p":"0","m":false,"c":"sg-p42-entry-1","S":"BUY","L":"60000.0","l":"0.010","t":109100866,"i":8389765739703625592}"#)
            == .tradeLite(BinanceTradeLite(symbol: "BTCUSDT", clientOrderId: "sg-p42-entry-1", orderId: 8_389_765_739_703_625_592,
                                           tradeId: 109_100_866, side: .buy, lastPrice: 60_000, lastQuantity: fixed("0.01"),
                                           isMaker: false, time: 1_700_000_000_030)))
    }

    @Test func anAccountUpdate() throws {
        let event = try BinanceUserFrameDecoder.decode(#"{"e":"ACCOUNT_UPDATE","E":1700006400015,"T":1700006400010,"a":{"m":"FUNDING_FEE","S":"BTCUSDT","B":[{"a":"USDT","wb":"9999.64150000","cw":"9799.64150000","bc":"0"}],"P":[{"s":"BTCUSDT","pa":"0.010","ep":"60000.0","bep":"60030.0","cr":"0","up":"-15.00000000","mt":"isolated","iw":"199.94150000","ps":"BOTH"}]}}"#)
        let expected = BinanceAccountUpdate(
            reason: "FUNDING_FEE", symbol: "BTCUSDT",
            balances: [.init(asset: "USDT", walletBalance: fixed("9999.6415"), crossWalletBalance: fixed("9799.6415"), balanceChange: 0)],
            positions: [BinancePosition(symbol: "BTCUSDT", positionSide: "BOTH", amount: fixed("0.01"), entryPrice: 60_000,
                                        unrealizedProfit: -15, isolatedWallet: fixed("199.9415"), marginType: "isolated")],
            time: 1_700_006_400_015)
        #expect(event == .account(expected))
        #expect(expected.snapshot == AccountSnapshot(cash: nil, lockedCash: nil, holdings: ["BTCUSDT": fixed("0.01")]))
    }

    static let algoFrames = [
        #"{"e":"ALGO_UPDATE","T":1700000300000,"E":1700000300002,"o":{"caid":"sg-p42-sl-1","aid":1000000033225453,"at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.000","X":"TRIGGERING","ai":"","tp":"59400.0","p":"0","V":"EXPIRE_MAKER","wt":"MARK_PRICE","pm":"NONE","cp":true,"pP":false,"R":false,"tt":1700000300000,"gtd":0}}"#,
        #"{"e":"ALGO_UPDATE","T":1700000300011,"E":1700000300015,"o":{"caid":"sg-p42-sl-1","aid":1000000033225453,"at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.000","X":"TRIGGERED","ai":"8389765739703625999","ap":"0","aq":"0","act":"MARKET","tp":"59400.0","p":"0","V":"EXPIRE_MAKER","wt":"MARK_PRICE","pm":"NONE","cp":true,"pP":false,"R":false,"tt":1700000300000,"gtd":0}}"#,
        #"{"e":"ALGO_UPDATE","T":1700000300012,"E":1700000300016,"o":{"caid":"sg-p42-sl-1","aid":1000000033225453,"at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.000","X":"FINISHED","ai":"8389765739703625999","ap":"59380.0","aq":"0.010","act":"MARKET","tp":"59400.0","p":"0","V":"EXPIRE_MAKER","wt":"MARK_PRICE","pm":"NONE","cp":true,"pP":false,"R":false,"tt":1700000300000,"gtd":0}}"#,
    ]

    @Test func theAlgoUpdatesOfAStopThatFires() throws {
        let events = try BinanceFrameDecoderTests.algoFrames.map { try BinanceUserFrameDecoder.decode($0) }
        let algos = events.compactMap { event -> BinanceAlgoOrder? in
            if case .algo(let algo) = event { return algo }
            return nil
        }
        #expect(algos.map(\.status) == [.triggering, .triggered, .finished])
        #expect(algos.map(\.actualOrderId) == [nil, 8_389_765_739_703_625_999, 8_389_765_739_703_625_999])
        #expect(algos[2] == BinanceAlgoOrder(algoId: 1_000_000_033_225_453, clientAlgoId: "sg-p42-sl-1", symbol: "BTCUSDT",
                                             side: .sell, orderType: "STOP_MARKET", status: .finished, triggerPrice: 59_400,
                                             actualOrderId: 8_389_765_739_703_625_999, averagePrice: 59_380,
                                             executedQuantity: fixed("0.01"), time: 1_700_000_300_016))
        #expect(algos[2].orderUpdate.state == .filled && algos[2].orderUpdate.executedQuote == fixed("593.8"))
        #expect(algos[1].orderUpdate.state == .open)
    }

    @Test func theSmallerEvents() throws {
        #expect(try BinanceUserFrameDecoder.decode(#"{"e":"listenKeyExpired","E":"1700003600000","listenKey":"pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"}"#)
            == .listenKeyExpired(time: 1_700_003_600_000))
        #expect(try BinanceUserFrameDecoder.decode(#"{"e":"ACCOUNT_CONFIG_UPDATE","E":1700000000000,"T":1700000000000,"ac":{"s":"BTCUSDT","l":3}}"#)
            == .configuration(symbol: "BTCUSDT", leverage: 3, multiAssetsMode: nil, time: 1_700_000_000_000))
        #expect(try BinanceUserFrameDecoder.decode(#"{"e":"ACCOUNT_CONFIG_UPDATE","E":1700000000000,"T":1700000000000,"ai":{"j":true}}"#)
            == .configuration(symbol: nil, leverage: nil, multiAssetsMode: true, time: 1_700_000_000_000))
        let call = try BinanceUserFrameDecoder.decode(#"{"e":"MARGIN_CALL","E":1700000000000,"cw":"3.16812045","p":[{"s":"BTCUSDT","ps":"BOTH","pa":"0.010","mt":"CROSSED","iw":"0","mp":"40500.0","up":"-195.0","mm":"1.62"}]}"#)
        guard case .marginCall(let margin) = call else { Issue.record("not a margin call"); return }
        #expect(margin.crossWalletBalance == fixed("3.16812045") && margin.positions.first?.markPrice == 40_500)
        #expect(margin.maintenanceMargins == ["BTCUSDT": fixed("1.62")])
        #expect(try BinanceUserFrameDecoder.decode(#"{"e":"STRATEGY_UPDATE","E":1700000000000,"x":[1,{"y":2}]}"#) == .other(type: "STRATEGY_UPDATE"))
        let wrapped = #"{"stream":"pqia91ma","data":{"e":"listenKeyExpired","E":1700003600000}}"#
        #expect(try BinanceUserFrameDecoder.decode(wrapped) == .listenKeyExpired(time: 1_700_003_600_000))
    }

    @Test func badUserFramesThrow() {
        let cases = [
            BinanceFrameDecoderTests.orderTradeUpdate.replacingOccurrences(of: #""X":"FILLED""#, with: #""X":"DONE""#),
            BinanceFrameDecoderTests.orderTradeUpdate.replacingOccurrences(of: #""i":8389765739703625592"#, with: #""i":8.5"#),
            BinanceFrameDecoderTests.orderTradeUpdate.replacingOccurrences(of: #""i":8389765739703625592"#, with: #""i":18389765739703625592"#),
            BinanceFrameDecoderTests.orderTradeUpdate.replacingOccurrences(of: #""z":"0.010""#, with: #""z":"-0.010""#),
            BinanceFrameDecoderTests.orderTradeUpdate.replacingOccurrences(of: #""ap":"60000.0""#, with: #""ap":"99999999999999999""#),
            #"{"e":"ORDER_TRADE_UPDATE","E":1700000000032,"o":7}"#, #"{"E":1700000000032}"#, "[]", "",
        ]
        for text in cases {
            #expect(throws: FrameError.self, "\(text.prefix(80))") { try BinanceUserFrameDecoder.decode(text) }
        }
    }

    /// Every truncation of every example, deep nesting and huge numbers: thrown errors, no crash.
    @Test func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let market = [BinanceFrameDecoderTests.aggTrade, BinanceFrameDecoderTests.bookTicker, BinanceFrameDecoderTests.depth,
                      BinanceFrameDecoderTests.markPrice, BinanceFrameDecoderTests.kline]
        let user = [BinanceFrameDecoderTests.orderTradeUpdate] + BinanceFrameDecoderTests.algoFrames
        for frame in market + user {
            let bytes = Array(frame.utf8)
            for length in 0..<bytes.count {
                let prefix = Array(bytes[0..<length])
                _ = try? prefix.withUnsafeBytes { try BinanceMarketFrameDecoder.decode($0) }
                _ = try? BinanceUserFrameDecoder.decode(prefix)
            }
            for _ in 0..<200 {  // random byte flips
                var mutated = bytes
                for _ in 0..<3 { mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
                _ = try? mutated.withUnsafeBytes { try BinanceMarketFrameDecoder.decode($0) }
                _ = try? BinanceUserFrameDecoder.decode(mutated)
            }
        }
        let deep = #"{"e":"aggTrade","x":"# + String(repeating: "[", count: 100_000) + "}"
        #expect(throws: FrameError.self) { try BinanceMarketFrameDecoder.decode(deep) }
        #expect(throws: FrameError.self) { try BinanceUserFrameDecoder.decode(#"{"e":"x","E":1,"o":"# + String(repeating: #"{"a":"#, count: 100_000)) }
        let huge = BinanceFrameDecoderTests.aggTrade.replacingOccurrences(of: #""a":2001442211"#, with: #""a":"# + String(repeating: "9", count: 5_000))
        #expect(throws: FrameError.self) { try BinanceMarketFrameDecoder.decode(huge) }
        let hugeUser = BinanceFrameDecoderTests.orderTradeUpdate.replacingOccurrences(of: #""z":"0.010""#, with: #""z":""# + String(repeating: "9", count: 5_000) + #"""#)
        #expect(throws: FrameError.self) { try BinanceUserFrameDecoder.decode(hugeUser) }
        let tooBig = String(repeating: " ", count: (1 << 20) + 1)
        #expect(throws: FrameError.self) { try BinanceMarketFrameDecoder.decode(tooBig) }
    }
}
