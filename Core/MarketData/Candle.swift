/// A closed or building 1-minute candle. `minute` is the UTC epoch minute (milliseconds / 60,000).
/// Values are `Double`: candles feed indicators, never orders.
public struct Candle: Equatable, Codable, Sendable {
    public var minute: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(minute: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.minute = minute
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// A minute with no trades: open = high = low = close = previous close, volume 0.
    static func flat(minute: Int64, close: Double) -> Candle {
        Candle(minute: minute, open: close, high: close, low: close, close: close, volume: 0)
    }

    mutating func add(price: Double, volume: Double) {
        if price > high { high = price }
        if price < low { low = price }
        close = price
        self.volume += volume
    }
}
