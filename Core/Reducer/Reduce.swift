/// The strategy: one synchronous, total, side-effect-free step.
///
/// Time comes only from events; identifiers come from state; the same state and event always give
/// the same new state and the same commands.
public func reduce(_ state: inout State, _ event: Event) -> [Command] {
    var commands: [Command] = []
    state.receive(event, into: &commands)
    return commands
}

/// `reduce` for callers that prefer values: `(State, Event) -> (State, [Command])`.
public func reduced(_ state: State, _ event: Event) -> (State, [Command]) {
    var next = state
    let commands = reduce(&next, event)
    return (next, commands)
}

extension State {
    mutating func apply(_ event: Event, into commands: inout [Command]) {
        if case .configAdopted(let config, _) = event { return adopt(config) }
        if event.time > now { now = event.time }
        rollDayIfNeeded(into: &commands)
        switch event {
        case .marketsListed(let listings, _): listMarkets(listings, into: &commands)
        case .marketRulesReceived(let rules, _): applyRules(rules)
        case .tradeReceived(let trade): receiveTrade(trade, into: &commands)
        case .orderbookReceived(let book): receiveBook(book, into: &commands)
        case .candlesFetched(let requestId, let market, let candles, _):
            receiveCandles(requestId: requestId, market: market, candles: candles, into: &commands)
        case .candlesFetchFailed(let requestId, let market, _):
            candlesFetchFailed(requestId: requestId, market: market, into: &commands)
        case .timerFired: break
        case .feedStalled: markFeedStale(into: &commands)
        case .orderAccepted(let identifier, let uuid, _): orderAccepted(identifier, uuid: uuid, into: &commands)
        case .orderRejected(let identifier, let error, _): orderRejected(identifier, error: error, into: &commands)
        case .orderOutcomeUnknown(let identifier, _): orderOutcomeUnknown(identifier, into: &commands)
        case .orderUpdated(let update): orderUpdated(update, into: &commands)
        case .orderNotFound(let identifier, _): orderNotFound(identifier, into: &commands)
        case .orderQueryFailed(let identifier, _): orderQueryFailed(identifier)
        case .cancelAccepted(let identifier, _): cancelAccepted(identifier)
        case .cancelRejected(let identifier, _, _), .cancelOutcomeUnknown(let identifier, _):
            cancelNotConfirmed(identifier, into: &commands)
        case .balancesFetched(let requestId, let account, _):
            balancesFetched(requestId: requestId, account: account, into: &commands)
        case .balancesFetchFailed(let requestId, let error, _):
            balancesFetchFailed(requestId: requestId, error: error, into: &commands)
        case .openOrdersFetched(let requestId, let open, _):
            openOrdersFetched(requestId: requestId, open: open, into: &commands)
        case .openOrdersFetchFailed(let requestId, let error, _):
            openOrdersCheckFailed(requestId)
            if counters.openOrdersRequestId == requestId {
                counters.openOrdersRequestId = nil
                commands.append(notification(.warning, nil, "open orders unavailable (\(error)): not checked this time"))
            }
        case .recovered: startReconciliation(into: &commands)
        case .closeRequested(let market, _): closeRequested(market: market, into: &commands)
        case .balancesPushed(let account, _): balancesPushed(account, into: &commands)
        case .entriesPaused: pauseEntries(into: &commands)
        case .entriesResumed: resumeEntries(into: &commands)
        case .dataEnded: closeAllAtLastPrice(into: &commands)
        case .configAdopted: break  // handled above: it neither moves the clock nor runs the timers
        case .markPriceReceived(let market, let price, _): receiveMarkPrice(market, price)
        case .fundingSettled(let market, let amount, let settledAt, _):
            fundingSettled(market, amount: amount, settledAt: settledAt, into: &commands)
        case .positionLiquidated(let market, let identifier, let quantity, let price, let fee, _):
            positionLiquidated(market, identifier: identifier, quantity: quantity, price: price, fee: fee, into: &commands)
        case .marginCalled: marginCalled(into: &commands)
        case .userStreamRestored: userStreamRestored(into: &commands)
        }
        let second = Time.floorDivide(now, 1_000)
        if second > counters.lastEvaluatedSecond {
            let previous = counters.lastEvaluatedSecond
            counters.lastEvaluatedSecond = second
            if previous > 0 { checkFundingTime(previousSecond: previous, into: &commands) }
            everySecond(into: &commands)
        }
    }

    /// Work that depends on the clock: runs once per new second of event time.
    mutating func everySecond(into commands: inout [Command]) {
        checkStaleFeed(into: &commands)
        checkOrderTimers(into: &commands)
        checkProbeTimers(into: &commands)
        checkPositionTimers(into: &commands)
        checkEmergencyStop(into: &commands)
        checkBalanceRetry(into: &commands)
        readDoubtedHoldings(into: &commands)
        checkBackfillRetries(into: &commands)
        closeCandles(into: &commands)
        evaluateEntries(into: &commands)
    }

    func notification(_ kind: Notification.Kind, _ market: String?, _ text: String) -> Command {
        .notify(Notification(kind: kind, market: market, text: text, time: now))
    }
}

/// Calendar arithmetic on epoch milliseconds. Total on every `Int64`: sums saturate instead of
/// trapping, so no time an event carries (up to `Int64.max`) and no configured duration can crash
/// the reducer.
public enum Time {
    public static let second: Milliseconds = 1_000
    public static let minute: Milliseconds = 60_000
    public static let day: Milliseconds = 86_400_000

    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// `time + duration`, clamped to `Int64.min...Int64.max`.
    public static func adding(_ time: Milliseconds, _ duration: Milliseconds) -> Milliseconds {
        let (sum, overflow) = time.addingReportingOverflow(duration)
        guard overflow else { return sum }
        return duration > 0 ? .max : .min
    }

    /// `count * unit` (a configured number of seconds or minutes in milliseconds), clamped.
    public static func duration(_ count: Int, _ unit: Milliseconds) -> Milliseconds {
        let (product, overflow) = Int64(count).multipliedReportingOverflow(by: unit)
        guard overflow else { return product }
        return (count < 0) != (unit < 0) ? .min : .max
    }

    /// `later - earlier`, clamped (an elapsed time never traps, whatever the two times are).
    public static func elapsed(from earlier: Milliseconds, to later: Milliseconds) -> Milliseconds {
        let (difference, overflow) = later.subtractingReportingOverflow(earlier)
        guard overflow else { return difference }
        return later > earlier ? .max : .min
    }

    /// Days since 1970-01-01 for a day that starts `offsetMinutes` east of UTC (540 = KST).
    public static func day(_ time: Milliseconds, offsetMinutes: Int) -> Int64 {
        let offset = Milliseconds(offsetMinutes) * minute  // |offset| < a day
        let remainder = (time % day + day) % day  // in 0..<day, without forming time + offset
        let shifted = remainder + offset
        return floorDivide(time, day) + (shifted >= day ? 1 : shifted < 0 ? -1 : 0)
    }

    public static func minute(of time: Milliseconds) -> Int64 { floorDivide(time, minute) }
}
