import Core
import Shells
import Testing

/// 2026-01-01 00:00:00 UTC (09:00 KST): every scenario starts here.
public let t0: Milliseconds = 1_767_225_600_000

/// Event time `minutes:seconds` after `t0`.
public func at(_ minutes: Int, _ seconds: Int = 0, _ milliseconds: Int = 0) -> Milliseconds {
    t0 + Milliseconds(minutes) * 60_000 + Milliseconds(seconds) * 1_000 + Milliseconds(milliseconds)
}

public func fixed(_ text: String) -> Fixed { Fixed(text)! }

/// Builds market events with increasing sequential ids per market.
public struct Market {
    public let code: String
    public var nextSequentialId: Int64 = 1

    public init(_ code: String) { self.code = code }

    public mutating func trade(_ price: Fixed, _ volume: String, at time: Milliseconds, side: Side = .buy) -> Event {
        defer { nextSequentialId += 1 }
        return .tradeReceived(Trade(market: code, price: price, volume: fixed(volume), side: side, time: time,
                                    sequentialId: nextSequentialId))
    }

    public func book(bid: Double, ask: Double, at time: Milliseconds, bestBid: Fixed? = nil, bestAsk: Fixed? = nil) -> Event {
        .orderbookReceived(BookTop(market: code, time: time, totalBidSize: bid, totalAskSize: ask,
                                   bestBidPrice: bestBid, bestAskPrice: bestAsk))
    }

    /// Minutes 0..<minutes: one trade a minute at second 0, volume 0.1, closes alternating
    /// between `low` and `high` (RSI settles near 50), ending on `low`.
    public mutating func warmUp(minutes: Int = 30, low: Fixed, high: Fixed) -> [Event] {
        (0..<minutes).map { minute in
            trade(minute % 2 == (minutes - 1) % 2 ? low : high, "0.1", at: at(minute))
        }
    }
}

/// Runs events through the reducer, checking invariants after each step (a broken one is a
/// test failure); returns the commands of the last event.
@discardableResult
public func run(_ state: inout State, _ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) -> [Command] {
    var last: [Command] = []
    for event in events {
        last = reduce(&state, event)
        let broken = state.checkInvariants()
        if !broken.isEmpty { Issue.record("invariants broken after \(event): \(broken)", sourceLocation: sourceLocation) }
    }
    return last
}

/// The exit legs booked (`bookLeg` commands) among `commands`, in order: the ledger is not part
/// of the state; tests collect it from what the reducer emits.
public func legs(_ commands: [Command]) -> [LedgerEntry] {
    commands.compactMap { command in
        if case .bookLeg(let leg, _) = command { return leg }
        return nil
    }
}

public func notify(_ kind: Core.Notification.Kind, _ market: String?, _ text: String, at time: Milliseconds) -> Command {
    .notify(Core.Notification(kind: kind, market: market, text: text, time: time))
}

/// An order update in Upbit's words (its order state; volume, KRW funds and fee).
public func update(_ identifier: String, _ market: String, _ state: UpbitOrderState, volume: String, funds: String,
                   fee: String, at time: Milliseconds, uuid: String? = nil) -> Event {
    .orderUpdated(OrderUpdate(identifier: identifier, uuid: uuid, market: market, state: state.status,
                              executedQuantity: fixed(volume), executedQuote: fixed(funds), paidFee: fixed(fee),
                              time: time))
}

/// An Upbit order request as the core sends it.
public func upbitOrder(_ identifier: String, _ market: String, _ shape: UpbitOrderShape) -> OrderRequest {
    shape.request(identifier: identifier, market: market)
}
