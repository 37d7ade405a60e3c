import Core
import Foundation
import LocalExchange
import Shells
import Testing

/// The weight the server counted for one request (its `X-MBX-USED-WEIGHT-1M` before and after;
/// a new minute window restarts the count).
private func weight(_ rest: BinanceREST, _ work: @escaping @Sendable () -> BinanceREST.Outcome<JSONValue>) async
    -> (Int, BinanceREST.Outcome<JSONValue>) {
    let before = rest.budget.used.weight
    let outcome = await offload(work)
    let after = rest.budget.used.weight
    return (after >= before ? after - before : after, outcome)
}

extension LocalBinanceTests {
    @Test func allOrdersListsEveryOrderOldestFirstWithOrWithoutSymbol() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            guard case .success(let mark) = await offload({ rest.markPrice(symbol: "BTCUSDT") }) else { Issue.record("mark"); return }
            let low = (mark.markPrice * Fixed("0.9")!).floored(toMultipleOf: Fixed("0.1")!)
            _ = await offload { rest.placeOrder(entry("sg-h1-entry-1"), instrument: btc) }
            _ = await offload { rest.placeOrder(entry("sg-h1-eth-1", market: "ETHUSDT"), instrument: btc) }
            let limit = OrderRequest(identifier: "sg-h1-entry-2", market: "BTCUSDT", side: .buy, kind: .limit(price: low),
                                     size: .quantity(Fixed("0.010")!))
            _ = await offload { rest.placeOrder(limit, instrument: btc) }
            _ = await offload { rest.placeOrder(entry("sg-h1-exit-1", side: .sell), instrument: btc) }

            let (cost, mine) = await weight(rest) { rest.call("GET", "/fapi/v1/allOrders", [("symbol", "BTCUSDT")], weight: 5) }
            #expect(cost == 5)
            let orders = try success(mine, "allOrders BTCUSDT").array ?? []
            #expect(orders.map { $0["clientOrderId"]?.string } == ["sg-h1-entry-1", "sg-h1-entry-2", "sg-h1-exit-1"])
            #expect(orders.map { $0["status"]?.string } == ["FILLED", "NEW", "FILLED"])
            #expect(orders.map { $0["type"]?.string } == ["MARKET", "LIMIT", "MARKET"])
            #expect(orders[1]["price"]?.decimal == low)
            let ids = orders.compactMap { $0["orderId"]?.integer }
            #expect(ids == ids.sorted() && ids.count == 3)

            let (allCost, every) = await weight(rest) { rest.call("GET", "/fapi/v1/allOrders", weight: 5) }
            #expect(allCost == 5)
            #expect(try success(every, "allOrders").array?.map { $0["clientOrderId"]?.string }
                == ["sg-h1-entry-1", "sg-h1-eth-1", "sg-h1-entry-2", "sg-h1-exit-1"])
            let newest = try success(await offload { rest.call("GET", "/fapi/v1/allOrders", [("limit", "2")]) }, "newest")
            #expect(newest.array?.map { $0["clientOrderId"]?.string } == ["sg-h1-entry-2", "sg-h1-exit-1"])
            let fromFirst = try success(await offload {
                rest.call("GET", "/fapi/v1/allOrders", [("symbol", "BTCUSDT"), ("orderId", "\(ids[1])"), ("limit", "1")])
            }, "from an id")
            #expect(fromFirst.array?.map { $0["clientOrderId"]?.string } == ["sg-h1-entry-2"])
            let week = await offload {
                rest.call("GET", "/fapi/v1/allOrders", [("symbol", "BTCUSDT"), ("startTime", "0"), ("endTime", "\(8 * 86_400_000)")])
            }
            #expect(code(week) == -1127)
            #expect(code(await offload { rest.call("GET", "/fapi/v1/allOrders", [("symbol", "NOPEUSDT")]) }) == -1121)
        }
    }

    @Test func userTradesAndIncomeRecordTheFillsTheStreamReported() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            _ = await offload { rest.placeOrder(entry("sg-h2-entry-1"), instrument: btc) }
            _ = await offload { rest.placeOrder(entry("sg-h2-exit-1", side: .sell), instrument: btc) }
            #expect(await eventually(10) { await stream.orderUpdates(clientOrderId: "sg-h2-exit-1").count >= 2 })
            await stream.stop()
            let entryFill = try #require(await stream.orderUpdates(clientOrderId: "sg-h2-entry-1").first { $0["x"]?.string == "TRADE" })
            let exitFill = try #require(await stream.orderUpdates(clientOrderId: "sg-h2-exit-1").first { $0["x"]?.string == "TRADE" })

            let (cost, answer) = await weight(rest) { rest.call("GET", "/fapi/v1/userTrades", [("symbol", "BTCUSDT")], weight: 5) }
            #expect(cost == 5)
            let trades = try success(answer, "userTrades").array ?? []
            #expect(trades.count == 2)
            #expect(trades.map { $0["id"]?.integer } == [entryFill["t"]?.integer, exitFill["t"]?.integer])
            #expect(trades.map { $0["orderId"]?.integer } == [entryFill["i"]?.integer, exitFill["i"]?.integer])
            for (trade, fill) in zip(trades, [entryFill, exitFill]) {
                let price = try #require(trade["price"]?.decimal)
                #expect(price == fill["L"]?.decimal)
                #expect(trade["qty"]?.decimal == Fixed("0.010")!)
                #expect(trade["quoteQty"]?.decimal == price * Fixed("0.010")!)
                #expect(trade["commission"]?.decimal == (price * Fixed("0.010")! * Fixed("0.0005")!).rounded(places: 8))
                #expect(trade["commission"]?.decimal == fill["n"]?.decimal)
                #expect(trade["realizedPnl"]?.decimal == fill["rp"]?.decimal)
                #expect(trade["commissionAsset"]?.string == "USDT" && trade["positionSide"]?.string == "BOTH")
                #expect(trade["maker"]?.bool == false)
            }
            #expect(trades.map { $0["buyer"]?.bool } == [true, false])
            #expect(trades.map { $0["side"]?.string } == ["BUY", "SELL"])
            let entryPrice = try #require(trades[0]["price"]?.decimal)
            let exitPrice = try #require(trades[1]["price"]?.decimal)
            let realized = Fixed("0.010")! * (exitPrice - entryPrice)
            #expect(trades[0]["realizedPnl"]?.decimal == 0)
            #expect(trades[1]["realizedPnl"]?.decimal == realized)

            let exitId = try #require(trades[1]["id"]?.integer)
            let ofOrder = try success(await offload {
                rest.call("GET", "/fapi/v1/userTrades", [("symbol", "BTCUSDT"), ("orderId", "\(exitFill["i"]?.integer ?? 0)")])
            }, "of an order")
            #expect(ofOrder.array?.map { $0["id"]?.integer } == [exitId])
            let fromId = try success(await offload {
                rest.call("GET", "/fapi/v1/userTrades", [("symbol", "BTCUSDT"), ("fromId", "\(exitId)")])
            }, "from an id")
            #expect(fromId.array?.count == 1)
            let mixed = await offload { rest.call("GET", "/fapi/v1/userTrades", [("symbol", "BTCUSDT"), ("fromId", "1"), ("startTime", "0")]) }
            #expect(code(mixed) == -1128)
            #expect(code(await offload { rest.call("GET", "/fapi/v1/userTrades") }) == -1102)

            let (incomeCost, incomeAnswer) = await weight(rest) { rest.call("GET", "/fapi/v1/income", [("symbol", "BTCUSDT")], weight: 30) }
            #expect(incomeCost == 30)
            let lines = try success(incomeAnswer, "income").array ?? []
            let commissions = lines.filter { $0["incomeType"]?.string == "COMMISSION" }
            #expect(commissions.map { $0["income"]?.decimal } == trades.map { $0["commission"]?.decimal.map { -$0 } })
            #expect(commissions.map { $0["tradeId"]?.string } == trades.map { $0["id"]?.integer.map { "\($0)" } })
            let pnl = lines.filter { $0["incomeType"]?.string == "REALIZED_PNL" }
            #expect(pnl.map { $0["income"]?.decimal } == (realized.isZero ? [] : [realized]))
            #expect(lines.allSatisfy { $0["asset"]?.string == "USDT" && $0["symbol"]?.string == "BTCUSDT" && $0["tranId"]?.integer != nil })
            let onlyCommission = try success(await offload {
                rest.call("GET", "/fapi/v1/income", [("incomeType", "COMMISSION"), ("limit", "1")])
            }, "commission")
            #expect(onlyCommission.array?.map { $0["tradeId"]?.string } == ["\(exitId)"])
        }
    }
}
