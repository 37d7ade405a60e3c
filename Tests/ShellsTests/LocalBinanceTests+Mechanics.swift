import Core
import Foundation
import LocalExchange
import Shells
import Testing

private let tick = Fixed("0.1")!
private let quantity = Fixed("0.010")!

/// The BTCUSDT position as `GET /fapi/v3/positionRisk` reports it (nil when flat).
private func btcPosition(_ rest: BinanceREST) async throws -> JSONValue? {
    let answer = try success(await offload { rest.call("GET", "/fapi/v3/positionRisk", [("symbol", "BTCUSDT")], weight: 5) }, "positionRisk")
    return answer.array?.first { $0["positionAmt"]?.decimal?.isZero == false }
}

extension LocalBinanceTests {
    @Test func aSafetyStopTriggersWhenTheMarkFallsThroughItAndClosesThePosition() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            _ = await offload { rest.placeOrder(entry("sg-m1-entry-1"), instrument: btc) }
            guard case .success(let mark) = await offload({ rest.markPrice(symbol: "BTCUSDT") }) else { Issue.record("mark"); return }
            let trigger = (mark.markPrice * Fixed("0.99")!).floored(toMultipleOf: tick)
            let stop = OrderRequest(identifier: "sg-m1-sl-1", market: "BTCUSDT", side: .sell, kind: .protectiveStop(trigger: trigger),
                                    size: .quantity(quantity))
            guard case .success = await offload({ rest.placeProtectiveStop(stop, instrument: btc) }) else { Issue.record("stop"); return }
            var faults = BinanceFaults()
            faults.priceDropPercent = 3
            await binance.setFaults(faults)
            let finished = await eventually(15) {
                await stream.frames.events("ALGO_UPDATE").contains { $0["o"]?["X"]?.string == "FINISHED" }
            }
            await stream.stop()
            #expect(finished)

            let texts = await stream.frames.texts.compactMap { try? JSONValue.parse($0) }
            let algoIndices = texts.indices.filter { texts[$0]["e"]?.string == "ALGO_UPDATE" && texts[$0]["o"]?["caid"]?.string == "sg-m1-sl-1" }
            #expect(algoIndices.map { texts[$0]["o"]?["X"]?.string } == ["NEW", "TRIGGERING", "TRIGGERED", "FINISHED"])
            guard algoIndices.count == 4 else { return }
            let triggered = try #require(texts[algoIndices[2]]["o"])
            let childId = try #require(triggered["ai"]?.string.flatMap { Int64($0) })
            #expect(triggered["act"]?.string == "MARKET" && triggered["wt"]?.string == "MARK_PRICE" && triggered["cp"]?.bool == true)
            let final = try #require(texts[algoIndices[3]]["o"])
            #expect(final["ai"]?.string == "\(childId)")
            #expect(final["aq"]?.decimal == quantity)
            let fillPrice = try #require(final["ap"]?.decimal)
            #expect(fillPrice < trigger && fillPrice > trigger * Fixed("0.95")!)  // the book fell with the mark

            let childIndices = texts.indices.filter { texts[$0]["e"]?.string == "ORDER_TRADE_UPDATE" && texts[$0]["o"]?["i"]?.integer == childId }
            #expect(childIndices.map { texts[$0]["o"]?["x"]?.string } == ["NEW", "TRADE"])
            #expect(childIndices.allSatisfy { $0 > algoIndices[2] && $0 < algoIndices[3] })
            if let fill = childIndices.last.flatMap({ texts[$0]["o"] }) {
                #expect(fill["X"]?.string == "FILLED" && fill["S"]?.string == "SELL" && fill["ot"]?.string == "STOP_MARKET")
                #expect(fill["c"]?.string == "sg-m1-sl-1" && fill["l"]?.decimal == quantity && fill["L"]?.decimal == fillPrice)
            }
            #expect(try await btcPosition(rest) == nil)
            let queried = try success(await offload { rest.call("GET", "/fapi/v1/algoOrder", [("clientAlgoId", "sg-m1-sl-1")]) }, "algo")
            #expect(queried["algoStatus"]?.string == "FINISHED" && queried["actualOrderId"]?.string == "\(childId)")
            let trades = try success(await offload { rest.call("GET", "/fapi/v1/userTrades", [("symbol", "BTCUSDT")]) }, "trades")
            #expect(trades.array?.last?["orderId"]?.integer == childId)
        }
    }

    @Test func aPositionIsLiquidatedWhenTheMarkReachesTheIsolatedFormulasPrice() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            _ = await offload { rest.placeOrder(entry("sg-m2-entry-1"), instrument: btc) }
            let position = try #require(try await btcPosition(rest))
            let entryPrice = try #require(position["entryPrice"]?.decimal)
            let wallet = try #require(position["isolatedWallet"]?.decimal)
            #expect(wallet == quantity * entryPrice / 20)  // leverage 20
            // §8, isolated long: LP = (Q·EP − WB − cum) / (Q·(1 − MMR)), first bracket (0.004, cum 0)
            let formula = (quantity * entryPrice - wallet) / (quantity * (Fixed.one - Fixed("0.004")!))
            #expect(position["liquidationPrice"]?.decimal == formula.rounded(places: 8))

            await binance.setMarkPrice(formula.floored(toMultipleOf: tick) + tick, symbol: "BTCUSDT")
            #expect(try await btcPosition(rest)?["positionAmt"]?.decimal == quantity)
            let mark = formula.floored(toMultipleOf: tick)
            await binance.setMarkPrice(mark, symbol: "BTCUSDT")
            let told = await eventually(5) {
                await stream.frames.events("ORDER_TRADE_UPDATE").contains { $0["o"]?["x"]?.string == "CALCULATED" }
            }
            await stream.stop()
            #expect(told)
            let liquidation = try #require(await stream.frames.events("ORDER_TRADE_UPDATE").compactMap { $0["o"] }
                .first { $0["x"]?.string == "CALCULATED" })
            #expect(liquidation["c"]?.string?.hasPrefix("autoclose-") == true)
            #expect(liquidation["o"]?.string == "LIQUIDATION" && liquidation["X"]?.string == "FILLED" && liquidation["S"]?.string == "SELL")
            #expect(liquidation["L"]?.decimal == mark && liquidation["l"]?.decimal == quantity)
            #expect(liquidation["rp"]?.decimal == quantity * (mark - entryPrice))
            #expect(liquidation["n"]?.decimal == quantity * mark * Fixed("0.0005")!)
            #expect(try await btcPosition(rest) == nil)

            let trades = try success(await offload { rest.call("GET", "/fapi/v1/userTrades", [("symbol", "BTCUSDT")]) }, "trades")
            let last = try #require(trades.array?.last)
            #expect(last["id"]?.integer == liquidation["t"]?.integer && last["price"]?.decimal == mark)
            let orders = try success(await offload { rest.call("GET", "/fapi/v1/allOrders", [("symbol", "BTCUSDT")]) }, "orders")
            #expect(orders.array?.last?["type"]?.string == "LIQUIDATION")
            let pnl = try success(await offload { rest.call("GET", "/fapi/v1/income", [("incomeType", "REALIZED_PNL")]) }, "income")
            #expect(pnl.array?.map { $0["income"]?.decimal } == [quantity * (mark - entryPrice)])
        }
    }

    @Test func aMarginCallIsSentWhenTheMaintenanceMarginNearsTheMarginBalance() async throws {
        try await withLocalBinance { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            _ = await offload { rest.placeOrder(entry("sg-m3-entry-1"), instrument: btc) }
            let position = try #require(try await btcPosition(rest))
            let entryPrice = try #require(position["entryPrice"]?.decimal)
            let wallet = try #require(position["isolatedWallet"]?.decimal)
            // the mark where maintenance margin is 90 % of the margin balance: 0.004·Q·m = 0.9·(WB + Q·(m − EP))
            let mark = ((quantity * entryPrice - wallet) * Fixed("0.9")! / (quantity * Fixed("0.896")!)).ceiled(toMultipleOf: tick)
            let maintenance = quantity * mark * Fixed("0.004")!
            let balance = wallet + quantity * (mark - entryPrice)
            #expect(maintenance < balance && maintenance >= balance * Fixed("0.8")!)
            await binance.setMarkPrice(mark, symbol: "BTCUSDT")
            #expect(await eventually(5) { await !stream.frames.events("MARGIN_CALL").isEmpty })
            await stream.stop()
            let call = try #require(await stream.frames.events("MARGIN_CALL").first?["p"]?.array?.first)
            #expect(call["s"]?.string == "BTCUSDT" && call["pa"]?.decimal == quantity && call["mt"]?.string == "ISOLATED")
            #expect(call["mp"]?.decimal == mark && call["iw"]?.decimal == wallet)
            #expect(call["mm"]?.decimal == maintenance && call["up"]?.decimal == quantity * (mark - entryPrice))
            #expect(await stream.frames.events("MARGIN_CALL").count == 1)
            #expect(try await btcPosition(rest)?["positionAmt"]?.decimal == quantity)  // called, not liquidated
        }
    }

    @Test func reduceOnlyOrdersExpireAndStopsAreCancelledWhenThePositionGoesFlat() async throws {
        try await withLocalBinance { _, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            _ = await offload { rest.placeOrder(entry("sg-m4-entry-1"), instrument: btc) }
            guard case .success(let mark) = await offload({ rest.markPrice(symbol: "BTCUSDT") }) else { Issue.record("mark"); return }
            let target = OrderRequest(identifier: "sg-m4-tp-1", market: "BTCUSDT", side: .sell,
                                      kind: .limit(price: (mark.markPrice * Fixed("1.1")!).floored(toMultipleOf: tick)),
                                      size: .quantity(quantity), reduceOnly: true)
            guard case .success(let placed) = await offload({ rest.placeOrder(target, instrument: btc) }) else { Issue.record("tp"); return }
            #expect(placed.state == .open)
            let stop = OrderRequest(identifier: "sg-m4-sl-1", market: "BTCUSDT", side: .sell,
                                    kind: .protectiveStop(trigger: (mark.markPrice * Fixed("0.9")!).floored(toMultipleOf: tick)),
                                    size: .quantity(quantity))
            _ = await offload { rest.placeProtectiveStop(stop, instrument: btc) }
            _ = await offload { rest.placeOrder(entry("sg-m4-exit-1", side: .sell), instrument: btc) }
            #expect(await eventually(5) { await stream.orderUpdates(clientOrderId: "sg-m4-tp-1").count >= 2 })
            await stream.stop()
            #expect(await stream.orderUpdates(clientOrderId: "sg-m4-tp-1").map { $0["x"]?.string } == ["NEW", "EXPIRED"])
            #expect(await stream.orderUpdates(clientOrderId: "sg-m4-tp-1").last?["X"]?.string == "EXPIRED")
            let queried = await offload { rest.order(symbol: "BTCUSDT", clientOrderId: "sg-m4-tp-1") }
            if case .success(let order) = queried { #expect(order.state == .expired) } else { Issue.record("query: \(queried)") }
            let algo = await stream.frames.events("ALGO_UPDATE").compactMap { $0["o"] }.filter { $0["caid"]?.string == "sg-m4-sl-1" }
            #expect(algo.map { $0["X"]?.string } == ["NEW", "CANCELED"])
            #expect(try await btcPosition(rest) == nil)
            if case .success(let open) = await offload({ rest.openOrders(symbol: "BTCUSDT") }) { #expect(open.isEmpty) }
        }
    }

    @Test func fundingIsSettledAtTheEightHourMarkOnTheMarkPrice() async throws {
        let interval: Milliseconds = 8 * 3_600_000
        let boundary = Milliseconds(Date().timeIntervalSince1970 * 1_000) / interval * interval
        // 40 s of market before the funding time: room for a loaded machine to open the position
        try await withLocalBinance(now: boundary - 40_000) { binance, port in
            let rest = await offload { localBinanceREST(port) }
            let stream = try await UserStreamProbe.open(rest, port: port)
            _ = await offload { rest.placeOrder(entry("sg-m5-entry-1"), instrument: btc) }
            try #require(await binance.clock.now() < boundary, "the position opened after the funding time")
            let funded = await eventually(70) {
                await stream.frames.events("ACCOUNT_UPDATE").contains { $0["a"]?["m"]?.string == "FUNDING_FEE" }
            }
            await stream.stop()
            #expect(funded)
            let updates = await stream.frames.events("ACCOUNT_UPDATE").filter { $0["a"]?["m"]?.string == "FUNDING_FEE" }
            #expect(updates.count == 1)
            let update = try #require(updates.first)
            let settled = try #require(update["T"]?.integer)
            #expect(settled >= boundary && settled < boundary + 2_000)
            #expect(update["a"]?["S"]?.string == "BTCUSDT")
            #expect(update["a"]?["P"]?.array?.first?["pa"]?.decimal == quantity)

            let lines = try success(await offload { rest.call("GET", "/fapi/v1/income", [("incomeType", "FUNDING_FEE")], weight: 30) }, "income")
            let line = try #require(lines.array?.first)
            #expect(lines.array?.count == 1)  // the flat symbol pays nothing
            #expect(line["symbol"]?.string == "BTCUSDT" && line["time"]?.integer == settled && line["tradeId"]?.string == "")
            // a long pays notional at mark × 0.01 %: the mark it implies is on the tick grid, near the entry
            let income = try #require(line["income"]?.decimal)
            #expect(income.isNegative)
            let impliedMark = -income / (quantity * Fixed("0.0001")!)
            #expect(impliedMark.floored(toMultipleOf: tick) == impliedMark)
            let position = await offload { rest.positions(symbol: "BTCUSDT") }
            if case .success(let list) = position, let entryPrice = list.first?.entryPrice {
                #expect((impliedMark - entryPrice).magnitude < entryPrice * Fixed("0.02")!)
            } else {
                Issue.record("positions: \(position)")
            }
        }
    }
}
