import Core
import TestSupport
import Foundation
import LocalExchange
import Shells
import Testing

/// The REST client against the local Upbit, which verifies every JWT and query hash as Upbit does.
@Suite(.serialized) struct UpbitRESTTests {
    @Test func signedRequestsAreAcceptedAndAnsweredInUpbitsShapes() async throws {
        try await withLocalUpbit { upbit, port in
            let rest = localREST(port)
            guard case .success(let balances) = await offload({ rest.accounts() }) else { Issue.record("accounts"); return }
            #expect(balances == [Balance(currency: "KRW", balance: 10_000_000, locked: 0)])
            guard case .success(let markets) = await offload({ rest.markets() }) else { Issue.record("markets"); return }
            #expect(markets.map(\.market) == ["KRW-BTC", "KRW-ETH", "KRW-XRP"])
            guard case .success(let rules) = await offload({ rest.chance(market: "KRW-BTC") }) else { Issue.record("chance"); return }
            #expect(rules.minimumNotional == 5_000)
            #expect(rules.feeRate == Fixed("0.0005")!)
        }
    }

    @Test func aMarketBuyIsCreatedQueriedByIdentifierAndFilled() async throws {
        try await withLocalUpbit { upbit, port in
            let rest = localREST(port)
            try await Task.sleep(for: .milliseconds(300))  // the history has books by now
            let order = upbitOrder("it-1-b1", "KRW-XRP", .marketBuy(amount: 100_000))
            guard case .success(let created) = await offload({ rest.createOrder(order) }) else { Issue.record("create"); return }
            #expect(created.state == .open)
            #expect(created.uuid != nil)
            guard case .success(let queried) = await offload({ rest.order(identifier: "it-1-b1") }) else { Issue.record("query"); return }
            #expect(queried.state == .cancelled || queried.state == .filled)
            #expect(queried.executedQuantity.isPositive)
            #expect(queried.executedQuote <= 100_000 && queried.executedQuote > 99_000)
        }
    }

    @Test func definiteRejectionsCarryUpbitsErrorNames() async throws {
        try await withLocalUpbit { _, port in
            let rest = localREST(port)
            let small = upbitOrder("it-2-b1", "KRW-BTC", .marketBuy(amount: 4_000))
            guard case .rejected(let error) = await offload({ rest.createOrder(small) }) else { Issue.record("accepted"); return }
            #expect(error.name == "under_min_total_bid")
            guard case .rejected(let missing) = await offload({ rest.order(identifier: "nope") }) else { Issue.record("found"); return }
            #expect(missing.name == "order_not_found")
            #expect(missing.status == 404)
            let wrongKey = localREST(port, secretKey: "wrong-secret")
            guard case .rejected(let auth) = await offload({ wrongKey.accounts() }) else { Issue.record("auth"); return }
            #expect(auth.name == "jwt_verification")
            #expect(auth.status == 401)
        }
    }

    @Test func tooManyRequestsIsWaitedOutWithoutFailing() async throws {
        try await withLocalUpbit { upbit, port in
            await upbit.setFaults(Faults(tooManyRequests: 2))
            let rest = localREST(port)
            let started = Date()
            guard case .success = await offload({ rest.accounts() }) else { Issue.record("accounts failed"); return }
            // back-off 1 s then 2 s, then success
            #expect(Date().timeIntervalSince(started) >= 2.9)
            #expect(await upbit.requestLog.filter { $0 == "GET /v1/accounts" }.count == 3)
        }
    }

    @Test func aLostOrderAnswerIsAnUnknownOutcomeSettledByIdentifierWithOneOrderOnTheServer() async throws {
        try await withLocalUpbit { upbit, port in
            await upbit.setFaults(Faults(droppedOrderAnswers: 1, heldAnswerSeconds: 5))
            let rest = localREST(port)
            rest.timeoutMilliseconds = 1_500
            try await Task.sleep(for: .milliseconds(300))
            let order = upbitOrder("it-3-b1", "KRW-XRP", .marketBuy(amount: 50_000))
            guard case .unknown = await offload({ rest.createOrder(order) }) else { Issue.record("not unknown"); return }
            guard case .success(let found) = await offload({ rest.order(identifier: "it-3-b1") }) else { Issue.record("not found"); return }
            #expect(found.executedQuantity.isPositive)
            #expect(await upbit.orderSummaries().filter { $0.identifier == "it-3-b1" }.count == 1)
            #expect(await upbit.requestLog.filter { $0 == "POST /v1/orders" }.count == 1)
        }
    }
}
