import Core
import Foundation
import Live
import Logging
import Shells
import Testing

/// The futures adapter's reading of the user stream (the fact sheet's frames, §7.6): what reaches
/// the core, and under which identifier.
@Suite struct BinanceAdapterTests {
    let adapter: BinanceAdapter = {
        var settings = Settings()
        settings.venue = .binanceFutures
        return BinanceAdapter(settings: settings, paper: false, keys: BinanceSigner(apiKey: "k", secretKey: "s"),
                              restTimeoutMilliseconds: 1_000)
    }()

    /// A live-mode adapter on the local Binance of `port`, with its keys.
    static func liveAdapter(_ port: Int) -> BinanceAdapter {
        var settings = Settings()
        settings.venue = .binanceFutures
        settings.binance.restURL = "http://127.0.0.1:\(port)"
        return BinanceAdapter(settings: settings, paper: false,
                              keys: BinanceSigner(apiKey: "local-api-key", secretKey: "local-secret-key"),
                              restTimeoutMilliseconds: 5_000)
    }

    func read(_ frame: String) -> PrivateInput { adapter.decodePrivateFrame(Array(frame.utf8)) }

    static func order(_ client: String, id: Int64, execution: String = "TRADE", status: String = "FILLED", type: String = "MARKET",
                      trade: Int64 = 109100866) -> String {
        #"{"e":"ORDER_TRADE_UPDATE","E":1700000000032,"T":1700000000030,"o":{"s":"BTCUSDT","c":"\#(client)","S":"SELL","o":"\#(type)","f":"GTC","q":"0.010","p":"0","ap":"59380.0","sp":"0","x":"\#(execution)","X":"\#(status)","i":\#(id),"l":"0.010","z":"0.010","L":"59380.0","N":"USDT","n":"0.29690000","T":1700000000030,"t":\#(trade),"b":"0","a":"0","m":false,"R":true,"wt":"CONTRACT_PRICE","ot":"MARKET","ps":"BOTH","cp":false,"rp":"-6.2","pP":false,"si":0,"ss":0,"V":"EXPIRE_MAKER","pm":"NONE","gtd":0,"er":"0"}}"#
    }

    static func algo(_ status: String, child: String, quantity: String) -> String {
        #"{"e":"ALGO_UPDATE","T":1700000300011,"E":1700000300015,"o":{"caid":"sg-42-x2","aid":1000000033225453,"at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.000","X":"\#(status)","ai":"\#(child)","ap":"59380.0","aq":"\#(quantity)","act":"MARKET","tp":"59400.0","p":"0","V":"EXPIRE_MAKER","wt":"MARK_PRICE","pm":"NONE","cp":true,"pP":false,"R":false,"tt":1700000300000,"gtd":0}}"#
    }

    @Test func aFillCarriesItsCommissionAndATriggeredStopsChildIsBookedUnderTheStop() {
        guard case .order(let entry) = read(BinanceAdapterTests.order("sg-42-b1", id: 7)) else { Issue.record("order"); return }
        #expect(entry.identifier == "sg-42-b1" && entry.paidFee == Fixed("0.2969")! && entry.executedQuote == Fixed("593.8")!)
        // TRIGGERED names the child; the child's fill (whatever its client id) is the stop's
        guard case .ignored = read(BinanceAdapterTests.algo("TRIGGERED", child: "8389765739703625999", quantity: "0")) else {
            Issue.record("triggered"); return
        }
        let childFrame = BinanceAdapterTests.order("autochild-1", id: 8_389_765_739_703_625_999, trade: 109100900)
        guard case .order(let child) = read(childFrame) else { Issue.record("child"); return }
        #expect(child.identifier == "sg-42-x2" && child.state == .filled && child.paidFee == Fixed("0.2969")!)
        // FINISHED with fills repeats what the child said, with the child's commission
        guard case .order(let finished) = read(BinanceAdapterTests.algo("FINISHED", child: "8389765739703625999", quantity: "0.010")) else {
            Issue.record("finished"); return
        }
        #expect(finished.identifier == "sg-42-x2" && finished.state == .filled && finished.executedQuantity == Fixed("0.010")!)
        #expect(finished.paidFee == Fixed("0.2969")!)
        // a stop that ended without a fill is told as such
        guard case .order(let expired) = read(BinanceAdapterTests.algo("EXPIRED", child: "", quantity: "0")) else {
            Issue.record("expired"); return
        }
        #expect(expired.identifier == "sg-42-x2" && expired.state == .expired && expired.executedQuantity == 0)
    }

    @Test func liquidationFundingMarginCallsAndAnExpiredKeyBecomeTheirEvents() {
        let liquidation = BinanceAdapterTests.order("autoclose-1700000000030", id: 9, execution: "CALCULATED", type: "LIQUIDATION")
        guard case .events(let liquidated) = read(liquidation) else { Issue.record("liquidation"); return }
        #expect(liquidated == [.positionLiquidated(market: "BTCUSDT", identifier: "autoclose-1700000000030", quantity: Fixed("0.010")!,
                                                   price: Fixed("59380")!, fee: Fixed("0.2969")!, time: 1_700_000_000_030)])
        let funding = #"{"e":"ACCOUNT_UPDATE","E":1700006400015,"T":1700006400010,"a":{"m":"FUNDING_FEE","S":"BTCUSDT","B":[{"a":"USDT","wb":"9999.64150000","cw":"9799.64150000","bc":"-0.05850000"}],"P":[{"s":"BTCUSDT","pa":"0.010","ep":"60000.0","bep":"60030.0","cr":"0","up":"-15.00000000","mt":"isolated","iw":"199.94150000","ps":"BOTH"}]}}"#
        guard case .events(let settled) = read(funding), case .fundingSettled(let market, let amount, _, _)? = settled.first else {
            Issue.record("funding"); return
        }
        #expect(market == "BTCUSDT" && amount == Fixed("-0.0585")!)
        let call = #"{"e":"MARGIN_CALL","E":1700000100000,"cw":"3.16","p":[{"s":"BTCUSDT","ps":"BOTH","pa":"0.010","mt":"isolated","iw":"2.2","mp":"40200","up":"-198","mm":"1.6"}]}"#
        guard case .events(let called) = read(call) else { Issue.record("margin call"); return }
        #expect(called == [.marginCalled(time: 1_700_000_100_000)])
        guard case .reconnect = read(#"{"e":"listenKeyExpired","E":"1700003600000","listenKey":"abc"}"#) else {
            Issue.record("listenKeyExpired"); return
        }
        let lite = #"{"e":"TRADE_LITE","E":1700000000031,"T":1700000000030,"s":"BTCUSDT","q":"0.010","p":"0","m":false,"c":"sg-42-b1","S":"BUY","L":"60000.0","l":"0.010","t":109100866,"i":7}"#
        guard case .ignored = read(lite) else { Issue.record("TRADE_LITE"); return }
    }

    /// Binance's own FUNDING_FEE example states no USDT change (`bc` "0"): the amount is asked
    /// of the income history, and each settlement found becomes its event.
    @Test func aFundingUpdateWithoutItsAmountIsLookedUpInTheIncomeHistory() async throws {
        try await withLocalBinance { binance, port in
            let settledAt: Milliseconds = 1_700_006_400_000
            await binance.recordFunding("BTCUSDT", amount: Fixed("-0.0585")!, time: settledAt)
            await binance.recordFunding("ETHUSDT", amount: Fixed("0.01")!, time: settledAt)
            let adapter = BinanceAdapterTests.liveAdapter(port)
            let frame = #"{"e":"ACCOUNT_UPDATE","E":1700006400015,"T":1700006400010,"a":{"m":"FUNDING_FEE","S":"BTCUSDT","B":[{"a":"USDT","wb":"9999.64150000","cw":"9799.64150000","bc":"0"}],"P":[{"s":"BTCUSDT","pa":"0.010","ep":"60000.0","bep":"60030.0","cr":"0","up":"-15.00000000","mt":"isolated","iw":"199.94150000","ps":"BOTH"}]}}"#
            guard case .lookUp(let ask) = adapter.decodePrivateFrame(Array(frame.utf8)) else {
                Issue.record("no look-up"); return
            }
            #expect(await ask() == [.fundingSettled(market: "BTCUSDT", amount: Fixed("-0.0585")!, settledAt: settledAt,
                                                    time: settledAt)])
            #expect(await binance.requestLog.contains("GET /fapi/v1/income"))
        }
    }

    /// Live start-up reads the leverage brackets: every instrument gets its maximum leverage and
    /// maintenance tiers (the local server lists Binance's five BTCUSDT brackets for each symbol).
    @Test func startUpReadsTheLeverageBracketsIntoTheInstruments() async throws {
        try await withLocalBinance { binance, port in
            let adapter = BinanceAdapterTests.liveAdapter(port)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let events = await adapter.startUp(now: { 0 }, logger: logger)
            guard case .marketsListed(let listings, _)? = events.first else { Issue.record("\(events)"); return }
            #expect(!listings.isEmpty)
            #expect(listings.allSatisfy { $0.instrument?.maximumLeverage == 125 && $0.instrument?.maintenanceTiers.count == 5 })
            #expect(await binance.requestLog.contains("GET /fapi/v1/leverageBracket"))
        }
    }

    @Test func aLeverageChangedOutsideTheBotIsSaid() {
        guard case .notice(let text) = read(#"{"e":"ACCOUNT_CONFIG_UPDATE","E":1700000000100,"T":1700000000099,"ac":{"s":"BTCUSDT","l":5}}"#) else {
            Issue.record("no notice"); return
        }
        #expect(text.hasPrefix("BTCUSDT's leverage was set to 5 outside the bot"))
        guard case .ignored = read(#"{"e":"ACCOUNT_CONFIG_UPDATE","E":1700000000100,"T":1700000000099,"ac":{"s":"BTCUSDT","l":2}}"#) else {
            Issue.record("the bot's own leverage"); return
        }
    }

    @Test func marketStreamsAreSplitOverTheRoutesWithinTheirLimits() {
        let sockets = adapter.marketSockets
        #expect(sockets.map(\.url) == ["wss://fstream.binance.com/market/stream", "wss://fstream.binance.com/market/stream",
                                       "wss://fstream.binance.com/public/stream"])
        let symbols = (0..<700).map { "S\($0)USDT" }
        let streams = sockets.map { socket in
            socket.subscription(symbols).flatMap { try? JSONValue.parse($0)["params"]?.array?.count } ?? 0
        }
        #expect(streams == [1_000, 400, 700])  // at most 1,024 per connection
        #expect(sockets[1].subscription(Array(symbols.prefix(10))) == nil)
        #expect(sockets[0].subscription(["BTCUSDT"]) == #"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s"],"id":1}"#)
    }
}
