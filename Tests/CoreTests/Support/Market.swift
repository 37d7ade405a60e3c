import Core

/// 2026-01-01 00:00:00 UTC (09:00 KST): every scenario starts here.
let t0: Milliseconds = 1_767_225_600_000

/// Event time `minutes:seconds` after `t0`.
func at(_ minutes: Int, _ seconds: Int = 0, _ milliseconds: Int = 0) -> Milliseconds {
    t0 + Milliseconds(minutes) * 60_000 + Milliseconds(seconds) * 1_000 + Milliseconds(milliseconds)
}

func fixed(_ text: String) -> Fixed { Fixed(text)! }

/// Builds market events with increasing sequential ids per market.
struct Market {
    let code: String
    var nextSequentialId: Int64 = 1

    init(_ code: String) { self.code = code }

    mutating func trade(_ price: Fixed, _ volume: String, at time: Milliseconds, side: Side = .buy) -> Event {
        defer { nextSequentialId += 1 }
        return .tradeReceived(Trade(market: code, price: price, volume: fixed(volume), side: side, time: time,
                                    sequentialId: nextSequentialId))
    }

    func book(bid: Double, ask: Double, at time: Milliseconds, bestBid: Fixed? = nil, bestAsk: Fixed? = nil) -> Event {
        .orderbookReceived(BookTop(market: code, time: time, totalBidSize: bid, totalAskSize: ask,
                                   bestBidPrice: bestBid, bestAskPrice: bestAsk))
    }

    /// Minutes 0..<minutes: one trade a minute at second 0, volume 0.1, closes alternating
    /// between `low` and `high` (RSI settles near 50), ending on `low`.
    mutating func warmUp(minutes: Int = 30, low: Fixed, high: Fixed) -> [Event] {
        (0..<minutes).map { minute in
            trade(minute % 2 == (minutes - 1) % 2 ? low : high, "0.1", at: at(minute))
        }
    }
}

/// Runs events through the reducer, checking invariants after each step; returns the commands
/// of the last event.
@discardableResult
func run(_ state: inout State, _ events: [Event]) -> [Command] {
    var last: [Command] = []
    for event in events {
        last = reduce(&state, event)
        let broken = state.checkInvariants()
        precondition(broken.isEmpty, "invariants broken after \(event): \(broken)")
    }
    return last
}

/// The exit legs booked (`bookLeg` commands) among `commands`, in order: the ledger is not part
/// of the state; tests collect it from what the reducer emits.
func legs(_ commands: [Command]) -> [LedgerEntry] {
    commands.compactMap { command in
        if case .bookLeg(let leg, _) = command { return leg }
        return nil
    }
}

func notify(_ kind: Core.Notification.Kind, _ market: String?, _ text: String, at time: Milliseconds) -> Command {
    .notify(Core.Notification(kind: kind, market: market, text: text, time: time))
}

func update(_ identifier: String, _ market: String, _ state: UpbitOrderState, volume: String, funds: String,
            fee: String, at time: Milliseconds, uuid: String? = nil) -> Event {
    .orderUpdated(OrderUpdate(identifier: identifier, uuid: uuid, market: market, state: state,
                              executedQuantity: fixed(volume), executedQuote: fixed(funds), paidFee: fixed(fee),
                              time: time))
}
