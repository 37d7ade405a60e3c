/// An order whose send has an unknown outcome (a 5xx, a timeout) that the exchange does not know
/// (issue 11, item 12). Waiting the full `notFoundGraceMilliseconds` held stop-losses for half a
/// minute per attempt. It is settled sooner when three answers agree: a query says not found, a
/// second one at least `notFoundConfirmMilliseconds` later says so again, and the open-orders
/// list fetched after the first one does not hold it either. Then it never arrived: an entry is
/// dropped, an exit is re-sent at once under a new identifier. Until then nothing is re-sent.
extension State {
    static let notFoundConfirmMilliseconds: Milliseconds = 2_000

    /// A not-found inside the grace period: remember it, fetch the open orders once, and ask again
    /// as soon as a second answer can count.
    mutating func notFoundBeforeGrace(_ identifier: String, into commands: inout [Command]) {
        guard var order = orders[identifier] else { return }
        let first = order.firstNotFoundAt ?? now
        order.firstNotFoundAt = first
        order.lastNotFoundAt = now
        if order.openOrdersCheckId == nil && !order.absentFromOpenOrders {
            let requestId = counters.nextRequestId
            counters.nextRequestId += 1
            order.openOrdersCheckId = requestId
            commands.append(.fetchOpenOrders(requestId: requestId))
        }
        let confirmAt = Time.adding(first, State.notFoundConfirmMilliseconds)
        if now < confirmAt { order.nextQueryAt = confirmAt }
        orders[identifier] = order
        if isSettledAbsent(order) { absentOrderGone(order, into: &commands) }
    }

    func isSettledAbsent(_ order: Order) -> Bool {
        guard order.absentFromOpenOrders, let first = order.firstNotFoundAt, let last = order.lastNotFoundAt else {
            return false
        }
        return Time.elapsed(from: first, to: last) >= State.notFoundConfirmMilliseconds
    }

    mutating func absentOrderGone(_ order: Order, into commands: inout [Command]) {
        commands.append(notification(.warning, order.market,
            "order \(order.identifier) never reached the exchange (not found twice, not among the open orders)"))
        orderNeverArrived(order, into: &commands)
    }

    /// The order never was: an entry is dropped, an exit is sent again at once.
    mutating func orderNeverArrived(_ order: Order, into commands: inout [Command]) {
        orderGone(order, rejected: false, into: &commands)
        guard order.purpose == .exit, let index = positionIndex(id: order.positionId), positions[index].phase == .open,
              let pending = positions[index].pendingExit, !hasLiveExit(positions[index]) else { return }
        placeExitNow(index, reason: pending, into: &commands)
    }

    /// Marks the orders waiting for this list (or an older one) absent when it does not hold
    /// them. True when some order was waiting for exactly this request.
    mutating func confirmAbsences(requestId: Int, open: [OrderUpdate], into commands: inout [Command]) -> Bool {
        var awaited = false
        var listed: Set<String>?
        for identifier in orders.keys.sorted() {
            guard var order = orders[identifier], let check = order.openOrdersCheckId, check <= requestId else { continue }
            if check == requestId { awaited = true }
            order.openOrdersCheckId = nil
            if listed == nil { listed = Set(open.map(\.identifier)) }
            let absent = !(listed?.contains(identifier) ?? false)
            order.absentFromOpenOrders = absent
            orders[identifier] = order
            if absent, order.phase == .sent || order.phase == .unknown, isSettledAbsent(order) {
                absentOrderGone(order, into: &commands)
            }
        }
        return awaited
    }

    mutating func openOrdersCheckFailed(_ requestId: Int) {
        for identifier in orders.keys.sorted() where orders[identifier]?.openOrdersCheckId == requestId {
            orders[identifier]?.openOrdersCheckId = nil
        }
    }
}
