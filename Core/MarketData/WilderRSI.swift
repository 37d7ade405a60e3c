/// Wilder's RSI with TA-Lib's exact semantics, fed one close at a time.
///
/// Seeding: the first average gain and loss are simple means of the first `period` changes;
/// afterwards `avg = (avg * (period - 1) + x) / period`, in TA-Lib's order of operations so the
/// values match TA-Lib to the last bits. RSI = 100 * gain / (gain + loss), and 0 when the sum is
/// (TA-Lib's) zero. No value exists until `period + 1` closes are known.
public struct WilderRSI: Equatable, Codable, Sendable {
    public let period: Int
    private var previousClose: Double?
    private var changes = 0
    private var averageGain = 0.0
    private var averageLoss = 0.0
    public private(set) var value: Double?

    public init(period: Int) {
        precondition(period >= 2, "RSI period must be >= 2")
        self.period = period
    }

    public mutating func add(close: Double) {
        guard let previous = previousClose else {
            previousClose = close
            return
        }
        previousClose = close
        let change = close - previous
        changes += 1
        let periodValue = Double(period)
        if changes <= period {
            if change < 0 { averageLoss -= change } else { averageGain += change }
            guard changes == period else { return }
            averageLoss /= periodValue
            averageGain /= periodValue
        } else {
            averageLoss *= periodValue - 1
            averageGain *= periodValue - 1
            if change < 0 { averageLoss -= change } else { averageGain += change }
            averageLoss /= periodValue
            averageGain /= periodValue
        }
        value = WilderRSI.rsi(gain: averageGain, loss: averageLoss)
    }

    /// TA-Lib's `TA_IS_ZERO`: |x| < 1e-8.
    static func rsi(gain: Double, loss: Double) -> Double {
        let sum = gain + loss
        if -0.00000001 < sum && sum < 0.00000001 { return 0 }
        return 100 * (gain / sum)
    }

    /// RSI over a whole series, one value per close from index `period` (TA-Lib's output).
    public static func series(_ closes: [Double], period: Int) -> [Double] {
        var rsi = WilderRSI(period: period)
        var output: [Double] = []
        for close in closes {
            rsi.add(close: close)
            if let value = rsi.value { output.append(value) }
        }
        return output
    }
}
