import Core
import TestSupport
import Foundation
import Shells
import Testing

/// An order request leaves the process at most once per identifier, whatever the connection does.
@Suite struct HTTPSafetyTests {
    @Test func aPostWhoseReusedConnectionDropsIsNotResentAndItsOutcomeIsUnknown() throws {
        let server = try DroppingHTTPServer()
        let session = CurlSession()
        let url = "http://127.0.0.1:\(server.port)"
        // Warm the connection so that the POST goes over a reused one (libcurl re-sends requests
        // whose reused connection died before answering).
        #expect(try session.perform(method: "GET", url: url + "/v1/accounts").status == 200)
        #expect(try session.perform(method: "GET", url: url + "/v1/accounts").status == 200)

        #expect(throws: CurlSession.Failure.self) {
            try session.perform(method: "POST", url: url + "/v1/orders", body: Array(#"{"market":"KRW-BTC"}"#.utf8))
        }
        do {
            _ = try session.perform(method: "POST", url: url + "/v1/orders", body: Array("{}".utf8))
        } catch let failure {
            guard case .outcomeUnknown = failure else { Issue.record("expected an unknown outcome, got \(failure)"); return }
        }
        #expect(server.received == ["GET /v1/accounts", "GET /v1/accounts", "POST /v1/orders", "POST /v1/orders"])
    }

    @Test func nonceUsedOrDuplicatedIdentifierOnAnOrderIsAnUnknownOutcomeNotARejection() throws {
        for name in ["nonce_used", "duplicated_identifier"] {
            let server = try DroppingHTTPServer(postAnswer: ("401 Unauthorized", #"{"error":{"name":"\#(name)","message":"x"}}"#))
            let rest = UpbitREST(baseURL: "http://127.0.0.1:\(server.port)",
                                 credentials: UpbitCredentials(accessKey: "access", secretKey: "secret"))
            let outcome = rest.createOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))
            guard case .unknown(let reason) = outcome else {
                Issue.record("\(name): expected unknown, got \(outcome)")
                continue
            }
            #expect(reason.hasPrefix(name))
            #expect(server.received == ["POST /v1/orders"])
        }
    }

    @Test func otherOrderRefusalsStayDefinite() throws {
        let server = try DroppingHTTPServer(postAnswer: ("400 Bad Request", #"{"error":{"name":"insufficient_funds_ask","message":"x"}}"#))
        let rest = UpbitREST(baseURL: "http://127.0.0.1:\(server.port)",
                             credentials: UpbitCredentials(accessKey: "access", secretKey: "secret"))
        let outcome = rest.createOrder(upbitOrder("t-1-s2", "KRW-BTC", .marketSell(volume: 1)))
        guard case .rejected(let error) = outcome else { Issue.record("expected a rejection, got \(outcome)"); return }
        #expect(error.name == "insufficient_funds_ask")
    }

    /// Amounts no account can hold (they could overflow the books' exact arithmetic later) make an
    /// answer untrustworthy, in REST answers and in frames alike.
    @Test func absurdAmountsAreRefusedWhereTheyArrive() throws {
        let order = try JSONValue.parse(#"{"state":"done","market":"KRW-BTC","executed_volume":"100000000000000000000","executed_funds":"1","paid_fee":"0"}"#)
        #expect(throws: (any Error).self) { try UpbitREST.orderUpdate(order, identifier: "t-1-b1") }
        let normal = try JSONValue.parse(#"{"state":"done","market":"KRW-BTC","executed_volume":"0.5","executed_funds":"250000","paid_fee":"125"}"#)
        #expect(try UpbitREST.orderUpdate(normal, identifier: "t-1-b1").executedQuantity == Fixed("0.5")!)
        let asset = #"{"type":"myAsset","assets":[{"currency":"KRW","balance":1e20,"locked":0}],"timestamp":1790134742106}"#
        #expect(throws: FrameError.self) { try PrivateFrameDecoder.decode(Array(asset.utf8)) }
    }
}
