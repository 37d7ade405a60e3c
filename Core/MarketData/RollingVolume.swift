/// Base volume and KRW value traded in a rolling window of whole seconds.
///
/// One bucket per second of the window, reused in a ring, so memory is fixed. The window is
/// (now - window, now] in whole seconds: a trade counts while its second is within the last
/// `windowSeconds` seconds of the newest event time. Second granularity is the only
/// approximation (documented in the README).
public struct RollingVolume: Equatable, Codable, Sendable {
    struct Bucket: Equatable, Codable, Sendable {
        var second: Int64 = .min
        var volume = 0.0
        var quoteValue = 0.0
    }

    private var buckets: [Bucket]

    public init(windowSeconds: Int) {
        buckets = Array(repeating: Bucket(), count: windowSeconds)
    }

    public var windowSeconds: Int { buckets.count }

    public mutating func add(second: Int64, volume: Double, quoteValue: Double) {
        let index = Int(second.remainderReportingOverflow(dividingBy: Int64(buckets.count)).partialValue)
        let slot = index < 0 ? index + buckets.count : index
        if buckets[slot].second != second {
            guard second > buckets[slot].second else { return }  // older than the window
            buckets[slot] = Bucket(second: second, volume: 0, quoteValue: 0)
        }
        buckets[slot].volume += volume
        buckets[slot].quoteValue += quoteValue
    }

    /// (volume, value) of the seconds in (nowSecond - window, nowSecond].
    public func totals(nowSecond: Int64) -> (volume: Double, quoteValue: Double) {
        let oldest = nowSecond - Int64(buckets.count)
        var volume = 0.0
        var value = 0.0
        for bucket in buckets where bucket.second > oldest && bucket.second <= nowSecond {
            volume += bucket.volume
            value += bucket.quoteValue
        }
        return (volume, value)
    }
}
