import Core
import Foundation
import LocalExchange
import Shells
import Testing

/// The client order ids the server holds for BTCUSDT, oldest first.
private func placedIds(_ rest: BinanceREST) async throws -> [String?] {
    let orders = try success(await offload { rest.call("GET", "/fapi/v1/allOrders", [("symbol", "BTCUSDT")], weight: 5) }, "allOrders")
    return orders.array?.map { $0["clientOrderId"]?.string } ?? []
}

extension LocalBinanceTests {
    @Test func theThree503VariantsAndWhetherTheOrderWasExecuted() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            var faults = BinanceFaults()
            faults.serviceUnavailable = 1
            await binance.setFaults(faults)
            let unavailable = await offload { rest.placeOrder(entry("sg-f1-entry-1"), instrument: btc) }
            if case .rejected(let error) = unavailable {
                #expect(error.status == 503 && error.code == -1000 && error.message == "Service Unavailable.")
            } else {
                Issue.record("unavailable: \(unavailable)")
            }
            faults = BinanceFaults()
            faults.internalErrors = 1
            await binance.setFaults(faults)
            let internalError = await offload { rest.placeOrder(entry("sg-f1-entry-2"), instrument: btc) }
            if case .rejected(let error) = internalError { #expect(error.status == 503 && error.code == -1001) } else {
                Issue.record("internal: \(internalError)")
            }
            faults = BinanceFaults()
            faults.unknownErrors = 1
            await binance.setFaults(faults)
            let unknown = await offload { rest.placeOrder(entry("sg-f1-entry-3"), instrument: btc) }
            if case .unknown(let reason) = unknown { #expect(reason.contains("Unknown error")) } else { Issue.record("unknown: \(unknown)") }

            #expect(code(await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-f1-entry-1") }) == -2013)
            #expect(code(await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-f1-entry-2") }) == -2013)
            let executed = await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-f1-entry-3") }
            if case .success(let order) = executed { #expect(order.state == .filled) } else { Issue.record("query: \(executed)") }
            let ids = try await placedIds(rest)
            #expect(ids == ["sg-f1-entry-3"])
            #expect(await binance.faults == BinanceFaults())  // each fired once
        }
    }

    @Test func aTimeout1007EitherExecutedTheOrderOrNot() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            var faults = BinanceFaults()
            faults.timeoutsWithoutExecution = 1
            await binance.setFaults(faults)
            let lost = await offload { rest.placeOrder(entry("sg-f2-entry-1"), instrument: btc) }
            if case .unknown(let reason) = lost { #expect(reason.contains("HTTP 408")) } else { Issue.record("without: \(lost)") }
            faults = BinanceFaults()
            faults.timeoutsAfterExecution = 1
            await binance.setFaults(faults)
            let done = await offload { rest.placeOrder(entry("sg-f2-entry-2"), instrument: btc) }
            if case .unknown(let reason) = done { #expect(reason.contains("HTTP 408")) } else { Issue.record("after: \(done)") }

            #expect(code(await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-f2-entry-1") }) == -2013)
            let executed = await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-f2-entry-2") }
            if case .success(let order) = executed { #expect(order.state == .filled) } else { Issue.record("query: \(executed)") }
            let ids = try await placedIds(rest)
            #expect(ids == ["sg-f2-entry-2"])
            let positions = await offload { rest.positions(symbol: "BTCUSDT") }
            if case .success(let list) = positions { #expect(list.first?.amount == Fixed("0.010")!) }
        }
    }

    @Test func aDroppedAnswerLeavesTheOrderExecutedAndToldOnTheUserStream() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            var faults = BinanceFaults()
            faults.droppedOrderAnswers = 1
            await binance.setFaults(faults)
            let placed = await offload { rest.placeOrder(entry("sg-f3-entry-1"), instrument: btc) }
            if case .unknown = placed {} else { Issue.record("placed: \(placed)") }
            #expect(await eventually(5) { await stream.orderUpdates(clientOrderId: "sg-f3-entry-1").count >= 2 })
            await stream.stop()
            #expect(await stream.orderUpdates(clientOrderId: "sg-f3-entry-1").last?["X"]?.string == "FILLED")
            let queried = await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-f3-entry-1") }
            if case .success(let order) = queried { #expect(order.state == .filled) } else { Issue.record("query: \(queried)") }
            let ids = try await placedIds(rest)
            #expect(ids == ["sg-f3-entry-1"])
        }
    }

    @Test func userEventsCanComeTwiceOrOutOfOrder() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            var faults = BinanceFaults()
            faults.duplicateUserEvents = true
            await binance.setFaults(faults)
            _ = await offload { rest.placeOrder(entry("sg-f4-entry-1"), instrument: btc) }
            #expect(await eventually(5) { await stream.orderUpdates(clientOrderId: "sg-f4-entry-1").count >= 4 })
            let twice = await stream.orderUpdates(clientOrderId: "sg-f4-entry-1")
            #expect(twice.map { $0["x"]?.string } == ["NEW", "NEW", "TRADE", "TRADE"])
            #expect(twice[2] == twice[3])
            #expect(await stream.frames.events("TRADE_LITE").filter { $0["c"]?.string == "sg-f4-entry-1" }.count == 2)

            faults = BinanceFaults()
            faults.reorderUserEvents = true
            await binance.setFaults(faults)
            _ = await offload { rest.placeOrder(entry("sg-f4-exit-1", side: .sell), instrument: btc) }
            #expect(await eventually(5) { await stream.orderUpdates(clientOrderId: "sg-f4-exit-1").count >= 2 })
            await stream.stop()
            let texts = await stream.frames.texts.compactMap { try? JSONValue.parse($0) }
            let exit = texts.indices.filter { texts[$0]["o"]?["c"]?.string == "sg-f4-exit-1" || texts[$0]["c"]?.string == "sg-f4-exit-1" }
            // one action's frames reversed: the fill (and its TRADE_LITE) before the acceptance
            #expect(exit.map { texts[$0]["e"]?.string == "TRADE_LITE" ? "LITE" : texts[$0]["o"]?["x"]?.string } == ["TRADE", "LITE", "NEW"])
            let accountIndex = try #require(texts.lastIndex { $0["e"]?.string == "ACCOUNT_UPDATE" })
            #expect(accountIndex < exit[0])
            // E still orders them: a client sorting by E restores the sequence
            let times = exit.compactMap { texts[$0]["E"]?.integer }
            #expect(times == times.sorted(by: >) || Set(times).count == 1)
        }
    }

    @Test func anExpiredListenKeyIsToldThenItsSocketClosesAndTheKeyIsGone() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            #expect(await binance.socketCount == 1)
            var faults = BinanceFaults()
            faults.expireListenKey = true
            await binance.setFaults(faults)
            #expect(await eventually(20) { await !stream.frames.events("listenKeyExpired").isEmpty })
            #expect(await eventually(20) { await binance.socketCount == 0 })
            await stream.stop()
            let expired = try #require(await stream.frames.events("listenKeyExpired").first)
            #expect(expired["listenKey"]?.string == stream.key)
            guard case .string(let time)? = expired["E"] else { Issue.record("E is not a string: \(expired)"); return }
            #expect(Int64(time) != nil)
            #expect(code(await offload { rest.keepListenKeyAlive() }) == -1125)
            let renewed = await offload { rest.createListenKey() }
            if case .success(let key) = renewed { #expect(key != stream.key) } else { Issue.record("new key: \(renewed)") }
        }
    }
}
