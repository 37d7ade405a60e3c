import Core

/// What the core needs to know of Upbit's KRW market (upbit-api.md §6): the venue profile that
/// every Upbit state starts from. The only place KRW is written down as data.
public enum UpbitVenue {
    /// The KRW price table (policy effective 2025-07-31); a market's own `tick_size` replaces it.
    public static let krwTicks = TickScheme.tiered([
        .init(1_000_000, 1_000), .init(500_000, 500), .init(100_000, 100), .init(50_000, 50),
        .init(10_000, 10), .init(5_000, 5), .init(100, 1), .init(10, Fixed("0.1")!),
        .init(1, Fixed("0.01")!), .init(Fixed("0.1")!, Fixed("0.001")!), .init(Fixed("0.01")!, Fixed("0.0001")!),
        .init(Fixed("0.001")!, Fixed("0.00001")!), .init(Fixed("0.0001")!, Fixed("0.000001")!),
        .init(Fixed("0.00001")!, Fixed("0.0000001")!),
    ], smallest: Fixed("0.00000001")!)

    /// A KRW spot market: 8-decimal volumes, 5,000 KRW minimum and 1e9 KRW maximum per order,
    /// whole-KRW sizing, market buys by KRW amount; fees from `/v1/orders/chance` (else the
    /// config's `fees.rate`).
    public static let krwInstrument = Instrument(
        symbol: "KRW-BTC", baseAsset: "BTC", quoteAsset: "KRW", kind: .spot, tickScheme: krwTicks,
        quantityStep: Fixed("0.00000001")!, minimumNotional: 5_000, maximumNotional: 1_000_000_000, quoteDecimals: 0,
        quoteSizedMarketBuys: true)

    /// Upbit's KRW market: `KRW-` symbols, the day starting at 00:00 KST, no leverage.
    public static let profile = VenueProfile(
        name: "upbit", quoteAsset: "KRW", symbolPrefix: "KRW-", symbolSuffix: "", defaultInstrument: krwInstrument,
        dayStartOffsetMinutes: 9 * 60, dayStartZone: "KST")

    /// `KRW-BTC` and the like.
    public static func isKRWMarket(_ code: String) -> Bool { profile.accepts(code) && code.count <= 20 }
}
