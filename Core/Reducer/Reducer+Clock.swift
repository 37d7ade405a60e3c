/// Time from the exchange (issue 11, item 2). The driver's own readings (`timerFired`,
/// `recovered`, `feedStalled`) are trusted. A frame the exchange dated is believed only near them:
/// one dated more than `risk.max_clock_skew_seconds` ahead of the driver's newest reading is
/// rejected whole (it would otherwise move the clock for good: every later trade "late", timers
/// and exits stopped), and a trade or book dated that far behind is stale. Answers the driver
/// stamped on arrival are applied but move the clock at most to the same bound. With no driver
/// clock at all (backtests), frame time is the clock, as before.
extension State {
    var clockSkewMilliseconds: Milliseconds { Time.duration(config.risk.maxClockSkewSeconds, Time.second) }

    /// Moves `now` for the event; false when the event must be rejected for its time.
    mutating func advanceClock(to event: Event) -> Bool {
        let time = event.time
        switch event.clockSource {
        case .driver:
            driverClock = Swift.max(driverClock ?? time, time)
            if time > now { now = time }
            return true
        case .exchange, .answer:
            guard let driver = driverClock else {
                if time > now { now = time }
                return true
            }
            let latest = Time.adding(driver, clockSkewMilliseconds)
            if event.clockSource == .exchange {
                if time > latest { return false }
                if isMarketData(event), time < Time.adding(driver, -clockSkewMilliseconds) { return false }
            }
            let bounded = Swift.min(time, latest)
            if bounded > now { now = bounded }
            return true
        }
    }

    private func isMarketData(_ event: Event) -> Bool {
        switch event {
        case .tradeReceived, .orderbookReceived: true
        default: false
        }
    }

    /// Counts an event rejected for its time. A myOrder frame may carry real fills: its order is
    /// settled by a query (stamped by the driver, so it is believed).
    mutating func rejectImplausibleTime(_ event: Event, into commands: inout [Command]) {
        guard event.time > (driverClock ?? now) else {
            statistics.staleEvents += 1
            return
        }
        statistics.futureEvents += 1
        if case .orderUpdated(let update) = event, orders[update.identifier] != nil {
            settleByQuery(update.identifier)
        }
    }

    /// An update the books cannot take (implausible time or amounts): ask the exchange by
    /// identifier instead, later each time (1 s doubling to 60 s per order), so an exchange that
    /// keeps lying cannot make the bot spin.
    mutating func settleByQuery(_ identifier: String) {
        // Only a query scheduled counts: a repeated bad update while one is due changes nothing.
        guard var order = orders[identifier], order.queryAskedAt == nil, order.nextQueryAt == nil else { return }
        let delay = State.backoff(Time.second, doubled: order.distrustedUpdates, maximum: State.maximumDistrustDelayMilliseconds)
        order.distrustedUpdates += 1
        order.nextQueryAt = Time.adding(now, delay)
        orders[identifier] = order
    }

    static let maximumDistrustDelayMilliseconds: Milliseconds = 60_000
}
