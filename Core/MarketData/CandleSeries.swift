/// 1-minute candles of one market built from trades, with gap filling and incremental RSI.
///
/// Closed candles live in a fixed-size ring; RSI is updated as each candle closes, so it equals
/// TA-Lib's RSI over every close this series has seen (including backfilled ones).
public struct CandleSeries: Equatable, Codable, Sendable {
    public private(set) var building: Candle?
    public private(set) var closed: RingBuffer<Candle>
    public private(set) var rsi: WilderRSI

    /// A week: longer gaps restart the history (bounded work per trade, whatever its time).
    public static let maximumGapMinutes = 10_080

    public init(capacity: Int, rsiPeriod: Int) {
        closed = RingBuffer(capacity: capacity)
        rsi = WilderRSI(period: rsiPeriod)
    }

    /// Adds a trade. Returns false (and changes nothing) when the trade belongs to a minute that
    /// is already closed: such a trade is late.
    public mutating func add(minute: Int64, price: Double, volume: Double, onClose: (Candle, Double?) -> Void) -> Bool {
        if let current = building {
            if minute == current.minute {
                building!.add(price: price, volume: volume)
                return true
            }
            if minute < current.minute { return false }
        } else if let last = closed.last, minute <= last.minute {
            return false
        }
        closeMinutes(before: minute, onClose: onClose)
        building = Candle(minute: minute, open: price, high: price, low: price, close: price, volume: volume)
        return true
    }

    /// Closes the building candle and fills gap minutes with flat candles, for every minute
    /// before `minute`. Gaps are only filled after a first close is known.
    public mutating func closeMinutes(before minute: Int64, onClose: (Candle, Double?) -> Void) {
        if let current = building, current.minute < minute {
            building = nil
            appendClosed(current, onClose: onClose)
        }
        guard let last = closed.last else { return }
        if minute - last.minute > Int64(CandleSeries.maximumGapMinutes) {
            // Silent for longer than anything the indicators look back on (or a clock far off):
            // history starts over rather than filling millions of flat minutes.
            closed.removeAll()
            rsi = WilderRSI(period: rsi.period)
            return
        }
        var gapMinute = last.minute + 1
        while gapMinute < minute {
            appendClosed(.flat(minute: gapMinute, close: last.close), onClose: onClose)
            gapMinute += 1
        }
    }

    private mutating func appendClosed(_ candle: Candle, onClose: (Candle, Double?) -> Void) {
        closed.append(candle)
        rsi.add(close: candle.close)
        onClose(candle, rsi.value)
    }

    /// Mean volume of the `count` minutes ending with `lastMinute`, or nil when history does not
    /// reach back that far. Minutes after the newest closed candle count as zero volume.
    public func averageVolume(minutes count: Int, endingAt lastMinute: Int64) -> Double? {
        let firstMinute = lastMinute - Int64(count) + 1
        guard let oldest = closed.count > 0 ? closed[0].minute : nil, oldest <= firstMinute else { return nil }
        var sum = 0.0
        var offset = 0
        while offset < closed.count {
            let candle = closed.fromNewest(offset)
            if candle.minute < firstMinute { break }
            if candle.minute <= lastMinute { sum += candle.volume }
            offset += 1
        }
        return sum / Double(count)
    }

    /// Merges candles fetched over REST (any order, possibly with gaps) in front of the candles
    /// built from trades, then recomputes RSI over the combined history. Fetched candles at or
    /// after the first minute built from trades are ignored: our own are as good and newer.
    public mutating func merge(backfill: [Candle]) {
        let firstOwnMinute = closed.count > 0 ? closed[0].minute : (building?.minute ?? Int64.max)
        var older = backfill.filter { $0.minute < firstOwnMinute }.sorted { $0.minute < $1.minute }
        if let newest = older.last?.minute {
            older.removeAll { newest - $0.minute > Int64(CandleSeries.maximumGapMinutes) }
        }
        guard !older.isEmpty else { return }
        let own = closed.elements
        closed.removeAll()
        rsi = WilderRSI(period: rsi.period)
        var previous: Candle?
        for candle in older {
            if let previous, previous.minute == candle.minute { continue }
            if let previous {
                var gapMinute = previous.minute + 1
                while gapMinute < candle.minute {
                    appendClosed(.flat(minute: gapMinute, close: previous.close), onClose: { _, _ in })
                    gapMinute += 1
                }
            }
            appendClosed(candle, onClose: { _, _ in })
            previous = candle
        }
        let nextOwn = own.first?.minute ?? building?.minute
        if let previous, let nextOwn, nextOwn - previous.minute <= Int64(CandleSeries.maximumGapMinutes) {
            var gapMinute = previous.minute + 1
            while gapMinute < nextOwn {
                appendClosed(.flat(minute: gapMinute, close: previous.close), onClose: { _, _ in })
                gapMinute += 1
            }
        }
        for candle in own { appendClosed(candle, onClose: { _, _ in }) }
    }
}
