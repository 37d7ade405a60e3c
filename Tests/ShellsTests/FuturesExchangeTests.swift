import Core
import Shells
import Testing
import TestSupport

/// The simulated futures venue on binance-futures.md §8.1's worked example and its rules.
@Suite struct FuturesExchangeTests {
    static func book(_ market: String = "BTCUSDT", bid: Fixed, ask: Fixed, at time: Milliseconds) -> BookTop {
        BookTop(market: market, time: time, totalBidSize: 10, totalAskSize: 10, bestBidPrice: bid, bestAskPrice: ask)
    }

    static func order(_ identifier: String, _ side: Side, _ quantity: String, kind: OrderRequest.Kind = .market,
                      reduceOnly: Bool = false) -> OrderRequest {
        OrderRequest(identifier: identifier, market: "BTCUSDT", side: side, kind: kind, size: .quantity(fixed(quantity)),
                     reduceOnly: reduceOnly)
    }

    /// Long 0.010 BTC at 60,000, isolated, leverage 3: margin 200, fee 0.30, liquidation at
    /// 40,160.64; funding at 08:00 UTC with the mark at 58,500 and rate 0.01 % costs 0.0585.
    @Test func theWorkedExample() {
        var exchange = FuturesExchange(cash: 1_000, leverage: 3)
        exchange.receive(FuturesExchangeTests.book(bid: Fixed("59999.9")!, ask: 60_000, at: t0))
        let events = exchange.answer(.placeOrder(FuturesExchangeTests.order("e1", .buy, "0.010")), time: t0) ?? []
        #expect(events.count == 2)
        #expect(exchange.positions["BTCUSDT"] == FuturesExchange.Position(quantity: fixed("0.01"), enteredQuote: 600, enteredQuantity: fixed("0.01"), margin: 200))
        #expect(exchange.available == fixed("799.7"))  // 1,000 − 200 margin − 0.30 fee
        #expect(exchange.liquidationPrice("BTCUSDT")?.floored(places: 2) == fixed("40160.64"))
        let eight = t0 + 8 * 3_600_000  // t0 is 00:00 UTC
        #expect(exchange.receive(markPrice: 58_500, market: "BTCUSDT", time: eight - 1_000) == [])
        let funding = exchange.receive(markPrice: 58_500, market: "BTCUSDT", time: eight + 500)
        #expect(funding == [.fundingSettled(market: "BTCUSDT", amount: fixed("-0.0585"), settledAt: eight, time: eight + 500)])
        #expect(exchange.available == fixed("799.6415"))
    }

    /// Paper mode settles funding at the rate the mark frames announced (0.05 % here), not the
    /// default 0.01 %: 600 × 0.975 × 0.0005 = 0.2925.
    @Test func paperModePaysFundingAtTheAnnouncedRate() {
        let executor = FuturesPaperExecutor(FuturesExchange(cash: 1_000, leverage: 3),
                                            fundingRate: { $0 == "BTCUSDT" ? Fixed("0.0005")! : nil })
        executor.observe(book: FuturesExchangeTests.book(bid: Fixed("59999.9")!, ask: 60_000, at: t0), frame: UnsafeRawBufferPointer(start: nil, count: 0))
        _ = executor.execute(.placeOrder(FuturesExchangeTests.order("e1", .buy, "0.010")), at: t0) { _ in }
        let eight = t0 + 8 * 3_600_000
        #expect(executor.observe(markPrice: 58_500, market: "BTCUSDT", time: eight - 1_000) == [])
        #expect(executor.observe(markPrice: 58_500, market: "BTCUSDT", time: eight + 500)
                == [.fundingSettled(market: "BTCUSDT", amount: fixed("-0.2925"), settledAt: eight, time: eight + 500)])
    }

    @Test func theMarkPriceTriggersAStopThatClosesThePosition() {
        var exchange = FuturesExchange(cash: 10_000, leverage: 1)
        exchange.receive(FuturesExchangeTests.book(bid: 50_000, ask: Fixed("50000.1")!, at: t0))
        _ = exchange.answer(.placeOrder(FuturesExchangeTests.order("s1", .sell, "0.1")), time: t0)
        let stop = FuturesExchangeTests.order("x1", .buy, "0.1", kind: .protectiveStop(trigger: 50_601))
        #expect(exchange.answer(.placeOrder(stop), time: t0)?.count == 1)  // accepted, waiting
        #expect(exchange.receive(markPrice: 50_600, market: "BTCUSDT", time: t0 + 1_000) == [])
        exchange.receive(FuturesExchangeTests.book(bid: 50_650, ask: 50_660, at: t0 + 1_500))
        let fired = exchange.receive(markPrice: 50_601, market: "BTCUSDT", time: t0 + 2_000)
        guard case .orderUpdated(let update) = fired.first else { Issue.record("no fill: \(fired)"); return }
        #expect(update.state == .filled && update.executedQuantity == fixed("0.1") && update.executedQuote == 5_066)
        #expect(exchange.positions["BTCUSDT"] == nil || exchange.positions["BTCUSDT"]?.quantity == 0)
    }

    @Test func refusalsInBinancesWords() {
        var exchange = FuturesExchange(cash: 100, leverage: 2)
        exchange.receive(FuturesExchangeTests.book(bid: 50_000, ask: 50_001, at: t0))
        let place = { (request: OrderRequest) in exchange.answer(.placeOrder(request), time: t0) ?? [] }
        #expect(place(FuturesExchangeTests.order("r1", .sell, "0.1", reduceOnly: true))
            == [.orderRejected(identifier: "r1", error: "reduce_only_rejected", time: t0)])
        #expect(place(FuturesExchangeTests.order("r2", .buy, "0.01")) == [.orderRejected(identifier: "r2", error: "insufficient_funds_margin", time: t0)])
        #expect(place(FuturesExchangeTests.order("r3", .buy, "0.00001")) == [.orderRejected(identifier: "r3", error: "min_notional", time: t0)])
        let limit = FuturesExchangeTests.order("l1", .buy, "0.001", kind: .limit(price: 49_000))
        #expect(place(limit).count == 1)
        #expect(place(limit) == [.orderRejected(identifier: "l1", error: "duplicated_client_order_id", time: t0)])
    }

    @Test func aPositionPastItsLiquidationPriceIsLiquidated() {
        var exchange = FuturesExchange(cash: 1_000, leverage: 3)
        exchange.receive(FuturesExchangeTests.book(bid: Fixed("59999.9")!, ask: 60_000, at: t0))
        _ = exchange.answer(.placeOrder(FuturesExchangeTests.order("e1", .buy, "0.010")), time: t0)
        let events = exchange.receive(markPrice: 40_160, market: "BTCUSDT", time: t0 + 1_000)
        #expect(events == [.positionLiquidated(market: "BTCUSDT", identifier: "autoclose-1", quantity: fixed("0.01"),
                                               price: 40_160, fee: fixed("0.2008"), time: t0 + 1_000)])
        #expect(exchange.positions["BTCUSDT"] == nil || exchange.positions["BTCUSDT"]?.quantity == 0)
        #expect(exchange.available == fixed("801.0992"))  // 799.7 + what the margin kept (200 − 198.4) − the fee
    }
}
