import Core

/// A pure, in-process Upbit for backtests and paper mode. It keeps KRW and coins, the newest
/// orderbook of each market, and our orders, and answers the reducer's commands with the events
/// Upbit would produce:
/// - market buys (`ord_type=price`) walk the asks for the KRW amount, market sells walk the bids;
///   whatever the book cannot fill is refunded and the order ends `cancel` (Upbit's quirk: a
///   completed market buy with KRW left over ends in `cancel`, not `done`);
/// - limit orders rest and fill at their price, up to the traded volume, when a trade reaches it;
/// - fees at the configured rate; the minimum total, the tick grid, funds and identifiers are
///   checked with Upbit's error names.
public struct SimulatedExchange: Sendable {
    public struct Order: Sendable {
        public var request: OrderRequest
        public var shape: UpbitOrderShape
        public var uuid: String
        public var state: UpbitOrderState = .wait
        public var executedQuantity: Fixed = 0
        public var fundsKRW: Fixed = 0
        public var feeKRW: Fixed = 0
        /// KRW (buys) or coins (sells) still locked.
        public var locked: Fixed
    }

    public let feeRate: Fixed
    public private(set) var krw: Fixed
    public private(set) var lockedKRW: Fixed = 0
    public private(set) var coins: [String: Fixed] = [:]
    public private(set) var lockedCoins: [String: Fixed] = [:]
    public private(set) var orders: [String: Order] = [:]
    private var books: [String: Orderbook] = [:]
    /// Raw orderbook frames not decoded yet: full depth is only needed when a market order walks it.
    private var rawBooks: [String: [UInt8]] = [:]
    private var lastPrices: [String: Fixed] = [:]
    private var usedIdentifiers = Set<String>()
    /// Limit orders still working, oldest first: the only ones a trade can fill.
    private var restingLimits: [String] = []
    private var nextUUID = 1

    public static let minimumTotalKRW: Fixed = 5_000

    public init(krw: Fixed, feeRate: Fixed) {
        self.krw = krw
        self.feeRate = feeRate
    }

    // MARK: - Market data

    public mutating func receive(_ book: Orderbook) {
        books[book.market] = book
        rawBooks[book.market] = nil
    }

    /// The raw frame of an orderbook, decoded only if an order needs its depth.
    public mutating func receive(bookFrame: UnsafeRawBufferPointer, market: String) {
        rawBooks[market] = Array(bookFrame)
    }

    /// The newest book of a market, decoding a raw frame on first use.
    private mutating func book(_ market: String) -> Orderbook? {
        if let raw = rawBooks.removeValue(forKey: market) {
            let frame = raw.withUnsafeBytes { try? MarketFrameDecoder.decode($0, depth: .full) }
            if case .orderbook(let book) = frame { books[market] = book } else { books[market] = nil }
        }
        return books[market]
    }

    /// A public trade: resting limits its price reaches fill (at their own price).
    public mutating func receive(_ trade: Trade) -> [Event] {
        lastPrices[trade.market] = trade.price
        var events: [Event] = []
        var tradeVolume = trade.volume
        guard !restingLimits.isEmpty else { return [] }
        for identifier in restingLimits where tradeVolume.isPositive {
            guard let order = orders[identifier], order.request.market == trade.market,
                  case .limit(let side, let price, let volume) = order.shape else { continue }
            let reached = side == .buy ? trade.price <= price : trade.price >= price
            guard reached else { continue }
            let quantity = Fixed.min(volume - order.executedQuantity, tradeVolume)
            tradeVolume -= quantity
            fill(identifier, volume: quantity, price: price)
            if orders[identifier]!.executedQuantity == volume { close(identifier) }
            events.append(.orderUpdated(update(identifier, time: trade.time)))
        }
        return events
    }

    // MARK: - Commands

    /// The one entry point for the reducer's venue commands (paper mode, backtests and the
    /// simulator): the events the exchange answers with, at once. Nil for a command that is not
    /// the exchange's (subscriptions, candles, notifications, traces, ledger legs).
    public mutating func answer(_ command: Command, time: Milliseconds) -> [Event]? {
        switch command {
        case .placeOrder(let request): place(request, time: time)
        case .cancelOrder(let identifier, _, _): cancel(identifier, time: time)
        case .queryOrder(let identifier, _): [query(identifier, time: time)]
        case .fetchBalances(let requestId): [.balancesFetched(requestId: requestId, account: UpbitVenue.account(balances), time: time)]
        case .fetchOpenOrders(let requestId): [.openOrdersFetched(requestId: requestId, orders: openOrders(time: time), time: time)]
        case .subscribe, .fetchCandles, .notify, .trace, .bookLeg: nil
        }
    }

    /// Places an order: the answer (accepted or rejected) and any immediate fills, in order.
    public mutating func place(_ request: OrderRequest, time: Milliseconds) -> [Event] {
        let book = book(request.market)
        guard let shape = UpbitOrderShape(request) else {
            usedIdentifiers.insert(request.identifier)
            return [.orderRejected(identifier: request.identifier, error: "invalid_parameter", time: time)]
        }
        if let error = check(request, shape, book: book) {
            if error != "duplicated_identifier" { usedIdentifiers.insert(request.identifier) }
            return [.orderRejected(identifier: request.identifier, error: error, time: time)]
        }
        usedIdentifiers.insert(request.identifier)
        let uuid = "sim-\(nextUUID)"
        nextUUID += 1
        let lock: Fixed
        switch shape {
        case .marketBuy(let amount): lock = amount * (Fixed.one + feeRate)
        case .limit(.buy, let price, let volume): lock = price * volume * (Fixed.one + feeRate)
        case .marketSell(let volume), .limit(.sell, _, let volume): lock = volume
        }
        if request.side == .buy {
            krw -= lock
            lockedKRW += lock
        } else {
            coins[request.market, default: 0] -= lock
            lockedCoins[request.market, default: 0] += lock
        }
        orders[request.identifier] = Order(request: request, shape: shape, uuid: uuid, locked: lock)
        var events: [Event] = [.orderAccepted(identifier: request.identifier, uuid: uuid, time: time)]
        switch shape {
        case .marketBuy(let amount):
            walkAsks(request.identifier, amount: amount, book: book)
            close(request.identifier)
            events.append(.orderUpdated(update(request.identifier, time: time)))
        case .marketSell(let volume):
            walkBids(request.identifier, volume: volume, book: book)
            close(request.identifier)
            events.append(.orderUpdated(update(request.identifier, time: time)))
        case .limit:
            restingLimits.append(request.identifier)
        }
        return events
    }

    public mutating func cancel(_ identifier: String, time: Milliseconds) -> [Event] {
        guard let order = orders[identifier] else {
            return [.cancelRejected(identifier: identifier, error: "order_not_found", time: time)]
        }
        guard !order.state.isFinal else {
            return [.cancelRejected(identifier: identifier, error: "order_not_found", time: time)]
        }
        close(identifier)
        return [.cancelAccepted(identifier: identifier, time: time), .orderUpdated(update(identifier, time: time))]
    }

    public func query(_ identifier: String, time: Milliseconds) -> Event {
        orders[identifier] == nil
            ? .orderNotFound(identifier: identifier, time: time)
            : .orderUpdated(update(identifier, time: time))
    }

    /// The orders still working, as the exchange would list them.
    public func openOrders(time: Milliseconds) -> [OrderUpdate] {
        orders.values.filter { !$0.state.isFinal }.sorted { $0.uuid < $1.uuid }.map { update($0.request.identifier, time: time) }
    }

    /// KRW leaves the account (an operator's withdrawal), at most what is free.
    public mutating func withdraw(krw amount: Fixed) {
        krw -= Fixed.min(Fixed.max(amount, .zero), krw)
    }

    public var balances: [Balance] {
        var list = [Balance(currency: "KRW", balance: krw, locked: lockedKRW)]
        for market in Set(coins.keys).union(lockedCoins.keys).sorted() {
            list.append(Balance(currency: UpbitVenue.profile.baseAsset(of: market), balance: coins[market] ?? 0,
                                locked: lockedCoins[market] ?? 0))
        }
        return list
    }

    /// Upbit's checks, in its error names.
    private func check(_ request: OrderRequest, _ shape: UpbitOrderShape, book: Orderbook?) -> String? {
        if usedIdentifiers.contains(request.identifier) { return "duplicated_identifier" }
        let buy = request.side == .buy
        switch shape {
        case .marketBuy(let amount):
            if amount < SimulatedExchange.minimumTotalKRW { return "under_min_total_bid" }
            if amount * (Fixed.one + feeRate) > krw { return "insufficient_funds_bid" }
            if book?.asks.isEmpty ?? true { return "market_offline" }
        case .marketSell(let volume):
            guard let price = book?.bids.first?.price ?? lastPrices[request.market] else {
                return "market_offline"
            }
            if volume * price < SimulatedExchange.minimumTotalKRW { return "under_min_total_ask" }
            if volume > coins[request.market, default: 0] { return "insufficient_funds_ask" }
        case .limit(_, let price, let volume):
            if !price.isPositive || !volume.isPositive { return "invalid_parameter" }
            if !UpbitVenue.krwTicks.isOnGrid(price) { return buy ? "invalid_price_bid" : "invalid_price_ask" }
            if price * volume < SimulatedExchange.minimumTotalKRW { return buy ? "under_min_total_bid" : "under_min_total_ask" }
            if buy, price * volume * (Fixed.one + feeRate) > krw { return "insufficient_funds_bid" }
            if !buy, volume > coins[request.market, default: 0] { return "insufficient_funds_ask" }
        }
        return nil
    }

    private mutating func walkAsks(_ identifier: String, amount: Fixed, book: Orderbook?) {
        guard let book else { return }
        var left = amount
        for level in book.asks {
            let volume = Fixed.min(level.size, (left / level.price).floored(places: 8))
            guard volume.isPositive else { break }
            fill(identifier, volume: volume, price: level.price)
            left -= volume * level.price
        }
    }

    private mutating func walkBids(_ identifier: String, volume: Fixed, book: Orderbook?) {
        guard let book else { return }
        var left = volume
        for level in book.bids where left.isPositive {
            let quantity = Fixed.min(level.size, left)
            fill(identifier, volume: quantity, price: level.price)
            left -= quantity
        }
    }

    private mutating func fill(_ identifier: String, volume: Fixed, price: Fixed) {
        var order = orders[identifier]!
        let market = order.request.market
        let funds = volume * price
        let fee = funds * feeRate
        order.executedQuantity += volume
        order.fundsKRW += funds
        order.feeKRW += fee
        order.state = .trade
        if order.request.side == .buy {
            order.locked -= funds + fee
            lockedKRW -= funds + fee
            coins[market, default: 0] += volume
        } else {
            order.locked -= volume
            lockedCoins[market, default: 0] -= volume
            krw += funds - fee
        }
        orders[identifier] = order
    }

    /// Ends an order and releases what it still locks: `done` when it filled completely,
    /// otherwise `cancel`.
    private mutating func close(_ identifier: String) {
        var order = orders[identifier]!
        if order.request.side == .buy {
            krw += order.locked
            lockedKRW -= order.locked
        } else {
            coins[order.request.market, default: 0] += order.locked
            lockedCoins[order.request.market, default: 0] -= order.locked
        }
        let complete: Bool
        switch order.shape {
        case .marketBuy(let amount): complete = order.fundsKRW == amount
        case .marketSell(let volume), .limit(_, _, let volume): complete = order.executedQuantity == volume
        }
        order.locked = 0
        order.state = complete ? .done : .cancel
        orders[identifier] = order
        restingLimits.removeAll { $0 == identifier }
    }

    private func update(_ identifier: String, time: Milliseconds) -> OrderUpdate {
        let order = orders[identifier]!
        return OrderUpdate(identifier: identifier, uuid: order.uuid, market: order.request.market, state: order.state.status,
                           executedQuantity: order.executedQuantity, executedQuote: order.fundsKRW,
                           paidFee: order.feeKRW, time: time)
    }
}
