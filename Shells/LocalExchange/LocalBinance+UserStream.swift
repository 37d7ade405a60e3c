import Core
import Shells

/// The exchange's events become Binance's records and user-data events (§7.6): ORDER_TRADE_UPDATE
/// and TRADE_LITE per fill, ACCOUNT_UPDATE (ORDER, FUNDING_FEE), the ALGO_UPDATE sequence of a
/// stop (NEW, TRIGGERING, TRIGGERED, child order, FINISHED; CANCELED, EXPIRED), MARGIN_CALL.
extension LocalBinance {
    /// `positionsBefore`: the positions before the exchange acted, to work out each fill's
    /// realized profit (`rp`). The frames of one call go out together at its end (reversed
    /// under the `reorderUserEvents` fault).
    func publish(_ events: [Event], positionsBefore: [String: FuturesExchange.Position], time: Milliseconds) {
        pendingUserFrames = []
        defer { flushUserFrames() }
        var running = positionsBefore
        for event in events {
            switch event {
            case .orderAccepted(let identifier, _, let eventTime):
                switch book.live[identifier] {
                case .order(let orderId)?:
                    sendUser(BinanceJSON.orderTradeUpdate(book.orders[orderId]!, execution: "NEW", fill: nil, time: eventTime),
                             type: "ORDER_TRADE_UPDATE")
                case .algo(let algoId)?:
                    sendUser(BinanceJSON.algoUpdate(book.algos[algoId]!, time: eventTime), type: "ALGO_UPDATE")
                case nil:
                    break
                }
            case .orderUpdated(let update):
                switch book.live[update.identifier] {
                case .order(let orderId)?: orderUpdated(orderId, update, &running)
                case .algo(let algoId)?: algoUpdated(algoId, update, &running)
                case nil: break
                }
            case .positionLiquidated(let market, let identifier, let quantity, let price, let fee, let eventTime):
                liquidated(market, identifier, quantity: quantity, price: price, fee: fee, time: eventTime, &running)
            case .fundingSettled(let market, let amount, _, let eventTime):
                ledger.addIncome(market, "FUNDING_FEE", amount, tradeId: nil, time: eventTime)
                sendUser(accountUpdate("FUNDING_FEE", market, change: amount, time: eventTime), type: "ACCOUNT_UPDATE")
            default:
                break
            }
        }
    }

    /// A regular order changed: a fill (TRADE) or its end (CANCELED, EXPIRED).
    private func orderUpdated(_ orderId: Int64, _ update: OrderUpdate, _ running: inout [String: FuturesExchange.Position]) {
        guard var order = book.orders[orderId] else { return }
        let quantity = update.executedQuantity - order.executedQuantity
        let quote = update.executedQuote - order.executedQuote
        let fee = update.paidFee - order.fee
        order.executedQuantity = update.executedQuantity
        order.executedQuote = update.executedQuote
        order.fee = update.paidFee
        order.status = LocalBinance.status(update.state)
        order.updateTime = update.time
        book.orders[orderId] = order
        if quantity.isPositive {
            let price = quote / quantity
            let fill = BinanceJSON.Fill(quantity: quantity, price: price, fee: fee, tradeId: book.takeTradeId(),
                                        realizedProfit: LocalBinance.realize(&running, order.symbol, order.side, quantity, price),
                                        isMaker: order.type == "LIMIT")
            sendFill(order, fill, time: update.time)
        } else if order.status != .new {
            sendUser(BinanceJSON.orderTradeUpdate(order, execution: order.status == .canceled ? "CANCELED" : "EXPIRED",
                                                  fill: nil, time: update.time), type: "ORDER_TRADE_UPDATE")
        }
    }

    /// A fill of a regular order (a stop's child included): recorded, then told.
    private func sendFill(_ order: BinanceOrderRecord, _ fill: BinanceJSON.Fill, time: Milliseconds) {
        ledger.record(order, fill, time: time)
        sendUser(BinanceJSON.tradeLite(order, fill: fill, time: time), type: "TRADE_LITE")
        sendUser(BinanceJSON.orderTradeUpdate(order, execution: "TRADE", fill: fill, time: time), type: "ORDER_TRADE_UPDATE")
        sendUser(accountUpdate("ORDER", order.symbol, change: 0, time: time), type: "ACCOUNT_UPDATE")
    }

    /// A stop's order in the exchange ended: filled means it triggered and its child filled.
    private func algoUpdated(_ algoId: Int64, _ update: OrderUpdate, _ running: inout [String: FuturesExchange.Position]) {
        guard var algo = book.algos[algoId], algo.status == .new else { return }
        algo.updateTime = update.time
        switch update.state {
        case .filled:
            algo.triggerTime = update.time
            algo.status = .triggering
            sendUser(BinanceJSON.algoUpdate(algo, time: update.time), type: "ALGO_UPDATE")
            let childId = book.takeOrderId()
            algo.actualOrderId = childId
            algo.status = .triggered
            book.algos[algoId] = algo
            sendUser(BinanceJSON.algoUpdate(algo, time: update.time), type: "ALGO_UPDATE")
            var child = BinanceOrderRecord(
                orderId: childId, clientOrderId: algo.clientAlgoId, symbol: algo.symbol, side: algo.side, type: "MARKET",
                originalType: "STOP_MARKET", price: 0, quantity: update.executedQuantity, reduceOnly: true, closePosition: true,
                createTime: update.time, updateTime: update.time)
            sendUser(BinanceJSON.orderTradeUpdate(child, execution: "NEW", fill: nil, time: update.time), type: "ORDER_TRADE_UPDATE")
            child.executedQuantity = update.executedQuantity
            child.executedQuote = update.executedQuote
            child.fee = update.paidFee
            child.status = .filled
            book.orders[childId] = child
            let price = update.executedQuantity.isPositive ? update.executedQuote / update.executedQuantity : 0
            let fill = BinanceJSON.Fill(quantity: update.executedQuantity, price: price, fee: update.paidFee,
                                        tradeId: book.takeTradeId(),
                                        realizedProfit: LocalBinance.realize(&running, algo.symbol, algo.side, update.executedQuantity, price),
                                        isMaker: false)
            sendFill(child, fill, time: update.time)
            algo.status = .finished
            algo.actualPrice = price
            algo.actualQuantity = update.executedQuantity
        case .cancelled:
            algo.status = .canceled
        case .expired, .rejected:
            algo.status = .expired
        case .open, .partiallyFilled:
            return
        }
        book.algos[algoId] = algo
        sendUser(BinanceJSON.algoUpdate(algo, time: update.time), type: "ALGO_UPDATE")
    }

    /// A liquidation: ORDER_TRADE_UPDATE with `x=CALCULATED`, `o=LIQUIDATION`, `c=autoclose-…`.
    private func liquidated(_ market: String, _ identifier: String, quantity: Fixed, price: Fixed, fee: Fixed,
                            time: Milliseconds, _ running: inout [String: FuturesExchange.Position]) {
        let side: Side = (running[market]?.quantity.isPositive ?? true) ? .sell : .buy
        let orderId = book.takeOrderId()
        let order = BinanceOrderRecord(
            orderId: orderId, clientOrderId: identifier, symbol: market, side: side, type: "LIQUIDATION", originalType: "LIQUIDATION",
            price: price, quantity: quantity, reduceOnly: true, status: .filled, executedQuantity: quantity,
            executedQuote: quantity * price, fee: fee, createTime: time, updateTime: time)
        book.orders[orderId] = order
        let fill = BinanceJSON.Fill(quantity: quantity, price: price, fee: fee, tradeId: book.takeTradeId(),
                                    realizedProfit: LocalBinance.realize(&running, market, side, quantity, price), isMaker: false)
        ledger.record(order, fill, time: time)
        sendUser(BinanceJSON.orderTradeUpdate(order, execution: "CALCULATED", fill: fill, time: time), type: "ORDER_TRADE_UPDATE")
        sendUser(accountUpdate("ORDER", market, change: 0, time: time), type: "ACCOUNT_UPDATE")
    }

    /// The USDT wallet (free, locked, and every isolated wallet) and the symbol's position.
    func accountUpdate(_ reason: String, _ symbol: String, change: Fixed, time: Milliseconds) -> String {
        let position = exchange.positions[symbol] ?? FuturesExchange.Position()
        return BinanceJSON.accountUpdate(reason: reason, symbol: reason == "FUNDING_FEE" ? symbol : nil, wallet: walletBalance,
                                         change: change, position: (symbol, position, unrealized(symbol, position)), time: time)
    }

    var walletBalance: Fixed { exchange.available + exchange.locked + exchange.positions.values.reduce(Fixed.zero) { $0 + $1.margin } }

    func unrealized(_ symbol: String, _ position: FuturesExchange.Position) -> Fixed {
        guard let mark = exchange.markPrices[symbol], !position.quantity.isZero else { return 0 }
        return position.quantity * (mark - position.entryPrice)
    }

    /// MARGIN_CALL once a position's maintenance margin reaches 80 % of its margin balance (told
    /// again only after it fell below 50 % or the position closed).
    func checkMarginCalls(time: Milliseconds) {
        for (symbol, position) in exchange.positions {
            guard !position.quantity.isZero, let mark = exchange.markPrices[symbol] else {
                settings.marginCalled.remove(symbol)
                continue
            }
            let unrealized = unrealized(symbol, position)
            let balance = position.margin + unrealized
            let maintenance = position.quantity.magnitude * mark * exchange.maintenanceMarginRate
            let ratio = balance.isPositive ? maintenance / balance : 1
            if ratio >= Fixed("0.8")!, !settings.marginCalled.contains(symbol) {
                settings.marginCalled.insert(symbol)
                sendUser(BinanceJSON.marginCall(symbol: symbol, position: position, mark: mark, unrealized: unrealized,
                                                maintenance: maintenance, time: time), type: "MARGIN_CALL")
            } else if ratio < Fixed("0.5")! {
                settings.marginCalled.remove(symbol)
            }
        }
    }

    static func status(_ state: OrderStatus) -> BinanceOrderStatus {
        switch state {
        case .open: .new
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .cancelled: .canceled
        case .expired: .expired
        case .rejected: .rejected
        }
    }

    /// Moves a copy of the position by a fill and returns the profit it realized.
    static func realize(_ positions: inout [String: FuturesExchange.Position], _ symbol: String, _ side: Side,
                        _ quantity: Fixed, _ price: Fixed) -> Fixed {
        var position = positions[symbol] ?? FuturesExchange.Position()
        let signed = side == .buy ? quantity : -quantity
        var profit: Fixed = 0
        if position.quantity.isZero || position.quantity.isPositive == signed.isPositive {
            position.enteredQuote += quantity * price
            position.enteredQuantity += quantity
            position.quantity += signed
        } else {
            let closed = Fixed.min(quantity, position.quantity.magnitude)
            profit = (position.quantity.isPositive ? Fixed.one : -Fixed.one) * (closed * price - position.entryPrice * closed)
            position.quantity += signed.isPositive ? closed : -closed
            if position.quantity.isZero { position = FuturesExchange.Position() }
        }
        positions[symbol] = position
        return profit
    }
}
