extension State {
    /// Ask again this long after an unanswered query, an unknown outcome or a slow cancel.
    static let queryRetryMilliseconds: Milliseconds = 5_000
    /// An order the exchange does not know this long after it was sent never reached it.
    static let notFoundGraceMilliseconds: Milliseconds = 30_000
    /// Live orders at most: each position has at most an entry, two exits and the safety stop
    /// working.
    static var maximumOrdersPerPosition: Int { 4 }

    /// Creates an order with a fresh identifier (prefix-position-leg+attempt) and sends it.
    mutating func send(_ kind: OrderRequest.Kind, _ size: OrderRequest.Size, for position: inout Position,
                       purpose: Order.Purpose, exitReason: ExitReason? = nil, reserve: Fixed = 0,
                       cancelAt: Milliseconds? = nil, into commands: inout [Command]) {
        let leg: String
        switch purpose {
        case .entry: leg = "b"
        case .entryFallback: leg = "f"
        case .restingTakeProfit: leg = "t"
        case .exit: leg = "s"
        case .safetyStop: leg = "x"
        }
        let identifier = "\(options.identifierPrefix)-\(position.id)-\(leg)\(position.nextAttempt)"
        position.nextAttempt += 1
        let entering = purpose == .entry || purpose == .entryFallback
        let side = entering ? position.direction.entrySide : position.direction.exitSide
        let request = OrderRequest(identifier: identifier, market: position.market, side: side, kind: kind, size: size,
                                   reduceOnly: !entering && venue.isMargin && purpose != .safetyStop)
        let held = !probes.isEmpty
        orders[identifier] = Order(request: request, positionId: position.id, purpose: purpose, exitReason: exitReason,
                                   phase: held ? .held : .sent, reserved: reserve, sentAt: now, cancelAt: cancelAt)
        cash -= reserve
        counters.orderActivity += 1
        position.orderIdentifiers.append(identifier)
        if !held { commands.append(.placeOrder(request)) }
    }

    mutating func orderAccepted(_ identifier: String, uuid: String, into commands: inout [Command]) {
        guard var order = orders[identifier] else { return ignoredOrderEvent() }
        order.uuid = uuid
        if order.purpose == .entry { risk.entryBackoffMilliseconds = nil }  // the exchange takes entries again
        if order.phase == .sent || order.phase == .unknown {
            order.phase = .open
            if order.distrustedUpdates == 0 { order.nextQueryAt = nil }  // a settling query stays due
        }
        orders[identifier] = order
        // A safety stop that arrives after its position went flat is cancelled at once (its cancel
        // could not be sent while it was on its way).
        if order.purpose == .safetyStop, order.phase == .open, let index = positionIndex(id: order.positionId),
           positions[index].phase != .opening, positions[index].quantity.isZero {
            afterSell(index, endedExit: nil, into: &commands)
        }
    }

    mutating func orderOutcomeUnknown(_ identifier: String, into commands: inout [Command]) {
        guard var order = orders[identifier], order.phase == .sent else { return ignoredOrderEvent() }
        order.phase = .unknown
        orders[identifier] = order
        query(identifier, into: &commands)
    }

    mutating func query(_ identifier: String, into commands: inout [Command]) {
        guard var order = orders[identifier] else { return }
        order.queryAskedAt = now
        order.nextQueryAt = nil
        orders[identifier] = order
        commands.append(.queryOrder(identifier: identifier, market: order.market))
    }

    mutating func orderNotFound(_ identifier: String, into commands: inout [Command]) {
        if probes[identifier] != nil { return probeNotFound(identifier, into: &commands) }
        guard var order = orders[identifier], order.phase == .sent || order.phase == .unknown else {
            return ignoredOrderEvent()
        }
        if Time.elapsed(from: order.sentAt, to: now) < State.notFoundGraceMilliseconds {
            order.queryAskedAt = nil
            order.nextQueryAt = Time.adding(now, State.queryRetryMilliseconds)
            orders[identifier] = order
            return notFoundBeforeGrace(identifier, into: &commands)
        }
        commands.append(notification(.warning, order.market, "order \(identifier) never reached the exchange"))
        orderNeverArrived(order, into: &commands)
    }

    mutating func orderQueryFailed(_ identifier: String) {
        if probes[identifier] != nil { return probeAskAgain(identifier) }
        guard var order = orders[identifier] else { return ignoredOrderEvent() }
        order.queryAskedAt = nil
        order.nextQueryAt = Time.adding(now, State.queryRetryMilliseconds)
        orders[identifier] = order
    }

    mutating func cancelAccepted(_ identifier: String) {
        if probes[identifier] != nil { return probeAskAgain(identifier) }
        guard var order = orders[identifier], order.phase == .cancelling else { return ignoredOrderEvent() }
        order.nextQueryAt = Time.adding(now, State.queryRetryMilliseconds)
        orders[identifier] = order
    }

    /// A refused or unknown cancel: the order probably ended already; ask for its final state.
    mutating func cancelNotConfirmed(_ identifier: String, into commands: inout [Command]) {
        if probes[identifier] != nil { return probeAskAgain(identifier) }
        guard let order = orders[identifier], order.phase == .cancelling else { return ignoredOrderEvent() }
        query(identifier, into: &commands)
    }

    mutating func cancel(_ identifier: String, into commands: inout [Command]) {
        if var order = orders[identifier], order.phase == .held {
            order.phase = .withdrawn
            orders[identifier] = order
            return
        }
        guard var order = orders[identifier], order.phase == .open else { return }
        order.phase = .cancelling
        order.cancelAt = nil
        order.nextQueryAt = Time.adding(now, State.queryRetryMilliseconds)
        orders[identifier] = order
        commands.append(.cancelOrder(identifier: identifier, uuid: order.uuid, market: order.market))
    }

    mutating func ignoredOrderEvent() { statistics.ignoredOrderEvents += 1 }

    /// The private stream is back: what it pushed while down is lost. Every order at the
    /// exchange not already being asked about is asked about now, and the balances are re-read
    /// (after a reconciliation's search they would be asked for anyway).
    mutating func userStreamRestored(into commands: inout [Command]) {
        for identifier in orders.keys.sorted() {
            guard let order = orders[identifier], order.queryAskedAt == nil,
                  order.phase == .open || order.phase == .cancelling || order.phase == .unknown else { continue }
            query(identifier, into: &commands)
        }
        refetchBalances(into: &commands)
    }

    /// Applies a pushed update or a query's answer. Amounts are cumulative: only an increase of the
    /// executed volume is a new fill, so duplicates and stale frames change nothing.
    mutating func orderUpdated(_ update: OrderUpdate, into commands: inout [Command]) {
        if probes[update.identifier] != nil { return probeAnswered(update, into: &commands) }
        guard var order = orders[update.identifier], update.market == order.market else { return ignoredOrderEvent() }
        if update.executedQuantity > order.executedQuantity {
            guard let fill = checkedFill(&order, update) else { return distrust(update, into: &commands) }
            applyFill(fill, to: &order)
        } else if update.executedQuantity < order.executedQuantity {
            // less than already booked (a stale frame) carries nothing new; a final state with it
            // would end the order on old numbers: the exchange is asked instead
            if update.state.isFinal { return distrust(update, into: &commands) }
        }
        if let uuid = update.uuid { order.uuid = uuid }
        let answeredQuery = order.queryAskedAt != nil
        order.queryAskedAt = nil
        if order.phase == .cancelling, answeredQuery, !update.state.isFinal {
            // The exchange still has it open: the cancel was lost. Ask again (a repeated cancel
            // of an ended order is refused, then settled by a query).
            order.nextQueryAt = Time.adding(now, State.queryRetryMilliseconds)
            commands.append(.cancelOrder(identifier: order.identifier, uuid: order.uuid, market: order.market))
        }
        if order.phase == .sent || order.phase == .unknown {
            order.phase = .open
            if order.distrustedUpdates == 0 { order.nextQueryAt = nil }  // a settling query stays due
        }
        orders[update.identifier] = order
        if update.state.isFinal { orderEnded(order, into: &commands) }
    }

    struct Fill {
        var quantity: Fixed
        var quote: Fixed
        var fee: Fixed
    }

    /// Books a fill on the order and its position: an entry adds quantity (and pays the cost or
    /// sets the margin aside out of its reserve), an exit reduces it (and pays back the
    /// proceeds, or the margin plus the P&L).
    mutating func applyFill(_ fill: Fill, to order: inout Order) {
        counters.orderActivity += 1
        order.executedQuantity += fill.quantity
        order.executedQuote += fill.quote
        order.paidFee += fill.fee
        guard let index = positionIndex(id: order.positionId) else { return }
        if order.isEntry {
            positions[index].enteredQuantity += fill.quantity
            positions[index].enteredQuote += fill.quote
            positions[index].entryFee += fill.fee
            positions[index].quantity += fill.quantity
            if positions[index].openedAt == nil { positions[index].openedAt = now }
            let margin = venue.isMargin ? fill.quote / Fixed(venue.leverage) : .zero
            positions[index].margin += margin
            order.reserved -= (venue.isMargin ? margin : fill.quote) + fill.fee
            if order.reserved.isNegative {
                cash += order.reserved  // the exchange charged more than was set aside
                order.reserved = 0
            }
        } else if venue.isMargin {
            let position = positions[index]
            let released = fill.quantity >= position.quantity ? position.margin : position.margin * fill.quantity / position.quantity
            let entry = position.entryPrice ?? .zero
            let pnl = position.direction.sign * (fill.quote - entry * fill.quantity)
            positions[index].margin -= released
            positions[index].exitedQuantity += fill.quantity
            positions[index].quantity -= fill.quantity
            cash += released + pnl - fill.fee
        } else {
            positions[index].exitedQuantity += fill.quantity
            positions[index].quantity -= fill.quantity
            cash += fill.quote - fill.fee
        }
    }

    /// Orders whose clock ran out: limit entries to cancel, unknown outcomes and slow cancels to
    /// ask about again.
    mutating func checkOrderTimers(into commands: inout [Command]) {
        guard !orders.isEmpty else { return }
        for identifier in orders.keys.sorted() {
            guard let order = orders[identifier] else { continue }
            if let cancelAt = order.cancelAt, now >= cancelAt, order.phase == .open {
                cancel(identifier, into: &commands)
            } else if let asked = order.queryAskedAt {
                if now - asked >= State.notFoundGraceMilliseconds { query(identifier, into: &commands) }
            } else if let next = order.nextQueryAt, now >= next {
                query(identifier, into: &commands)
            } else if order.phase == .sent, now - order.sentAt >= State.notFoundGraceMilliseconds {
                // no answer at all to the send: treat as unknown
                var unknown = order
                unknown.phase = .unknown
                orders[identifier] = unknown
                query(identifier, into: &commands)
            }
        }
    }
}
