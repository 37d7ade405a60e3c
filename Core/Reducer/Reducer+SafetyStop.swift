/// The exchange-side safety stop of margin venues (`VenueProfile.safetyStopBuffer`): once an
/// entry has filled, one stop order that closes the whole position on the exchange at the
/// strategy's stop moved `buffer` further away (a long's below, a short's above), so the
/// reducer's own exits normally win and the exchange closes the position if the bot is down.
///
/// - It is not one of the reducer's exits: it promises no quantity and blocks no exit.
/// - When the position is flat its cancel is sent with the other orders' (`afterSell`), and the
///   position closes once the exchange confirms.
/// - Filled, it is an exit leg with reason `exchange_stop`, also when the bot learns of it only
///   after a restart (the order is asked about like any other).
/// - Refused, cancelled or expired while the position is still open, it is placed again after
///   `safetyStopRetryMilliseconds` (a position is never left unprotected for long).
/// - It follows the strategy's stop toward protection: after a partial take-profit moved the stop
///   to break-even, the working stop is cancelled and, once the cancel is confirmed, placed again
///   at once at the new trigger (the venue keeps one close-all stop per side, so the old one
///   goes first).
extension State {
    static let safetyStopRetryMilliseconds: Milliseconds = 30_000

    /// The trigger for a position: the stop moved `buffer` away, rounded away from the market.
    func safetyStopTrigger(_ position: Position, buffer: Fixed) -> Fixed? {
        guard let stop = position.stopPrice else { return nil }
        let scheme = instrument(for: position.market).tickScheme
        return position.direction == .long ? scheme.roundDown(stop * (Fixed.one - buffer))
                                           : scheme.roundUp(stop * (Fixed.one + buffer))
    }

    mutating func placeSafetyStop(_ index: Int, into commands: inout [Command]) {
        guard let buffer = venue.safetyStopBuffer, positions[index].phase == .open, positions[index].quantity.isPositive,
              !positions[index].holdingInDoubt,
              !hasSafetyStop(positions[index]), let trigger = safetyStopTrigger(positions[index], buffer: buffer),
              trigger.isPositive else { return }
        positions[index].safetyStopRetryAt = nil
        var position = positions[index]
        send(.protectiveStop(trigger: trigger), .quantity(position.quantity), for: &position, purpose: .safetyStop,
             exitReason: .exchangeStop, into: &commands)
        positions[index] = position
    }

    func hasSafetyStop(_ position: Position) -> Bool {
        position.orderIdentifiers.contains { orders[$0]?.purpose == .safetyStop }
    }

    /// The safety stop ended (filled, cancelled, expired, refused or never sent): close the
    /// position when flat, else place it again: at once when it was cancelled to move, else a
    /// little later.
    mutating func safetyStopEnded(_ index: Int, ended: Order, into commands: inout [Command]) {
        if positions[index].quantity.isZero {
            return afterSell(index, endedExit: nil, into: &commands)
        }
        let moved = safetyStopIsBehind(ended, positions[index])
        let id = positions[index].id
        positions[index].safetyStopRetryAt = moved ? now : Time.adding(now, State.safetyStopRetryMilliseconds)
        afterSell(index, endedExit: nil, into: &commands)
        if moved, let index = positionIndex(id: id) { checkSafetyStop(index, into: &commands) }
    }

    /// The stop's trigger is looser than the position's stop now asks (a long's below the new
    /// trigger, a short's above).
    func safetyStopIsBehind(_ order: Order, _ position: Position) -> Bool {
        guard let buffer = venue.safetyStopBuffer, case .protectiveStop(let current) = order.request.kind,
              let trigger = safetyStopTrigger(position, buffer: buffer) else { return false }
        return position.direction == .long ? trigger > current : trigger < current
    }

    /// A working stop left behind by the position's stop is cancelled (and placed again when the
    /// cancel is confirmed: `safetyStopEnded`).
    mutating func moveSafetyStop(_ index: Int, into commands: inout [Command]) {
        guard venue.safetyStopBuffer != nil, probes.isEmpty, !positions[index].holdingInDoubt else { return }
        for identifier in positions[index].orderIdentifiers {
            guard let order = orders[identifier], order.purpose == .safetyStop, order.phase == .open,
                  safetyStopIsBehind(order, positions[index]) else { continue }
            cancel(identifier, into: &commands)
        }
    }

    /// A position waiting for its safety stop gets it once the retry time has come (and no lost
    /// order is being looked for).
    mutating func checkSafetyStop(_ index: Int, into commands: inout [Command]) {
        moveSafetyStop(index, into: &commands)
        guard venue.safetyStopBuffer != nil, probes.isEmpty, let retryAt = positions[index].safetyStopRetryAt,
              now >= retryAt else { return }
        placeSafetyStop(index, into: &commands)
    }
}
