import Core
import Foundation
import LocalExchange
import Logging
import Live
import Shells
import Testing

@Suite(.serialized) struct LocalBinanceTests {
    @Test func signedRequestsAreAcceptedAndABadSignatureIsRefused() async throws {
        try await withLocalBinance { _, port in
            let good = await offload { localBinanceREST(port).accountSnapshot() }
            guard case .success(let account) = good else { Issue.record("account: \(good)"); return }
            #expect(account.cash == 10_000)
            let bad = await offload { localBinanceREST(port, secret: "wrong").positions() }
            #expect(code(bad) == -1022)
        }
    }

    @Test func aTimestampOutsideTheWindowIsRefused() async throws {
        try await withLocalBinance { _, port in
            let rest = BinanceREST(baseURL: "http://127.0.0.1:\(port)",
                                   signer: BinanceSigner(apiKey: "local-api-key", secretKey: "local-secret-key"),
                                   clock: BinanceServerClock(localNow: { BinanceServerClock.wallClock() - 60_000 }))
            let prepared = rest.prepare(BinanceREST.positionRisk, BinanceQuery(), timestamp: BinanceServerClock.wallClock() - 60_000)!
            let answer = await offload { () -> Int in
                let session = CurlSession()
                let response = try? session.perform(method: "GET", url: prepared.url, headers: prepared.headers, body: nil,
                                                    timeoutMilliseconds: 5_000)
                let json = response.flatMap { try? JSONValue.parse($0.body) }
                return Int(json?["code"]?.integer ?? 0)
            }
            #expect(answer == -1021)
            // the client re-measures its clock after -1021 and sends once more: accepted
            let retried = await offload { rest.positions() }
            if case .success = retried {} else { Issue.record("after resync: \(retried)") }
        }
    }

    @Test func aMarketOrderIsPlacedQueriedByClientIdAndShowsInPositionRisk() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let placed = await offload { rest.placeOrder(entry("sg-p1-entry-1"), instrument: btc) }
            guard case .success(let update) = placed else { Issue.record("place: \(placed)"); return }
            #expect(update.state == .filled)
            #expect(update.executedQuantity == Fixed("0.010")!)
            let queried = await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-p1-entry-1") }
            guard case .success(let found) = queried else { Issue.record("query: \(queried)"); return }
            #expect(found.state == .filled)
            #expect(found.executedQuote == update.executedQuote)
            let positions = await offload { rest.positions(symbol: "BTCUSDT") }
            guard case .success(let list) = positions else { Issue.record("positions: \(positions)"); return }
            #expect(list.first?.amount == Fixed("0.010")!)
            #expect(list.first?.liquidationPrice.map(\.isPositive) == true)
            #expect(await binance.requestLog.contains("POST /fapi/v1/order"))
        }
    }

    @Test func aSafetyStopIsAnAlgoOrderListedAndCancelled() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            _ = await offload { rest.placeOrder(entry("sg-p2-entry-1"), instrument: btc) }
            let mark = await offload { rest.markPrice(symbol: "BTCUSDT") }
            guard case .success(let price) = mark else { Issue.record("mark: \(mark)"); return }
            let trigger = (price.markPrice * Fixed("0.95")!).floored(toMultipleOf: Fixed("0.1")!)
            let stop = OrderRequest(identifier: "sg-p2-sl-1", market: "BTCUSDT", side: .sell, kind: .protectiveStop(trigger: trigger),
                                    size: .quantity(Fixed("0.010")!))
            let placed = await offload { rest.placeProtectiveStop(stop, instrument: btc) }
            guard case .success(let algo) = placed else { Issue.record("stop: \(placed)"); return }
            #expect(algo.status == .new)
            #expect(algo.triggerPrice == trigger)
            let open = await offload { rest.openAlgoOrders(symbol: "BTCUSDT") }
            guard case .success(let listed) = open else { Issue.record("open: \(open)"); return }
            #expect(listed.map(\.clientAlgoId) == ["sg-p2-sl-1"])
            let cancelled = await offload { rest.cancelAlgoOrder(clientAlgoId: "sg-p2-sl-1") }
            if case .success = cancelled {} else { Issue.record("cancel: \(cancelled)") }
            let after = await offload { rest.algoOrder(clientAlgoId: "sg-p2-sl-1") }
            guard case .success(let queried) = after else { Issue.record("query: \(after)"); return }
            #expect(queried.status == .canceled)
        }
    }

    @Test func aDuplicateOpenClientIdIsRefused() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let mark = await offload { rest.markPrice(symbol: "BTCUSDT") }
            guard case .success(let price) = mark else { Issue.record("mark: \(mark)"); return }
            let low = (price.markPrice * Fixed("0.9")!).floored(toMultipleOf: Fixed("0.1")!)
            let limit = OrderRequest(identifier: "sg-p3-entry-1", market: "BTCUSDT", side: .buy, kind: .limit(price: low),
                                     size: .quantity(Fixed("0.010")!))
            let first = await offload { rest.placeOrder(limit, instrument: btc) }
            guard case .success(let update) = first else { Issue.record("first: \(first)"); return }
            #expect(update.state == .open)
            let second = await offload { rest.placeOrder(limit, instrument: btc) }
            if case .unknown(let reason) = second { #expect(reason.contains("duplicated")) } else { Issue.record("second: \(second)") }
            #expect(await binance.orderRefusals[-4116] == 1)
            let open = await offload { rest.openOrders(symbol: "BTCUSDT") }
            if case .success(let orders) = open { #expect(orders.map(\.identifier) == ["sg-p3-entry-1"]) }
        }
    }

    @Test func theWeightHeaderGrowsAndABurstGets429Then418() async throws {
        var options = LocalBinance.Options.small
        options.limits = BinanceRateLimits(weightPerMinute: 30)
        try await withLocalBinance(options) { _, port in
            let rest = await offload { localBinanceREST(port) }
            _ = await offload { rest.positions() }
            let first = rest.budget.used.weight
            _ = await offload { rest.positions() }
            #expect(rest.budget.used.weight == first + 5)
            var statuses: [Int] = []
            for _ in 0..<8 {
                // a fresh client each time: as several processes on one IP, none knowing the others' 429
                let other = BinanceREST(baseURL: "http://127.0.0.1:\(port)",
                                        signer: BinanceSigner(apiKey: "local-api-key", secretKey: "local-secret-key"))
                let outcome = await offload { other.positions() }
                if case .rejected(let error) = outcome { statuses.append(error.status) } else { statuses.append(200) }
            }
            #expect(statuses.contains(429))
            #expect(statuses.last == 418)
            #expect(statuses.firstIndex(of: 429)! < statuses.firstIndex(of: 418)!)
        }
    }

    @Test func listenKeysAreCreatedKeptAliveAndClosed() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            let created = await offload { rest.createListenKey() }
            guard case .success(let key) = created else { Issue.record("create: \(created)"); return }
            #expect(key.count == 64)
            let again = await offload { rest.createListenKey() }
            if case .success(let same) = again { #expect(same == key) }
            let kept = await offload { rest.keepListenKeyAlive() }
            if case .success = kept {} else { Issue.record("keepalive: \(kept)") }
            let closed = await offload { rest.closeListenKey() }
            if case .success = closed {} else { Issue.record("close: \(closed)") }
            let gone = await offload { rest.keepListenKeyAlive() }
            #expect(code(gone) == -1125)
            let keyless = BinanceREST(baseURL: "http://127.0.0.1:\(port)", signer: BinanceSigner(apiKey: "other", secretKey: "x"))
            #expect(code(await offload { keyless.createListenKey() }) == -2015)
        }
    }

    @Test func aStreamModeSocketGetsAggTradesTheDecoderReads() async throws {
        try await withLocalBinance { _, port in
            let frames = Frames()
            let link = SocketLink(url: "ws://127.0.0.1:\(port)/market/stream?streams=btcusdt@aggTrade/btcusdt@markPrice@1s",
                                  name: "market", logger: Logger(label: "test"))
            let run = Task { await link.run { await frames.add($0) } }
            let arrived = await eventually(15) { await frames.texts.count >= 4 }
            run.cancel()
            _ = await run.value
            #expect(arrived)
            let decoded = await frames.texts.compactMap { try? BinanceMarketFrameDecoder.decode($0) }
            #expect(decoded.contains { if case .trade(let trade) = $0 { trade.market == "BTCUSDT" } else { false } })
            #expect(await frames.texts.allSatisfy { $0.hasPrefix(#"{"stream":"btcusdt@"#) })
        }
    }

    @Test func aPrivateSocketGetsOrderTradeUpdateAfterAnOrder() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            guard case .success(let key) = await offload({ rest.createListenKey() }) else { Issue.record("no key"); return }
            let frames = Frames()
            let link = SocketLink(url: "ws://127.0.0.1:\(port)/private/ws?listenKey=\(key)", name: "user", logger: Logger(label: "test"))
            let run = Task { await link.run { await frames.add($0) } }
            try await Task.sleep(for: .milliseconds(500))
            _ = await offload { rest.placeOrder(entry("sg-p4-entry-1"), instrument: btc) }
            let arrived = await eventually(10) { await frames.texts.contains { $0.contains("\"X\":\"FILLED\"") } }
            run.cancel()
            _ = await run.value
            #expect(arrived)
            let events = await frames.texts.compactMap { try? BinanceUserFrameDecoder.decode($0) }
            let filled = events.contains { if case .order(let order) = $0 { order.update.state == .filled } else { false } }
            #expect(filled)
            #expect(events.contains { if case .tradeLite = $0 { true } else { false } })
            #expect(events.contains { if case .account = $0 { true } else { false } })
        }
    }
}
