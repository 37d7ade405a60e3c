/// Time from the exchange (issue 11, item 2). No single event may move the core's clock by more
/// than `risk.max_clock_skew_seconds`: once the driver has a clock of its own (`timerFired`,
/// `recovered`, `feedStalled`, which are trusted and move it freely), a frame the exchange dated
/// (trade, orderbook, myOrder) more than the bound past `now` is rejected whole: believed, it
/// would move the clock for good (every later trade "late", timers and exits stopped). An answer
/// the driver stamped on arrival dated that far ahead is applied at `now` (so applying it twice
/// is applying it once). The bound is taken from `now`, not from the driver's last reading, so a
/// venue whose clock runs steadily ahead (the local server played at 10x, a replay) is followed
/// step by step while a lone frame from the future is not. With no driver clock at all
/// (backtests), frame time is the clock, as before: recordings have gaps longer than any bound.
/// Any event dated after `latestTime` is rejected, so no sum of the clock and a bounded setting
/// can overflow. The first rejection, and every 1,000th, is said (a machine whose clock lags the
/// exchange's by more than the bound would otherwise trade nothing, silently).
extension State {
    var clockSkewMilliseconds: Milliseconds { Time.duration(config.risk.maxClockSkewSeconds, Time.second) }

    /// Later than any real time (the year 146 million): an event dated after it is rejected, so
    /// that no clock arithmetic with a bounded setting can overflow.
    public static let latestTime: Milliseconds = 1 << 62

    /// Decides what the event's time may do to the clock, then applies it (`apply` moves `now` to
    /// the event's time when it is later).
    mutating func receive(_ event: Event, into commands: inout [Command]) {
        let time = event.time
        guard time <= State.latestTime else { return rejectImplausibleTime(event, into: &commands) }
        switch event.clockSource {
        case .driver:
            driverClock = Swift.max(driverClock ?? time, time)
        case .exchange, .answer:
            if driverClock != nil, time > Time.adding(now, clockSkewMilliseconds) {
                // a frame is rejected whole; an answer is applied, its time ignored (so applying
                // it twice is applying it once)
                guard event.clockSource == .answer else { return rejectImplausibleTime(event, into: &commands) }
                return apply(event.withTime(now), into: &commands)
            }
        }
        apply(event, into: &commands)
    }

    /// Counts an event rejected for its time. A myOrder frame may carry real fills: its order is
    /// settled by a query (stamped by the driver, so it is believed).
    mutating func rejectImplausibleTime(_ event: Event, into commands: inout [Command]) {
        statistics.futureEvents += 1
        if statistics.futureEvents % 1_000 == 1 {
            commands.append(notification(.warning, nil,
                "an exchange event dated \(Time.elapsed(from: now, to: event.time) / 1_000) s ahead of the bot's clock was rejected (\(statistics.futureEvents) so far): check the clock"))
        }
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
