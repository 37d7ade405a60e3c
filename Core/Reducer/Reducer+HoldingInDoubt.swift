/// Margin venues: a position the venue may no longer hold in full. Something the bot did not
/// hear of can close it there (its safety stop while the bot was down, a liquidation, the
/// operator); a reduce-only order refused as `nothingToReduce`, or a balance read short while
/// every order of the position was confirmed working, says so.
///
/// - The position's orders are cancelled: their answers tell what they did (a safety stop that
///   fired is booked as `exchange_stop`, a take-profit that filled as such).
/// - Meanwhile nothing new is sent for it (exits wait as `pendingExit`, the safety stop waits).
/// - Once none of its orders works (and no lost order is being searched), the balances are read.
///   What the venue holds less than the books is written off (its margin with it: the venue's
///   cash holds what is left of it, and is read again); a position the venue still holds goes
///   on, its safety stop placed again and a pending exit sent.
extension State {
    mutating func doubtHolding(_ index: Int, into commands: inout [Command]) {
        if !positions[index].holdingInDoubt {
            commands.append(notification(.warning, positions[index].market,
                "the venue may hold less of position \(positions[index].id) than the books: its orders are cancelled and its holding read"))
        }
        positions[index].holdingInDoubt = true
        positions[index].exitRetryAt = nil
        readDoubtedHoldings(into: &commands)
    }

    /// Cancels what a position in doubt still has working (an order that was on its way, or
    /// being asked about, when the doubt arose), and reads the balances once one has no order left.
    mutating func readDoubtedHoldings(into commands: inout [Command]) {
        for position in positions where position.holdingInDoubt {
            for identifier in position.orderIdentifiers { cancel(identifier, into: &commands) }
        }
        // a failed read is asked again on its own schedule (`checkBalanceRetry`), not every second
        guard probes.isEmpty, risk.nextBalanceFetchAt == nil,
              positions.contains(where: { $0.holdingInDoubt && $0.orderIdentifiers.isEmpty }) else { return }
        refetchBalances(into: &commands)
    }

    /// A balance read on a margin venue: positions in doubt with no order left take the venue's
    /// holding. Nothing of the bot's can move such a market's holding, so the read is trusted
    /// whatever else worked meanwhile (a lost order being searched for excepted).
    mutating func settleDoubtedHoldings(_ account: AccountSnapshot, into commands: inout [Command]) {
        guard venue.isMargin, probes.isEmpty else { return }
        var index = 0
        while index < positions.count {
            let position = positions[index]
            guard position.holdingInDoubt, position.orderIdentifiers.isEmpty else {
                index += 1
                continue
            }
            positions[index].holdingInDoubt = false
            let held = venueHolds(account, of: position)
            if held < position.quantity {
                commands.append(notification(.warning, position.market,
                    "the venue holds \(held) of position \(position.id)'s \(position.quantity) (closed outside the bot: a liquidation, or by hand): the rest is written off"))
                risk.balancesStale = true
                if writeOff(index, downTo: held, into: &commands) { continue }
            }
            positions[index].safetyStopRetryAt = now
            afterSell(index, endedExit: nil, into: &commands)
            index += 1
        }
    }

    /// Under a balance read that nothing moved (`agreesOnEverythingButCash`'s conditions but
    /// the holdings): a market the venue holds less of than the books puts its position in doubt.
    mutating func doubtShortHoldings(_ account: AccountSnapshot, into commands: inout [Command]) {
        guard venue.isMargin, quietSinceBalanceRequest else { return }
        for index in positions.indices where positions[index].phase == .open && !positions[index].holdingInDoubt {
            let held = venueHolds(account, of: positions[index])
            if held < positions[index].quantity { doubtHolding(index, into: &commands) }
        }
    }
}
