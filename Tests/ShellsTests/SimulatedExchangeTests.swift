import Core
import TestSupport
import Shells
import Testing

@Suite struct SimulatedExchangeTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    func exchange() -> SimulatedExchange {
        var exchange = SimulatedExchange(krw: 1_000_000, feeRate: fixed("0.0005"))
        exchange.receive(Orderbook(market: "KRW-BTC", time: 0, totalAskSize: 3, totalBidSize: 3, levels: [
            .init(askPrice: 500_000, askSize: fixed("0.5"), bidPrice: 499_500, bidSize: fixed("0.5")),
            .init(askPrice: 500_500, askSize: fixed("0.5"), bidPrice: 499_000, bidSize: fixed("0.5")),
            .init(askPrice: 0, askSize: 0, bidPrice: 0, bidSize: 0),
        ]))
        return exchange
    }

    @Test func aMarketBuyWalksTheAsksAndEndsInCancelWithKRWLeftOver() {
        var exchange = exchange()
        let events = exchange.place(upbitOrder("a", "KRW-BTC", .marketBuy(amount: 400_000)), time: 7)
        // 0.5 at 500,000 = 250,000; then 150,000 / 500,500 = 0.29970029 (floored to 8 digits).
        #expect(events == [
            .orderAccepted(identifier: "a", uuid: "sim-1", time: 7),
            .orderUpdated(OrderUpdate(identifier: "a", uuid: "sim-1", market: "KRW-BTC", state: .cancelled,
                                      executedQuantity: fixed("0.79970029"), executedQuote: fixed("399999.995145"),
                                      paidFee: fixed("199.9999975725"), time: 7)),
        ])
        #expect(exchange.krw == fixed("599800.0048574275"))
        #expect(exchange.lockedKRW == 0)
    }

    @Test func aMarketSellWalksTheBidsAndRefundsWhatTheBookCannotTake() {
        var exchange = exchange()
        _ = exchange.place(upbitOrder("a", "KRW-BTC", .marketBuy(amount: 500_000)), time: 1)
        exchange.receive(Orderbook(market: "KRW-BTC", time: 2, totalAskSize: 0, totalBidSize: fixed("0.6"), levels: [
            .init(askPrice: 501_000, askSize: 1, bidPrice: 500_000, bidSize: fixed("0.6")),
        ]))
        let events = exchange.place(upbitOrder("b", "KRW-BTC", .marketSell(volume: fixed("0.9"))), time: 3)
        guard case .orderUpdated(let update) = events.last else { Issue.record("no update"); return }
        #expect(update.state == .cancelled)
        #expect(update.executedQuantity == fixed("0.6"))
        #expect(update.executedQuote == 300_000)
    }

    @Test func limitOrdersRestUntilATradeReachesTheirPrice() {
        var exchange = exchange()
        let placed = exchange.place(upbitOrder("l", "KRW-BTC", .limit(side: .buy, price: 499_000, volume: fixed("0.2"))), time: 1)
        #expect(placed == [.orderAccepted(identifier: "l", uuid: "sim-1", time: 1)])
        #expect(exchange.receive(Trade(market: "KRW-BTC", price: 499_500, volume: 1, side: .sell, time: 2, sequentialId: 1)) == [])
        let fills = exchange.receive(Trade(market: "KRW-BTC", price: 499_000, volume: fixed("0.15"), side: .sell, time: 3,
                                           sequentialId: 2))
        #expect(fills == [.orderUpdated(OrderUpdate(identifier: "l", uuid: "sim-1", market: "KRW-BTC", state: .partiallyFilled,
                                                    executedQuantity: fixed("0.15"), executedQuote: 74_850,
                                                    paidFee: fixed("37.425"), time: 3))])
        let cancelled = exchange.cancel("l", time: 4)
        #expect(cancelled.first == .cancelAccepted(identifier: "l", time: 4))
        #expect(exchange.lockedKRW == 0)
    }

    @Test(arguments: [
        (UpbitOrderShape.marketBuy(amount: 4_999), "under_min_total_bid"),
        (.marketBuy(amount: 2_000_000), "insufficient_funds_bid"),
        (.limit(side: .buy, price: 500_100, volume: 1), "invalid_price_bid"),
        (.limit(side: .sell, price: 500_000, volume: 1), "insufficient_funds_ask"),
        (.limit(side: .buy, price: 1_000, volume: 1), "under_min_total_bid"),
        (.marketSell(volume: 1), "insufficient_funds_ask"),
    ])
    func refusalsUseUpbitsErrorNames(kind: UpbitOrderShape, error: String) {
        var exchange = exchange()
        #expect(exchange.place(upbitOrder("x", "KRW-BTC", kind), time: 1)
            == [.orderRejected(identifier: "x", error: error, time: 1)])
    }

    @Test func anIdentifierIsNeverAcceptedTwice() {
        var exchange = exchange()
        let request = upbitOrder("same", "KRW-BTC", .marketBuy(amount: 10_000))
        _ = exchange.place(request, time: 1)
        #expect(exchange.place(request, time: 2) == [.orderRejected(identifier: "same", error: "duplicated_identifier", time: 2)])
    }
}
