/// Wilder's RSI restated for tests, apart from `Core.WilderRSI`: TA-Lib's definition and order of
/// operations (seed = simple means of the first `period` changes, then
/// `avg = (avg * (period - 1) + x) / period`; RSI = 100 * gain / (gain + loss), 0 when that sum is
/// below 1e-8). One value per close, nil until `period + 1` closes are known. Used where a
/// scenario's trace holds more RSI values than can be written out (long runs of flat candles).
public func referenceRSI(_ closes: [Double], period: Int = 14) -> [Double?] {
    var output: [Double?] = []
    var previous: Double?
    var changes = 0
    var gain = 0.0, loss = 0.0
    let p = Double(period)
    for close in closes {
        defer { previous = close }
        guard let last = previous else {
            output.append(nil)
            continue
        }
        let change = close - last
        changes += 1
        if changes <= period {
            if change < 0 { loss -= change } else { gain += change }
            if changes < period {
                output.append(nil)
                continue
            }
            loss /= p
            gain /= p
        } else {
            loss *= p - 1
            gain *= p - 1
            if change < 0 { loss -= change } else { gain += change }
            loss /= p
            gain /= p
        }
        let sum = gain + loss
        output.append(-0.00000001 < sum && sum < 0.00000001 ? 0 : 100 * (gain / sum))
    }
    return output
}

/// The closes of `Market.warmUp(minutes:low:high:)`: alternating, ending on `low`.
public func warmUpCloses(minutes: Int = 30, low: Double, high: Double) -> [Double] {
    (0..<minutes).map { $0 % 2 == (minutes - 1) % 2 ? low : high }
}
