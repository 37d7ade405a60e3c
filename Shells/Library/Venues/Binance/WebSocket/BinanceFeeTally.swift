import Core

/// The running commission of each order, which ORDER_TRADE_UPDATE does not carry (each event has
/// only its own fill's `n`): summed per order, each trade id counted once, so duplicated and
/// replayed events do not count twice. Commissions in another asset than USDT (BNB) cannot be
/// added to a USDT fee: they are left out and the order is flagged. Finished orders are kept a
/// while (a replay after the final event must not restart the sum), at most `capacity` orders.
public struct BinanceFeeTally: Sendable {
    struct Entry {
        var fee: Fixed = 0
        var trades: Set<Int64> = []
        var finished = false
        var otherAsset = false
    }

    private var entries: [String: Entry] = [:]
    private var finishedOrder: [String] = []
    public let capacity: Int

    public init(capacity: Int = 4_096) { self.capacity = max(capacity, 16) }

    /// The event's update with `paidFee` set to the order's commission so far.
    public mutating func apply(_ event: BinanceOrderEvent) -> OrderUpdate {
        let key = "\(event.update.market)/\(event.orderId)"
        var entry = entries[key] ?? Entry()
        if event.tradeId > 0, event.commission.isPositive, !entry.trades.contains(event.tradeId), entry.trades.count < 100_000 {
            entry.trades.insert(event.tradeId)
            if event.commissionAsset == nil || event.commissionAsset == BinanceVenue.quoteAsset {
                entry.fee += event.commission
            } else {
                entry.otherAsset = true
            }
        }
        if event.update.state.isFinal, !entry.finished {
            entry.finished = true
            finishedOrder.append(key)
        }
        entries[key] = entry
        evictFinished()
        var update = event.update
        update.paidFee = entry.fee
        return update
    }

    /// The commission counted so far for an order, nil when none of its events was seen.
    public func fee(symbol: String, orderId: Int64) -> Fixed? { entries["\(symbol)/\(orderId)"]?.fee }

    /// Whether some of the order's commission was paid in another asset (and is not in its fee).
    public func paidInOtherAsset(symbol: String, orderId: Int64) -> Bool { entries["\(symbol)/\(orderId)"]?.otherAsset ?? false }

    public var trackedOrders: Int { entries.count }

    private mutating func evictFinished() {
        while entries.count > capacity, !finishedOrder.isEmpty {
            entries[finishedOrder.removeFirst()] = nil
        }
    }
}
