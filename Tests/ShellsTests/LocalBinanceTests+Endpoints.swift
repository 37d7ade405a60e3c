import Core
import Foundation
import LocalExchange
import Shells
import Testing

extension LocalBinanceTests {
    @Test func theDepthEndpointAnswersTheStreamedBookWithBinancesWeights() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            // The weight a call adds, read from the server's header: a minute boundary between the
            // two readings (or a clock resync on a loaded machine) spoils one measure: measured
            // again then, the smallest growth kept.
            func weight(_ limit: String) async throws -> (JSONValue, Int) {
                var measured: [(JSONValue, Int)] = []
                for _ in 0..<3 {
                    let before = rest.budget.used.weight
                    let answer = try success(await offload {
                        rest.call("GET", "/fapi/v1/depth", [("symbol", "BTCUSDT"), ("limit", limit)], security: .none, weight: 2)
                    }, "depth \(limit)")
                    let after = rest.budget.used.weight
                    if after > before { measured.append((answer, after - before)) }
                }
                guard let smallest = measured.min(by: { $0.1 < $1.1 }) else { throw RecordingError(message: "the weight never grew") }
                return smallest
            }
            let (five, fiveWeight) = try await weight("5")
            #expect(fiveWeight == 2)
            let bids = (five["bids"]?.array ?? []).compactMap { $0.array?.first?.decimal }
            let asks = (five["asks"]?.array ?? []).compactMap { $0.array?.first?.decimal }
            #expect(bids.count == 5 && asks.count == 5)
            #expect(bids == bids.sorted(by: >) && asks == asks.sorted())
            #expect(bids[0] < asks[0])
            #expect((five["bids"]?.array ?? []).allSatisfy { $0.array?[1].decimal?.isPositive == true })
            #expect((five["lastUpdateId"]?.integer ?? 0) > 0 && five["E"]?.integer != nil && five["T"]?.integer != nil)
            let (deep, deepWeight) = try await weight("1000")
            #expect(deepWeight == 20)
            #expect(deep["bids"]?.array?.count == 20)
            let odd = await offload { rest.call("GET", "/fapi/v1/depth", [("symbol", "BTCUSDT"), ("limit", "7")], security: .none) }
            #expect(code(odd) == -1130)
        }
    }

    @Test func cancelAllCancelsRegularOrdersThenAlgoOrdersOfTheSymbol() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            guard case .success(let mark) = await offload({ rest.markPrice(symbol: "BTCUSDT") }) else { Issue.record("mark"); return }
            _ = await offload { rest.placeOrder(entry("sg-c1-entry-1"), instrument: btc) }
            for index in 1...2 {
                let price = (mark.markPrice * Fixed("0.9")!).floored(toMultipleOf: Fixed("0.1")!) - Fixed(index)
                let limit = OrderRequest(identifier: "sg-c1-add-\(index)", market: "BTCUSDT", side: .buy, kind: .limit(price: price),
                                         size: .quantity(Fixed("0.010")!))
                _ = await offload { rest.placeOrder(limit, instrument: btc) }
            }
            let trigger = (mark.markPrice * Fixed("0.95")!).floored(toMultipleOf: Fixed("0.1")!)
            let stop = OrderRequest(identifier: "sg-c1-sl-1", market: "BTCUSDT", side: .sell, kind: .protectiveStop(trigger: trigger),
                                    size: .quantity(Fixed("0.010")!))
            _ = await offload { rest.placeProtectiveStop(stop, instrument: btc) }

            let regular = try success(await offload { rest.call("DELETE", "/fapi/v1/allOpenOrders", [("symbol", "BTCUSDT")]) }, "cancel all")
            #expect(regular["code"]?.integer == 200)
            #expect(regular["msg"]?.string == "The operation of cancel all open order is done.")
            if case .success(let open) = await offload({ rest.openOrders(symbol: "BTCUSDT") }) { #expect(open.isEmpty) }
            let first = await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-c1-add-1") }
            if case .success(let order) = first { #expect(order.state == .cancelled) } else { Issue.record("query: \(first)") }
            guard case .success(let algos) = await offload({ rest.openAlgoOrders(symbol: "BTCUSDT") }) else { Issue.record("algos"); return }
            #expect(algos.map(\.clientAlgoId) == ["sg-c1-sl-1"])

            let conditional = try success(await offload { rest.call("DELETE", "/fapi/v1/algoOpenOrders", [("symbol", "BTCUSDT")]) },
                                          "cancel algos")
            #expect(conditional["code"]?.integer == 200)
            if case .success(let left) = await offload({ rest.openAlgoOrders(symbol: "BTCUSDT") }) { #expect(left.isEmpty) }
            if case .success(let algo) = await offload({ rest.algoOrder(clientAlgoId: "sg-c1-sl-1") }) { #expect(algo.status == .canceled) }
            #expect(code(await offload { rest.call("DELETE", "/fapi/v1/allOpenOrders") }) == -1102)
            let positions = await offload { rest.positions(symbol: "BTCUSDT") }
            if case .success(let list) = positions { #expect(list.first?.amount == Fixed("0.010")!) }
        }
    }

    @Test func leverageBracketsStartWithBinancesFirstBracket() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            let one = try success(await offload { rest.call("GET", "/fapi/v1/leverageBracket", [("symbol", "BTCUSDT")]) }, "brackets")
            let list = try #require(one.array)
            #expect(list.count == 1)
            #expect(list[0]["symbol"]?.string == "BTCUSDT")
            let brackets = try #require(list[0]["brackets"]?.array)
            #expect(brackets.count >= 3)
            let first = brackets[0]
            #expect(first["bracket"]?.integer == 1 && first["initialLeverage"]?.integer == 125)
            #expect(first["notionalCap"]?.decimal == 50_000 && first["notionalFloor"]?.decimal == 0)
            #expect(first["maintMarginRatio"]?.decimal == Fixed("0.004")! && first["cum"]?.decimal == 0)
            // each floor is the previous cap; cum continues the maintenance margin across the boundary
            for (lower, upper) in zip(brackets, brackets.dropFirst()) {
                let floor = try #require(upper["notionalFloor"]?.decimal)
                #expect(floor == lower["notionalCap"]?.decimal)
                let below = floor * (lower["maintMarginRatio"]?.decimal ?? 0) - (lower["cum"]?.decimal ?? 0)
                let above = floor * (upper["maintMarginRatio"]?.decimal ?? 0) - (upper["cum"]?.decimal ?? 0)
                #expect(below == above)
                #expect((upper["initialLeverage"]?.integer ?? 999) < (lower["initialLeverage"]?.integer ?? 0))
            }
            #expect(brackets[1]["cum"]?.decimal == 50)
            let all = try success(await offload { rest.call("GET", "/fapi/v1/leverageBracket") }, "all brackets")
            #expect(all.array?.map { $0["symbol"]?.string } == ["BTCUSDT", "ETHUSDT"])
            #expect(code(await offload { rest.call("GET", "/fapi/v1/leverageBracket", [("symbol", "NOPEUSDT")]) }) == -1121)
        }
    }
}
