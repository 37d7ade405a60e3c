import Core
import Foundation
import Shells
import Testing

/// Given: `givenEntrySent` up to the surge trade — a market warmed up for 30 minutes (RSI near
/// 50, 0.1 BTC a minute) and a book with more bids than asks at 30:04 — so that the trade at
/// 30:05 (the "when") can go through a `TestStore`.
public func givenSurgeReady(_ config: Config = Config(), options: State.Options = .init(identifierPrefix: "t"))
    -> (state: State, btc: Market) {
    var state = upbitState(config, options: options)
    var btc = Market("KRW-BTC")
    run(&state, btc.warmUp(low: 500_000, high: 500_500))
    run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4), bestBid: 500_000, bestAsk: 500_500)])
    return (state, btc)
}

/// An order as the reducer records it when it sends it: nothing executed yet. Expected values
/// for `TestStore` closures; every argument is the scenario's own number.
public func sentOrder(_ request: OrderRequest, position: Int = 1, _ purpose: Order.Purpose, _ reason: ExitReason? = nil,
                      reserved: Fixed = 0, at time: Milliseconds, cancelAt: Milliseconds? = nil) -> Order {
    Order(request: request, positionId: position, purpose: purpose, exitReason: reason, phase: .sent, reserved: reserved,
          sentAt: time, cancelAt: cancelAt)
}

/// A position whose entry order(s) were just sent (phase `opening`, nothing bought yet).
public func openingPosition(_ id: Int, _ market: String, direction: Direction = .long, amount: Fixed,
                            orders identifiers: [String], nextAttempt: Int) -> Position {
    var position = Position(id: id, market: market, direction: direction, phase: .opening, entryAmount: amount)
    position.orderIdentifiers = identifiers
    position.nextAttempt = nextAttempt
    return position
}

/// A decision trace record (`trace` on).
public func decision(_ market: String, _ action: Decision.Action, _ reason: String, surgeRatio: Double, rsi: Double?,
                     bidDominant: Bool?, at time: Milliseconds) -> Command {
    .trace(.decision(Decision(time: time, market: market, surgeRatio: surgeRatio, rsi: rsi, bidDominant: bidDominant,
                              action: action, reason: reason)))
}

/// A closed-candle trace record (`trace` on) for the 1-minute candle `minutes` after `t0`.
public func candle(_ market: String, minute minutes: Int, open: Double, high: Double, low: Double, close: Double,
                   volume: Double, rsi: Double?) -> Command {
    .trace(.candle(market: market, candle: Candle(minute: at(minutes) / 60_000, open: open, high: high, low: low,
                                                  close: close, volume: volume), rsi: rsi))
}

/// A probe as the reducer records it (`State.Probe` has no public initializer: it is decoded
/// from its JSON form, every field given).
public func probe(_ positionId: Int, _ purpose: Order.Purpose, askedAt: Milliseconds?, nextQueryAt: Milliseconds? = nil,
                  attemptBase: Int = 2) -> State.Probe {
    State.Probe(positionId: positionId, purpose: purpose, queryAskedAt: askedAt, nextQueryAt: nextQueryAt,
                attemptBase: attemptBase)
}
