import Core
import Foundation
import Shells
import Testing

/// A Binance clock the test sets by hand (ms).
final class BinanceTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var milliseconds: Milliseconds
    init(_ start: Milliseconds) { milliseconds = start }
    var now: Milliseconds { lock.withLock { milliseconds } }
    func advance(_ delta: Milliseconds) { lock.withLock { milliseconds += delta } }
}

/// Request building and signing byte for byte (the §2.1 vectors as whole requests), local
/// refusals, and the answers' classification. No request leaves the process: every test stops
/// before sending or feeds answers by hand.
@Suite struct BinanceRESTTests {
    static let base = "https://fapi.example.invalid"
    let rest = BinanceREST(baseURL: base + "/", signer: BinanceSigner(
        apiKey: "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83",
        secretKey: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"))
    let bitcoin = BinanceVenue.perpetualInstrument
    let apiKeyHeader = "X-MBX-APIKEY: dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"

    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    func body(_ endpoint: BinanceREST.Endpoint, _ parameters: BinanceQuery, _ timestamp: Milliseconds) -> String? {
        rest.prepare(endpoint, parameters, timestamp: timestamp)?.body
    }

    @Test func aMarketEntryIsSentAsSigned() throws {
        let order = OrderRequest(identifier: "sg-p42-entry-1", market: "BTCUSDT", side: .buy, kind: .market,
                                 size: .quantity(fixed("0.01")))
        let parameters = try BinanceREST.orderParameters(order, instrument: bitcoin).get()
        let request = try #require(rest.prepare(BinanceREST.newOrder, parameters, timestamp: 1_700_000_000_000))
        #expect(request.method == "POST")
        #expect(request.url == BinanceRESTTests.base + "/fapi/v1/order")
        #expect(request.headers.contains(apiKeyHeader))
        #expect(request.headers.contains("Content-Type: application/x-www-form-urlencoded"))
        #expect(request.body == "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.010&newClientOrderId=sg-p42-entry-1"
            + "&newOrderRespType=RESULT&recvWindow=5000&timestamp=1700000000000"
            + "&signature=18005c578ce21687feb11e9497b5c3e7714c79b68c940e01b60c058428f84473")
    }

    @Test func aReduceOnlyTakeProfit() throws {
        let order = OrderRequest(identifier: "sg-p42-tp-1", market: "BTCUSDT", side: .sell, kind: .limit(price: 60_180),
                                 size: .quantity(fixed("0.010")), reduceOnly: true)
        let parameters = try BinanceREST.orderParameters(order, instrument: bitcoin).get()
        #expect(body(BinanceREST.newOrder, parameters, 1_700_000_000_100)
            == "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.010&price=60180.0&reduceOnly=true"
            + "&newClientOrderId=sg-p42-tp-1&recvWindow=5000&timestamp=1700000000100"
            + "&signature=1cb3abfb046d66ea83d3149265b7ff1d4606ccd9c50b0f519555fe5084c1b08b")
    }

    @Test func theProtectiveStopAndItsCancel() throws {
        let stop = OrderRequest(identifier: "sg-p42-sl-1", market: "BTCUSDT", side: .sell, kind: .protectiveStop(trigger: 59_400),
                                size: .quantity(fixed("0.010")), reduceOnly: true)
        let parameters = try BinanceREST.protectiveStopParameters(stop, instrument: bitcoin).get()
        let request = try #require(rest.prepare(BinanceREST.newAlgoOrder, parameters, timestamp: 1_700_000_000_200))
        #expect(request.url == BinanceRESTTests.base + "/fapi/v1/algoOrder")
        #expect(request.body == "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&triggerPrice=59400.0"
            + "&closePosition=true&workingType=MARK_PRICE&clientAlgoId=sg-p42-sl-1&recvWindow=5000&timestamp=1700000000200"
            + "&signature=9a6edb674ce691b18d7f6863800d8bfd3be4676fb9a96e4692c56cfce2b1235d")
        // DELETE carries its parameters in the body too, so libcurl cannot re-send it on its own.
        let cancel = try #require(rest.prepare(BinanceREST.cancelAlgoOrder, BinanceQuery([("clientAlgoId", "sg-p42-sl-1")]),
                                               timestamp: 1_700_000_000_300))
        #expect(cancel.method == "DELETE" && cancel.url == BinanceRESTTests.base + "/fapi/v1/algoOrder")
        #expect(cancel.body == "clientAlgoId=sg-p42-sl-1&recvWindow=5000&timestamp=1700000000300"
            + "&signature=33c31c870ac8d0dc4d15dcca2ae07174ba2f505f142fd067b3862c01c534ab25")
    }

    @Test func aSignedGetCarriesItsParametersInTheQuery() throws {
        let request = try #require(rest.prepare(BinanceREST.positionRisk, BinanceQuery([("symbol", "BTCUSDT")]),
                                                timestamp: 1_700_000_000_000))
        #expect(request.method == "GET" && request.body == nil)
        #expect(request.url == BinanceRESTTests.base + "/fapi/v3/positionRisk?symbol=BTCUSDT&recvWindow=5000&timestamp=1700000000000"
            + "&signature=64889a2b2c900fffe953f155a062824d104c89a32651be6f0a54638752552ce9")
        #expect(!request.headers.contains { $0.hasPrefix("Content-Type") })
    }

    @Test func withoutRecvWindowTheRemainingVectors() throws {
        let rest = BinanceREST(baseURL: BinanceRESTTests.base, signer: BinanceSigner(
            apiKey: "k", secretKey: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"))
        rest.recvWindowMilliseconds = nil
        func sent(_ endpoint: BinanceREST.Endpoint, _ items: [(String, String)], _ timestamp: Milliseconds) -> String? {
            let request = rest.prepare(endpoint, BinanceQuery(items), timestamp: timestamp)
            return request?.body ?? request?.url.split(separator: "?").last.map(String.init)
        }
        #expect(sent(BinanceREST.countdownCancelAll, [("symbol", "BTCUSDT"), ("countdownTime", "120000")], 1_700_000_000_400)
            == "symbol=BTCUSDT&countdownTime=120000&timestamp=1700000000400&signature=579027b5e8be1b88587c88ce6133a2b659bf1f5901069dbac35589d80c6e8e54")
        #expect(sent(BinanceREST.leverage, [("symbol", "BTCUSDT"), ("leverage", "3")], 1_700_000_000_500)
            == "symbol=BTCUSDT&leverage=3&timestamp=1700000000500&signature=0cd6153da043e3289ab6c99e03472309f11beca28278dfa887a922ca4bcf8ae7")
        #expect(sent(BinanceREST.marginType, [("symbol", "BTCUSDT"), ("marginType", "ISOLATED")], 1_700_000_000_600)
            == "symbol=BTCUSDT&marginType=ISOLATED&timestamp=1700000000600&signature=d8b0c880cdec9eb378b4454854a7aea79c44ddb6da781edf9e35633e71214947")
        #expect(sent(BinanceREST.queryOrder, [("symbol", "BTCUSDT"), ("origClientOrderId", "sg-p42-entry-1")], 1_700_000_000_700)
            == "symbol=BTCUSDT&origClientOrderId=sg-p42-entry-1&timestamp=1700000000700&signature=5f1a99150742fcebeb41165f90e73a006cf9cf276e4b5ed8e9de71cc1f0e55f7")
    }

    @Test func listenKeyRequestsCarryTheKeyButNoSignature() throws {
        let request = try #require(rest.prepare(BinanceREST.createListenKey, BinanceQuery(), timestamp: 1))
        #expect(request.headers.contains(apiKeyHeader) && request.body == "")
        let publicRequest = try #require(rest.prepare(BinanceREST.klines(limit: 200),
                                                      BinanceQuery([("symbol", "BTCUSDT"), ("interval", "1m"), ("limit", "200")]), timestamp: 1))
        #expect(publicRequest.url == BinanceRESTTests.base + "/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=200")
        #expect(!publicRequest.headers.contains { $0.hasPrefix("X-MBX-APIKEY") })
        let anonymous = BinanceREST(baseURL: BinanceRESTTests.base, signer: nil)
        #expect(anonymous.prepare(BinanceREST.account, BinanceQuery(), timestamp: 1) == nil)
        guard case .rejected(let error) = anonymous.accountSnapshot() else { Issue.record("sent without a key"); return }
        #expect(error.name == "no_credentials" && error.status == 0)
    }

    @Test func badOrdersAreRefusedBeforeSending() {
        func refusal(_ order: OrderRequest) -> String? {
            if case .failure(let error) = BinanceREST.orderParameters(order, instrument: bitcoin) { return error.name }
            return nil
        }
        let good = OrderRequest(identifier: "s1-a", market: "BTCUSDT", side: .buy, kind: .limit(price: 60_000),
                                size: .quantity(fixed("0.001")))
        #expect(refusal(good) == nil)
        var order = good
        order.identifier = String(repeating: "a", count: 37)
        #expect(refusal(order) == "invalid_client_id")
        order.identifier = "has space"
        #expect(refusal(order) == "invalid_client_id")
        order.identifier = ".A:/z_-9"
        #expect(refusal(order) == nil)
        order = good
        order.kind = .limit(price: fixed("60000.05"))  // off the 0.1 tick
        #expect(refusal(order) == "invalid_price")
        order = good
        order.size = .quantity(fixed("0.0015"))  // off the 0.001 step
        #expect(refusal(order) == "invalid_quantity")
        order.size = .quote(100)  // no quote-sized orders on Binance
        #expect(refusal(order) == "invalid_quantity")
        order = good
        order.market = "KRW-BTC"
        #expect(refusal(order) == "invalid_symbol")
        order = good
        order.kind = .protectiveStop(trigger: 59_000)
        #expect(refusal(order) == "not_a_regular_order")
        guard case .rejected(let error) = rest.order(symbol: "BTCUSDT", clientOrderId: "bad id") else {
            Issue.record("sent an invalid id"); return
        }
        #expect(error.name == "invalid_client_id")
    }

    // MARK: Weight and order counters

    @Test func theWeightBudgetRefusesBeforeTheLimit() {
        let clock = BinanceTestClock(1_699_999_980_000)  // a minute's start
        let budget = BinanceRequestBudget(limits: BinanceRateLimits(weightPerMinute: 100, ordersPerTenSeconds: 10, ordersPerMinute: 15),
                                          usableFraction: 0.9, now: { clock.now })
        for _ in 0..<18 { #expect(budget.reserve(weight: 5) == nil) }  // 90 of the usable 90
        #expect(budget.reserve(weight: 5) == .rateLimited)
        #expect(budget.reserve(weight: 0, orders: 1) == nil)  // orders weigh nothing on the IP
        clock.advance(60_000)  // the next minute
        #expect(budget.used.weight == 0)
        #expect(budget.reserve(weight: 5) == nil)
    }

    @Test func theHeadersReplaceOurCount() {
        let clock = BinanceTestClock(1_700_000_000_000)
        let budget = BinanceRequestBudget(now: { clock.now })
        budget.observe(headers: [("x-mbx-used-weight-1m", "2150"), ("x-mbx-order-count-10s", "269"),
                                 ("x-mbx-order-count-1m", "1000")])
        #expect(budget.used == (2_150, 269, 1_000))
        #expect(budget.reserve(weight: 5) == nil)  // 2155 <= 2160
        #expect(budget.reserve(weight: 10) == .rateLimited)
        #expect(budget.reserve(weight: 0, orders: 1) == nil)  // 270 of 270
        #expect(budget.reserve(weight: 0, orders: 1) == .rateLimited)
        clock.advance(10_000)  // the 10 s window rolls; the minute does not
        #expect(budget.used.ordersTenSeconds == 0 && budget.used.ordersMinute == 1_001)
        #expect(budget.reserve(weight: 0, orders: 1) == nil)
        budget.observe(headers: [("x-mbx-order-count-1m", "1080")])  // 1080 of the usable 1080
        #expect(budget.reserve(weight: 0, orders: 1) == .rateLimited)
        budget.observe(headers: [("x-mbx-used-weight-1m", "garbage")])  // ignored
        #expect(budget.used.weight == 2_155)
    }

    @Test func exchangeInfoLimitsAreAdopted() {
        let clock = BinanceTestClock(0)
        let budget = BinanceRequestBudget(now: { clock.now })
        budget.adopt(BinanceRateLimits(weightPerMinute: 10, ordersPerTenSeconds: 1, ordersPerMinute: 1))
        #expect(budget.reserve(weight: 9) == nil)
        #expect(budget.reserve(weight: 1) == .rateLimited)
    }

    @Test func a429BlocksEverythingUntilRetryAfterAndA418Bans() {
        let clock = BinanceTestClock(1_700_000_000_000)
        let budget = BinanceRequestBudget(now: { clock.now })
        budget.tooManyRequests(retryAfterSeconds: 7)
        #expect(budget.reserve(weight: 1) == .rateLimited)
        #expect(budget.blockedForMilliseconds == 7_000)
        clock.advance(7_000)
        #expect(budget.reserve(weight: 1) == nil)
        budget.succeeded()  // a success ends the back-off's growth
        budget.tooManyRequests(retryAfterSeconds: nil)  // 1 s, then 2 s while no request succeeds
        #expect(budget.blockedForMilliseconds == 1_000)
        clock.advance(1_000)
        budget.tooManyRequests(retryAfterSeconds: nil)
        #expect(budget.blockedForMilliseconds == 2_000)
        budget.banned(retryAfterSeconds: 300)
        #expect(budget.reserve(weight: 1) == .banned)
        clock.advance(300_000)
        #expect(budget.reserve(weight: 1) == nil)
        budget.banned(retryAfterSeconds: 1e300)  // a hostile header: at most 3 days
        #expect(budget.blockedForMilliseconds == 259_200_000)
    }

    /// After a 429 answer the client refuses by itself, before sending, under the core's unsent name.
    @Test func answersFeedTheBudget() {
        let answer = rest.interpret(status: 429, headers: [("retry-after", "30"), ("x-mbx-used-weight-1m", "2400")],
                                    body: Array(#"{"code":-1003,"msg":"Too many requests."}"#.utf8))
        guard case .rejected(let error) = answer else { Issue.record("\(answer)"); return }
        #expect(error.name == "rate_limited" && error.disposition == .retryable(afterSeconds: 30))
        guard case .rejected(let local) = rest.markPrice(symbol: "BTCUSDT") else { Issue.record("sent while blocked"); return }
        #expect(local.name == "rate_limited" && local.status == 0)
        _ = rest.interpret(status: 418, headers: [("retry-after", "120")], body: Array("banned".utf8))
        guard case .rejected(let banned) = rest.markPrice(symbol: "BTCUSDT") else { Issue.record("sent while banned"); return }
        #expect(banned.name == "banned")
    }

    @Test func answersAreClassifiedOnce() {
        func outcome(_ status: Int, _ body: String) -> String {
            switch rest.interpret(status: status, headers: [], body: Array(body.utf8)) {
            case .success: "success"
            case .rejected(let error): "rejected \(error.name)"
            case .unknown: "unknown"
            }
        }
        #expect(outcome(200, #"{"serverTime":1700000000123}"#) == "success")
        #expect(outcome(200, "not json") == "unknown")
        #expect(outcome(400, #"{"code":-2019,"msg":"Margin is insufficient."}"#) == "rejected margin_not_sufficient")
        #expect(outcome(400, #"{"code":-4046,"msg":"No need to change margin type."}"#) == "success")
        #expect(outcome(400, #"{"code":-1021,"msg":"Timestamp outside recvWindow"}"#) == "rejected invalid_timestamp")
        #expect(outcome(400, #"{"code":-1007,"msg":"Timeout waiting for response from backend server."}"#) == "unknown")
        #expect(outcome(401, #"{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#) == "rejected rejected_api_key")
        #expect(outcome(408, "") == "unknown")
        #expect(outcome(503, #"{"code":-1000,"msg":"Unknown error, please check your request or try again later."}"#) == "unknown")
        #expect(outcome(503, "Service Unavailable.") == "rejected service_unavailable")
        #expect(outcome(502, "<html>bad gateway</html>") == "unknown")
        #expect(outcome(400, String(repeating: "[", count: 10_000)) == "rejected http_400")
    }

    @Test func theServerClockTakesHalfTheRoundTrip() {
        let local = BinanceTestClock(1_000_000)
        let clock = BinanceServerClock(localNow: { local.now })
        #expect(clock.adopt(serverTime: 1_000_600, sentAt: 1_000_000, receivedAt: 1_000_200))
        #expect(clock.offset == 500)
        #expect(clock.now == 1_000_500)
        #expect(!clock.adopt(serverTime: 1_000_600, sentAt: 1_000_000, receivedAt: 999_000))  // time ran backwards
        #expect(!clock.adopt(serverTime: 9_000_000_000_000, sentAt: 1_000_000, receivedAt: 1_000_200))  // implausible
        #expect(clock.offset == 500)
    }
}
