/// Orders a lost journal transaction may have sent (the disk lost a commit whose commands had
/// already left). Identifiers are deterministic, so at every start the reducer knows which ones the
/// lost step could have used: the next attempts of each position and the first order of the next
/// positions. Each is asked about by identifier; one the exchange knows is cancelled if still open,
/// and once it has ended its fills are adopted into the books. The counters move past every probed
/// identifier, so none is ever sent again; new orders are held until the search is over, so
/// nothing is sold twice; the balances are fetched (and adopted) after it.
extension State {
    /// Attempts per position a single step can use.
    static let probedAttempts = 3

    mutating func probeLostOrders(into commands: inout [Command]) {
        // A lost entry still being looked for may have been adopted, and its position may have
        // sent its next orders, in the very transaction that was lost.
        for (identifier, probe) in probes where probe.purpose == .entry && positionIndex(id: probe.positionId) == nil {
            probeNextAttempts(of: probe.positionId, from: probe.attemptBase)
            probes[identifier]?.attemptBase += State.probedAttempts
        }
        for index in positions.indices {
            probeNextAttempts(of: positions[index].id, from: positions[index].nextAttempt)
            positions[index].nextAttempt += State.probedAttempts
        }
        let next = counters.nextPositionId
        for id in next..<(next + config.capital.maxPositions) {
            probes["\(options.identifierPrefix)-\(id)-b1"] = Probe(positionId: id, purpose: .entry)
        }
        counters.nextPositionId += config.capital.maxPositions
        for identifier in probes.keys.sorted() { askProbe(identifier, into: &commands) }
    }

    /// The identifiers the next attempts of a position would use.
    mutating func probeNextAttempts(of positionId: Int, from attempt: Int) {
        var legs: [(String, Order.Purpose)] = [("f", .entryFallback), ("t", .restingTakeProfit), ("s", .exit)]
        if venue.safetyStopBuffer != nil { legs.append(("x", .safetyStop)) }
        for attempt in attempt..<(attempt + State.probedAttempts) {
            for (leg, purpose) in legs {
                probes["\(options.identifierPrefix)-\(positionId)-\(leg)\(attempt)"] = Probe(positionId: positionId, purpose: purpose)
            }
        }
    }

    mutating func askProbe(_ identifier: String, into commands: inout [Command]) {
        probes[identifier]?.queryAskedAt = now
        probes[identifier]?.nextQueryAt = nil
        let market = probes[identifier].flatMap { probe in positionIndex(id: probe.positionId).map { positions[$0].market } }
        commands.append(.queryOrder(identifier: identifier, market: market))
    }

    /// No answer, a failed query or a cancel sent: ask again a little later.
    mutating func probeAskAgain(_ identifier: String) {
        probes[identifier]?.queryAskedAt = nil
        probes[identifier]?.nextQueryAt = Time.adding(now, State.queryRetryMilliseconds)
    }

    mutating func checkProbeTimers(into commands: inout [Command]) {
        guard !probes.isEmpty else { return }
        for (identifier, probe) in probes.sorted(by: { $0.key < $1.key }) {
            if let asked = probe.queryAskedAt {
                if now - asked >= State.notFoundGraceMilliseconds { askProbe(identifier, into: &commands) }
            } else if let next = probe.nextQueryAt, now >= next {
                askProbe(identifier, into: &commands)
            }
        }
    }

    /// The process that could have sent it is gone: an unknown identifier was never sent.
    mutating func probeNotFound(_ identifier: String, into commands: inout [Command]) {
        guard probes[identifier]?.queryAskedAt != nil else { return ignoredOrderEvent() }
        probes[identifier] = nil
        probesSettled(into: &commands)
    }

    mutating func probeAnswered(_ update: OrderUpdate, into commands: inout [Command]) {
        guard var probe = probes[update.identifier] else { return }
        if !update.state.isFinal {
            // Nobody manages it: cancel it, and ask until it has ended.
            if probe.cancelSentAt.map({ now - $0 >= State.queryRetryMilliseconds }) ?? true {
                probe.cancelSentAt = now
                commands.append(.cancelOrder(identifier: update.identifier, uuid: update.uuid, market: update.market))
            }
            probes[update.identifier] = probe
            return probeAskAgain(update.identifier)
        }
        probes[update.identifier] = nil
        guard adoptEnded(update, probe, into: &commands) else {
            probes[update.identifier] = probe
            return probeAskAgain(update.identifier)
        }
        probesSettled(into: &commands)
    }

    /// Books an ended lost order as if its answer had come late: an order record is rebuilt from
    /// the fills (an entry of the quote it spent, an exit of the quantity it closed) and ended
    /// through the usual paths, which open, grow or shrink the position and write the ledger.
    /// False while the books do not yet hold what it used (an exit's quantity, an entry's cash):
    /// the orders of the same position are still being settled, and it is asked about again.
    mutating func adoptEnded(_ update: OrderUpdate, _ probe: Probe, into commands: inout [Command]) -> Bool {
        let volume = update.executedQuantity
        guard volume.isPositive else { return true }
        let buy = probe.purpose == .entry || probe.purpose == .entryFallback
        let fee = venue.isMargin ? update.paidFee : 0
        let reserve = buy ? (venue.isMargin ? update.executedQuote / Fixed(venue.leverage) + fee
                                            : update.executedQuote + update.paidFee) : 0
        if reserve > cash {
            // An entry decided since the crash holds the cash the lost one spent: it gives way.
            for identifier in orders.keys.sorted() where reserve > cash {
                guard let held = orders[identifier], held.phase == .held, held.isEntry else { continue }
                orderGone(held, rejected: false, into: &commands)
            }
        }
        if reserve > cash { return false }  // the cash it spent is still reserved by an order being settled
        var index = positionIndex(id: probe.positionId)
        if index == nil, buy {
            var position = Position(id: probe.positionId, market: update.market, direction: adoptedDirection(update),
                                    phase: .opening, entryAmount: update.executedQuote)
            position.nextAttempt = nextAttemptAfterProbes(of: probe.positionId, adopting: update.identifier, base: probe.attemptBase)
            if positions.count >= config.capital.maxPositions {
                // The venue holds it whatever the books count: the lost step saw another position
                // end (whose end the books have yet to hear of), or the limit was lowered since
                // (simulator seeds 3386 and 9566 of the futures venue). Waiting for the count to
                // drop could wait for ever: orders held until the search ends keep it up.
                counters.positionsBeforeLimit = Swift.max(counters.positionsBeforeLimit ?? 0, counters.nextPositionId,
                                                          probe.positionId + 1)
            }
            let at = positions.firstIndex { $0.id > position.id } ?? positions.count
            positions.insert(position, at: at)
            index = at
        }
        if index == nil, !buy, probes.values.contains(where: {
            $0.positionId == probe.positionId && ($0.purpose == .entry || $0.purpose == .entryFallback)
        }) {
            return false  // a lost exit of a position that a lost entry, still asked about, rebuilds
        }
        guard let index, positions[index].market == update.market else {
            statistics.inconsistentOrderUpdates += 1
            return true
        }
        if !buy && volumeFree(for: nil, in: positions[index]) < volume { return false }
        let direction = positions[index].direction
        let size: OrderRequest.Size = buy && instrument(for: update.market).quoteSizedMarketBuys && direction == .long
            ? .quote(update.executedQuote) : .quantity(volume)
        cash -= reserve
        orders[update.identifier] = Order(
            request: OrderRequest(identifier: update.identifier, market: update.market,
                                  side: buy ? direction.entrySide : direction.exitSide, kind: .market, size: size,
                                  reduceOnly: !buy && venue.isMargin),
            positionId: probe.positionId, purpose: probe.purpose,
            exitReason: buy ? nil : probe.purpose == .restingTakeProfit ? .takeProfit
                : probe.purpose == .safetyStop ? .exchangeStop : .recovered,
            phase: .open, reserved: reserve, sentAt: now)
        positions[index].orderIdentifiers.append(update.identifier)
        commands.append(notification(.warning, update.market,
            "order \(update.identifier) was sent before a crash that lost it from the journal: adopted (\(volume) filled)"))
        orderUpdated(update, into: &commands)
        return true
    }

    /// Once every probe is answered: held orders go out (exits only if the quantity is still
    /// there) and the balances are fetched to end the reconciliation.
    mutating func probesSettled(into commands: inout [Command]) {
        guard probes.isEmpty else { return }
        for identifier in orders.keys.sorted() {
            guard var order = orders[identifier] else { continue }
            if order.phase == .withdrawn {
                orderEnded(order, into: &commands)
            } else if order.phase == .held {
                let position = positionIndex(id: order.positionId).map { positions[$0] }
                if order.isOwnExit, let requested = order.requestedQuantity,
                   requested > position.map({ volumeFree(for: order, in: $0) }) ?? 0 {
                    orderGone(order, rejected: false, into: &commands)
                    continue
                }
                order.phase = .sent
                order.sentAt = now
                orders[identifier] = order
                commands.append(.placeOrder(order.request))
            }
        }
        if risk.reconciling && risk.balanceRequestId == nil && risk.nextBalanceFetchAt == nil {
            fetchBalances(into: &commands)
        }
    }

    /// The quantity of a position that no sent exit (other than `sell`) has promised; held exits
    /// do not count, they wait for this answer.
    func volumeFree(for sell: Order?, in position: Position) -> Fixed {
        var free = position.quantity
        for identifier in position.orderIdentifiers where identifier != sell?.identifier {
            guard let order = orders[identifier], order.isOwnExit, order.phase != .held, order.phase != .withdrawn,
                  let requested = order.requestedQuantity else { continue }
            free -= requested - order.executedQuantity
        }
        return free
    }

    /// A position rebuilt from a lost order numbers its next orders past that order and past every
    /// identifier being probed for it, so nothing found or looked for is ever sent again.
    func nextAttemptAfterProbes(of positionId: Int, adopting identifier: String, base: Int) -> Int {
        func attempt(_ identifier: String) -> Int { Int(String(identifier.reversed().prefix { $0.isNumber }.reversed())) ?? 0 }
        let marker = "\(options.identifierPrefix)-\(positionId)-"
        let probed = probes.keys.filter { $0.hasPrefix(marker) }.map(attempt)
        return max(base, attempt(identifier) + 1, (probed.max() ?? 0) + 1)
    }

    /// The direction of a position rebuilt from a lost entry: its side when the venue said, else
    /// the only one the config opens (long on spot venues).
    func adoptedDirection(_ update: OrderUpdate) -> Direction {
        if let side = update.side { return side == .buy ? .long : .short }
        return venue.isMargin && config.entry.direction == .short ? .short : .long
    }
}
