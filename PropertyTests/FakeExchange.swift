import Core

/// A small, truthful Upbit for property tests: it keeps KRW and coins, fills market orders at
/// the last trade price and limit orders when trades cross them, and answers every command. What
/// goes wrong on the way (delays, duplicates, lost answers) is the simulation's business; what the
/// reducer must never ask for (a reused identifier, an order below the minimum or off the grid,
/// more than it has) is recorded as a violation.
struct FakeExchange {
    struct Order {
        var request: OrderRequest
        var uuid: String
        var state: ExchangeOrderState = .wait
        var executedVolume: Fixed = 0
        var funds: Fixed = 0
        var fee: Fixed = 0
        /// KRW (buys) or coins (sells) still locked.
        var locked: Fixed
    }

    let feeRate: Fixed
    var krw: Fixed
    var lockedKRW: Fixed = 0
    /// Free coins by market code.
    var coins: [String: Fixed] = [:]
    var lockedCoins: [String: Fixed] = [:]
    var orders: [String: Order] = [:]
    var seenIdentifiers = Set<String>()
    var lastPrice: [String: Fixed] = [:]
    var violations: [String] = []
    private var nextUUID = 1

    init(krw: Fixed, feeRate: Fixed) {
        self.krw = krw
        self.feeRate = feeRate
    }

    static let minimumTotal: Fixed = 5_000

    /// Checks and books a new order. Returns the reason for a rejection, or nil when the order
    /// now exists (unfilled).
    mutating func place(_ request: OrderRequest) -> String? {
        guard seenIdentifiers.insert(request.identifier).inserted else {
            violations.append("identifier \(request.identifier) sent twice")
            return "duplicated_identifier"
        }
        let price = lastPrice[request.market] ?? 0
        let lock: Fixed
        switch request.kind {
        case .marketBuy(let amount):
            lock = amount * (Fixed.one + feeRate)
            if amount < FakeExchange.minimumTotal { return violation("under_min_total_bid", request) }
            if lock > krw { return violation("insufficient_funds_bid", request) }
            krw -= lock
            lockedKRW += lock
        case .marketSell(let volume):
            lock = volume
            if volume * price < FakeExchange.minimumTotal { return violation("under_min_total_ask", request) }
            if volume > coins[request.market, default: 0] { return violation("insufficient_funds_ask", request) }
            coins[request.market, default: 0] -= volume
            lockedCoins[request.market, default: 0] += volume
        case .limit(let side, let limitPrice, let volume):
            if !TickGrid.isOnGrid(limitPrice) { return violation("invalid_price", request) }
            if limitPrice * volume < FakeExchange.minimumTotal { return violation("under_min_total", request) }
            if side == .bid {
                lock = limitPrice * volume * (Fixed.one + feeRate)
                if lock > krw { return violation("insufficient_funds_bid", request) }
                krw -= lock
                lockedKRW += lock
            } else {
                lock = volume
                if volume > coins[request.market, default: 0] { return violation("insufficient_funds_ask", request) }
                coins[request.market, default: 0] -= volume
                lockedCoins[request.market, default: 0] += volume
            }
        }
        orders[request.identifier] = Order(request: request, uuid: "uuid-\(nextUUID)", locked: lock)
        nextUUID += 1
        return nil
    }

    private mutating func violation(_ error: String, _ request: OrderRequest) -> String {
        violations.append("\(error): \(request)")
        return error
    }

    /// Fills a new market order at once (all, or half when `partial`), then ends it. Returns the
    /// cumulative updates, oldest first.
    mutating func executeMarketOrder(_ identifier: String, partial: Bool, time: Milliseconds) -> [OrderUpdate] {
        guard let order = orders[identifier], let price = lastPrice[order.request.market] else { return [] }
        var updates: [OrderUpdate] = []
        switch order.request.kind {
        case .marketBuy(let amount):
            var volume = (amount / price).floored(places: 8)
            if partial { volume = (volume / 2).floored(places: 8) }
            if volume.isPositive { updates.append(fill(identifier, volume: volume, price: price, time: time)) }
        case .marketSell(let volume):
            let sold = partial ? (volume / 2).floored(places: 8) : volume
            if sold.isPositive { updates.append(fill(identifier, volume: sold, price: price, time: time)) }
        case .limit:
            return []
        }
        updates.append(end(identifier, time: time))
        return updates
    }

    /// Trades at `price` cross resting limit orders of `market`: each fills up to `volume`.
    mutating func cross(market: String, price: Fixed, volume: Fixed, time: Milliseconds) -> [OrderUpdate] {
        var updates: [OrderUpdate] = []
        for identifier in orders.keys.sorted() {
            guard let order = orders[identifier], !order.state.isFinal, order.request.market == market,
                  case .limit(let side, let limitPrice, let orderVolume) = order.request.kind else { continue }
            let crosses = side == .bid ? price <= limitPrice : price >= limitPrice
            guard crosses else { continue }
            let quantity = Fixed.min(orderVolume - order.executedVolume, volume)
            guard quantity.isPositive else { continue }
            updates.append(fill(identifier, volume: quantity, price: limitPrice, time: time))
            if orders[identifier]!.executedVolume == orderVolume { updates.append(end(identifier, time: time)) }
        }
        return updates
    }

    private mutating func fill(_ identifier: String, volume: Fixed, price: Fixed, time: Milliseconds) -> OrderUpdate {
        var order = orders[identifier]!
        let market = order.request.market
        let funds = volume * price
        let fee = funds * feeRate
        order.executedVolume += volume
        order.funds += funds
        order.fee += fee
        order.state = .trade
        if order.request.side == .bid {
            order.locked -= funds + fee
            lockedKRW -= funds + fee
            coins[market, default: 0] += volume
        } else {
            order.locked -= volume
            lockedCoins[market, default: 0] -= volume
            krw += funds - fee
        }
        orders[identifier] = order
        return snapshot(identifier, time: time)
    }

    /// Ends an order: done when filled, else cancel (Upbit's market buys end in cancel).
    mutating func end(_ identifier: String, time: Milliseconds) -> OrderUpdate {
        var order = orders[identifier]!
        if order.request.side == .bid {
            krw += order.locked
            lockedKRW -= order.locked
        } else {
            coins[order.request.market, default: 0] += order.locked
            lockedCoins[order.request.market, default: 0] -= order.locked
        }
        order.locked = 0
        let filled: Bool
        if case .marketBuy(let amount) = order.request.kind {
            filled = order.funds == amount  // any KRW left over is refunded: state cancel
        } else {
            filled = order.executedVolume == requestedVolume(order)
        }
        order.state = filled ? .done : .cancel
        orders[identifier] = order
        return snapshot(identifier, time: time)
    }

    private func requestedVolume(_ order: Order) -> Fixed? {
        switch order.request.kind {
        case .marketBuy: nil
        case .marketSell(let volume), .limit(_, _, let volume): volume
        }
    }

    func snapshot(_ identifier: String, time: Milliseconds) -> OrderUpdate {
        let order = orders[identifier]!
        return OrderUpdate(identifier: identifier, uuid: order.uuid, market: order.request.market, state: order.state,
                           executedVolume: order.executedVolume, executedFundsKRW: order.funds, paidFeeKRW: order.fee,
                           time: time)
    }

    var balances: [Balance] {
        var list = [Balance(currency: "KRW", balance: krw, locked: lockedKRW)]
        for market in coins.keys.sorted() {
            list.append(Balance(currency: MarketCode.baseCurrency(of: market), balance: coins[market] ?? 0,
                                locked: lockedCoins[market] ?? 0))
        }
        return list
    }
}
