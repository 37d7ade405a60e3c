import Core

/// A pure, in-process USDⓈ-M perpetual futures venue for paper mode, backtests and the simulator
/// (binance-futures.md §8): one-way positions with isolated margin, linear P&L in USDT, maker and
/// taker fees, funding every 8 hours on the mark price, liquidation at the isolated formula, and
/// exchange-side stops (`closePosition`) that trigger on the mark price. It answers the reducer's
/// commands with the events the venue would produce, through one entry point, `answer`.
///
/// Simplifications, said once: market orders fill at the best price of the newest book (its depth
/// is not walked); maintenance margin is one rate for every notional (no brackets, `cum` = 0);
/// a liquidation fills at the mark price with the taker fee; funding is settled when the first
/// mark price at or after a funding time arrives.
public struct FuturesExchange: Sendable {
    public struct Order: Sendable {
        public var request: OrderRequest
        public var uuid: String
        public var status: OrderStatus = .open
        public var executedQuantity: Fixed = 0
        public var executedQuote: Fixed = 0
        public var paidFee: Fixed = 0
        /// Margin (and fee) set aside for an opening limit order.
        public var locked: Fixed = 0
    }

    public struct Position: Equatable, Sendable {
        /// Signed: negative for a short.
        public var quantity: Fixed = 0
        /// What the entries cost and how much they bought, since the position was last flat:
        /// the entry price is their ratio (the venue's average, as the bot computes it).
        public var enteredQuote: Fixed = 0
        public var enteredQuantity: Fixed = 0
        /// The isolated wallet of the position.
        public var margin: Fixed = 0

        public init(quantity: Fixed = 0, enteredQuote: Fixed = 0, enteredQuantity: Fixed = 0, margin: Fixed = 0) {
            self.quantity = quantity
            self.enteredQuote = enteredQuote
            self.enteredQuantity = enteredQuantity
            self.margin = margin
        }

        public var entryPrice: Fixed { enteredQuantity.isPositive ? enteredQuote / enteredQuantity : 0 }
    }

    public let leverage: Int
    public let makerFee: Fixed
    public let takerFee: Fixed
    /// Maintenance margin rate (one bracket).
    public let maintenanceMarginRate: Fixed
    /// Free USDT (wallet minus isolated margins minus what open orders lock).
    public private(set) var available: Fixed
    public private(set) var locked: Fixed = 0
    public private(set) var positions: [String: Position] = [:]
    public private(set) var orders: [String: Order] = [:]
    private var books: [String: BookTop] = [:]
    private var lastPrices: [String: Fixed] = [:]
    public private(set) var markPrices: [String: Fixed] = [:]
    /// Funding rate per symbol (default 0.01 % per 8 h) and the next settlement.
    public var fundingRates: [String: Fixed] = [:]
    private var nextFunding: [String: Milliseconds] = [:]
    private var resting: [String] = []
    private var nextUUID = 1
    private var nextLiquidation = 1

    public static let fundingInterval: Milliseconds = 8 * 3_600_000
    public static let defaultFundingRate: Fixed = Fixed("0.0001")!
    public static let minimumNotional: Fixed = 5

    public init(cash: Fixed, leverage: Int, makerFee: Fixed = Fixed("0.0002")!, takerFee: Fixed = Fixed("0.0005")!,
                maintenanceMarginRate: Fixed = Fixed("0.004")!) {
        available = cash
        self.leverage = max(1, leverage)
        self.makerFee = makerFee
        self.takerFee = takerFee
        self.maintenanceMarginRate = maintenanceMarginRate
    }

    // MARK: - Commands

    /// The events answering a venue command, at once; nil for a command that is not the venue's.
    public mutating func answer(_ command: Command, time: Milliseconds) -> [Event]? {
        switch command {
        case .placeOrder(let request): place(request, time: time)
        case .cancelOrder(let identifier, _, _): cancel(identifier, time: time)
        case .queryOrder(let identifier, _):
            [orders[identifier].map { .orderUpdated(update($0, time: time)) } ?? .orderNotFound(identifier: identifier, time: time)]
        case .fetchBalances(let requestId): [.balancesFetched(requestId: requestId, account: account, time: time)]
        case .fetchOpenOrders(let requestId):
            [.openOrdersFetched(requestId: requestId, orders: openOrders(time: time), time: time)]
        case .subscribe, .fetchCandles, .notify, .trace, .bookLeg: nil
        }
    }

    /// What `fetchBalances` answers: free and locked USDT, and each position's size.
    public var account: AccountSnapshot {
        var holdings: [String: Fixed] = [:]
        for (symbol, position) in positions where !position.quantity.isZero { holdings[symbol] = position.quantity }  // signed
        return AccountSnapshot(cash: available, lockedCash: locked, holdings: holdings)
    }

    public func openOrders(time: Milliseconds) -> [OrderUpdate] {
        orders.values.filter { !$0.status.isFinal }.sorted { $0.uuid < $1.uuid }.map { update($0, time: time) }
    }

    mutating func place(_ request: OrderRequest, time: Milliseconds) -> [Event] {
        if let error = refusal(request) {
            return [.orderRejected(identifier: request.identifier, error: error, time: time)]
        }
        let uuid = "fut-\(nextUUID)"
        nextUUID += 1
        var order = Order(request: request, uuid: uuid)
        if case .limit(let price) = request.kind, !reduces(request) {
            order.locked = openingCost(price * (request.requestedQuantity ?? 0), fee: makerFee)
            available -= order.locked
            locked += order.locked
        }
        orders[request.identifier] = order
        var events: [Event] = [.orderAccepted(identifier: request.identifier, uuid: uuid, time: time)]
        switch request.kind {
        case .market:
            events += fillAtMarket(request.identifier, time: time)
        case .limit:
            resting.append(request.identifier)
        case .protectiveStop:
            break  // waits for the mark price
        }
        return events
    }

    /// The venue's checks, in Binance's words (§5).
    func refusal(_ request: OrderRequest) -> String? {
        if let open = orders[request.identifier], !open.status.isFinal { return "duplicated_client_order_id" }  // -4116
        guard let quantity = request.requestedQuantity, quantity.isPositive else { return "invalid_quantity" }  // -4003
        let position = positions[request.market]?.quantity ?? 0
        if case .protectiveStop = request.kind { return nil }  // closePosition: no margin check until it triggers
        if request.reduceOnly {
            let reducing = request.side == .buy ? position.isNegative : position.isPositive
            if !reducing { return "reduce_only_rejected" }  // -2022
            return nil
        }
        guard let price = referencePrice(request) else { return "market_offline" }
        if price * quantity < FuturesExchange.minimumNotional { return "min_notional" }  // -4164
        if openingCost(price * quantity, fee: takerFee) > available { return "insufficient_funds_margin" }  // -2019
        return nil
    }

    /// Margin of a notional plus its fee.
    func openingCost(_ notional: Fixed, fee: Fixed) -> Fixed { notional / Fixed(leverage) + notional * fee }

    func referencePrice(_ request: OrderRequest) -> Fixed? {
        switch request.kind {
        case .limit(let price): price
        case .protectiveStop(let trigger): trigger
        case .market:
            (request.side == .buy ? books[request.market]?.bestAskPrice : books[request.market]?.bestBidPrice)
                ?? lastPrices[request.market]
        }
    }

    func reduces(_ request: OrderRequest) -> Bool {
        let position = positions[request.market]?.quantity ?? 0
        return request.reduceOnly || (request.side == .buy ? position.isNegative : position.isPositive)
    }

    mutating func cancel(_ identifier: String, time: Milliseconds) -> [Event] {
        guard var order = orders[identifier], !order.status.isFinal else {
            return [.cancelRejected(identifier: identifier, error: "unknown_order", time: time)]  // -2011
        }
        release(&order)
        order.status = .cancelled
        orders[identifier] = order
        resting.removeAll { $0 == identifier }
        return [.cancelAccepted(identifier: identifier, time: time), .orderUpdated(update(order, time: time))]
    }

    // MARK: - Market data

    public mutating func receive(_ book: BookTop) { books[book.market] = book }

    /// A public trade: resting limits it reaches fill at their own price (maker).
    public mutating func receive(_ trade: Trade) -> [Event] {
        lastPrices[trade.market] = trade.price
        var events: [Event] = []
        var left = trade.volume
        for identifier in resting where left.isPositive {
            guard let order = orders[identifier], order.request.market == trade.market,
                  case .limit(let price) = order.request.kind, let asked = order.request.requestedQuantity else { continue }
            guard order.request.side == .buy ? trade.price <= price : trade.price >= price else { continue }
            let quantity = Fixed.min(asked - order.executedQuantity, left)
            left -= quantity
            events += fill(identifier, quantity: quantity, price: price, fee: makerFee, time: trade.time)
        }
        return events
    }

    /// A mark price: stops it crosses trigger, a position past its liquidation price is
    /// liquidated, and funding due is settled.
    public mutating func receive(markPrice price: Fixed, market: String, time: Milliseconds) -> [Event] {
        markPrices[market] = price
        var events: [Event] = []
        for identifier in orders.keys.sorted() {
            guard let order = orders[identifier], order.request.market == market, !order.status.isFinal,
                  case .protectiveStop(let trigger) = order.request.kind else { continue }
            let fires = order.request.side == .buy ? price >= trigger : price <= trigger
            if fires { events += triggerStop(identifier, time: time) }
        }
        events += liquidateIfDue(market, mark: price, time: time)
        events += settleFunding(market, mark: price, time: time)
        return events
    }

    // MARK: - Fills and positions

    mutating func fillAtMarket(_ identifier: String, time: Milliseconds) -> [Event] {
        guard let order = orders[identifier], let price = referencePrice(order.request),
              var quantity = order.request.requestedQuantity else { return expire(identifier, time: time) }
        if order.request.reduceOnly { quantity = Fixed.min(quantity, positions[order.request.market]?.quantity.magnitude ?? 0) }
        guard quantity.isPositive else { return expire(identifier, time: time) }
        return fill(identifier, quantity: quantity, price: price, fee: takerFee, time: time)
    }

    /// A stop that fired closes the whole position at market (or expires when there is none).
    mutating func triggerStop(_ identifier: String, time: Milliseconds) -> [Event] {
        guard let order = orders[identifier] else { return [] }
        let held = positions[order.request.market]?.quantity ?? 0
        let closes = order.request.side == .buy ? held.isNegative : held.isPositive
        guard closes, let price = (order.request.side == .buy ? books[order.request.market]?.bestAskPrice
                                   : books[order.request.market]?.bestBidPrice) ?? markPrices[order.request.market] else {
            return expire(identifier, time: time)
        }
        return fill(identifier, quantity: held.magnitude, price: price, fee: takerFee, time: time)
    }

    mutating func expire(_ identifier: String, time: Milliseconds) -> [Event] {
        guard var order = orders[identifier] else { return [] }
        release(&order)
        order.status = order.executedQuantity.isPositive ? .filled : .expired
        orders[identifier] = order
        resting.removeAll { $0 == identifier }
        return [.orderUpdated(update(order, time: time))]
    }

    /// Books a fill on the order and the position; the order ends when complete (a market order
    /// always), and stops of a position that went flat are cancelled.
    mutating func fill(_ identifier: String, quantity: Fixed, price: Fixed, fee feeRate: Fixed, time: Milliseconds) -> [Event] {
        guard var order = orders[identifier] else { return [] }
        let market = order.request.market
        let notional = quantity * price
        let fee = notional * feeRate
        order.executedQuantity += quantity
        order.executedQuote += notional
        order.paidFee += fee
        let signed = order.request.side == .buy ? quantity : -quantity
        apply(signed, price: price, fee: fee, market: market, lockedFor: &order)
        let asked = order.request.requestedQuantity ?? order.executedQuantity
        if order.request.limitPrice == nil || order.executedQuantity >= asked {  // market and stop orders end at once
            release(&order)
            order.status = .filled
            resting.removeAll { $0 == identifier }
        } else {
            order.status = .partiallyFilled
        }
        orders[identifier] = order
        var events: [Event] = [.orderUpdated(update(order, time: time))]
        if positions[market]?.quantity.isZero ?? true { events += expireReducingOrders(market, time: time) }
        return events
    }

    /// Moves the position by `signed` at `price`: opening adds margin from the available cash,
    /// closing realises P&L and returns margin pro rata.
    mutating func apply(_ signed: Fixed, price: Fixed, fee: Fixed, market: String, lockedFor order: inout Order) {
        var position = positions[market] ?? Position()
        let opening = position.quantity.isZero || (position.quantity.isPositive == signed.isPositive)
        if opening {
            let notional = signed.magnitude * price
            let margin = notional / Fixed(leverage)
            position.enteredQuote += notional
            position.enteredQuantity += signed.magnitude
            position.quantity += signed
            position.margin += margin
            let fromLock = Fixed.min(order.locked, margin + fee)
            order.locked -= fromLock
            locked -= fromLock
            available -= margin + fee - fromLock
        } else {
            let closed = Fixed.min(signed.magnitude, position.quantity.magnitude)
            let side: Fixed = position.quantity.isPositive ? .one : -.one
            let pnl = side * (closed * price - position.entryPrice * closed)
            let released = closed >= position.quantity.magnitude
                ? position.margin : position.margin * closed / position.quantity.magnitude
            position.margin -= released
            position.quantity += signed.isPositive ? closed : -closed
            available += Fixed.max(released + pnl, .zero) - fee
            if position.quantity.isZero { position = Position() }
        }
        positions[market] = position
    }

    /// What an order still locks goes back to the available cash.
    mutating func release(_ order: inout Order) {
        available += order.locked
        locked -= order.locked
        order.locked = 0
    }

    /// A flat position's reduce-only orders expire and its stops are cancelled (§8).
    mutating func expireReducingOrders(_ market: String, time: Milliseconds) -> [Event] {
        var events: [Event] = []
        for identifier in orders.keys.sorted() {
            guard let order = orders[identifier], order.request.market == market, !order.status.isFinal else { continue }
            if case .protectiveStop = order.request.kind {
                events += cancel(identifier, time: time).filter { if case .orderUpdated = $0 { true } else { false } }
            } else if order.request.reduceOnly {
                events += expire(identifier, time: time)
            }
        }
        return events
    }

    /// The isolated liquidation price of a position (§8, `cum` = 0), nil when flat.
    public func liquidationPrice(_ market: String) -> Fixed? {
        guard let position = positions[market], !position.quantity.isZero else { return nil }
        let quantity = position.quantity.magnitude
        let rate = maintenanceMarginRate
        return position.quantity.isPositive
            ? (quantity * position.entryPrice - position.margin) / (quantity * (Fixed.one - rate))
            : (quantity * position.entryPrice + position.margin) / (quantity * (Fixed.one + rate))
    }

    mutating func liquidateIfDue(_ market: String, mark: Fixed, time: Milliseconds) -> [Event] {
        guard let position = positions[market], let price = liquidationPrice(market),
              position.quantity.isPositive ? mark <= price : mark >= price else { return [] }
        let quantity = position.quantity.magnitude
        let fee = quantity * mark * takerFee
        var none = Order(request: OrderRequest(identifier: "", market: market, side: .buy, kind: .market,
                                               size: .quantity(0)), uuid: "")
        apply(position.quantity.isPositive ? -quantity : quantity, price: mark, fee: .zero, market: market, lockedFor: &none)
        available -= Fixed.min(fee, available)
        let identifier = "autoclose-\(nextLiquidation)"
        nextLiquidation += 1
        return [.positionLiquidated(market: market, identifier: identifier, quantity: quantity, price: mark, fee: fee, time: time)]
            + expireReducingOrders(market, time: time)
    }

    /// Funding at 00:00, 08:00 and 16:00 UTC: the position's notional at mark × the rate, paid by
    /// longs to shorts when the rate is positive.
    mutating func settleFunding(_ market: String, mark: Fixed, time: Milliseconds) -> [Event] {
        let due = nextFunding[market] ?? (Time.floorDivide(time, FuturesExchange.fundingInterval) + 1) * FuturesExchange.fundingInterval
        guard time >= due else {
            nextFunding[market] = due
            return []
        }
        nextFunding[market] = (Time.floorDivide(time, FuturesExchange.fundingInterval) + 1) * FuturesExchange.fundingInterval
        guard let position = positions[market], !position.quantity.isZero else { return [] }
        let rate = fundingRates[market] ?? FuturesExchange.defaultFundingRate
        let amount = -(position.quantity * mark * rate)  // a long pays a positive rate
        available += amount
        if available.isNegative {  // taken from the isolated wallet
            positions[market]?.margin += available
            available = 0
        }
        return [.fundingSettled(market: market, amount: amount, settledAt: due, time: time)]
    }

    func update(_ order: Order, time: Milliseconds) -> OrderUpdate {
        OrderUpdate(identifier: order.request.identifier, uuid: order.uuid, market: order.request.market, state: order.status,
                    executedQuantity: order.executedQuantity, executedQuote: order.executedQuote, paidFee: order.paidFee,
                    time: time, side: order.request.side)
    }
}
