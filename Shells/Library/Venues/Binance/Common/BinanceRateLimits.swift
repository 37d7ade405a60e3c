/// Binance's request and order budgets (binance-futures.md §4): per IP 2400 weight a minute, per
/// account 300 orders in 10 s and 1200 a minute, unless `exchangeInfo.rateLimits` says otherwise.
public struct BinanceRateLimits: Equatable, Sendable {
    public var weightPerMinute: Int
    public var ordersPerTenSeconds: Int
    public var ordersPerMinute: Int

    public init(weightPerMinute: Int = 2_400, ordersPerTenSeconds: Int = 300, ordersPerMinute: Int = 1_200) {
        self.weightPerMinute = weightPerMinute
        self.ordersPerTenSeconds = ordersPerTenSeconds
        self.ordersPerMinute = ordersPerMinute
    }

    public static let standard = BinanceRateLimits()

    /// `[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400}, …]`:
    /// the entries the bot knows replace the defaults; others (and implausible limits) are ignored.
    public static func parse(_ json: JSONValue?) -> BinanceRateLimits {
        var limits = BinanceRateLimits.standard
        for entry in (json?.array ?? []).prefix(32) {
            guard let type = entry["rateLimitType"]?.string, let interval = entry["interval"]?.string,
                  let count = entry["intervalNum"]?.integer, let limit = entry["limit"]?.integer,
                  (1...1_000_000).contains(limit) else { continue }
            switch (type, interval, count) {
            case ("REQUEST_WEIGHT", "MINUTE", 1): limits.weightPerMinute = Int(limit)
            case ("ORDERS", "SECOND", 10): limits.ordersPerTenSeconds = Int(limit)
            case ("ORDERS", "MINUTE", 1): limits.ordersPerMinute = Int(limit)
            default: break
            }
        }
        return limits
    }
}
