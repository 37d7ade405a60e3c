import Core

/// What the core needs to know of Binance's USDⓈ-M futures (binance-futures.md §6, §8): the venue
/// profile a Binance state starts from. The only place USDT is written down as data.
public enum BinanceVenue {
    public static let name = "binance-futures"
    public static let quoteAsset = "USDT"

    /// Binance's largest leverage on its main perpetuals; `exchangeInfo` does not say it (the
    /// leverage brackets do), so this is the ceiling until the brackets are read.
    public static let defaultMaximumLeverage = 125

    /// A USDT-margined perpetual until `exchangeInfo` describes the symbol: BTCUSDT's usual grid
    /// (tick 0.10, step 0.001), 5 USDT minimum notional, quantities sized in the base asset.
    /// `quoteDecimals` is 8: USDT balances and `cumQuote` carry up to 8 decimals (the symbol's
    /// `quotePrecision`), and sizing never needs more.
    public static let perpetualInstrument = Instrument(
        symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: quoteAsset,
        kind: .perpetual(maximumLeverage: defaultMaximumLeverage), tickScheme: .fixed(Fixed("0.1")!),
        quantityStep: Fixed("0.001")!, minimumQuantity: Fixed("0.001")!, minimumNotional: 5, quoteDecimals: 8,
        quoteSizedMarketBuys: false)

    /// `BTCUSDT` symbols (no prefix, `USDT` suffix), the trading day at 00:00 UTC, the given
    /// leverage, funding every 8 hours (00:00, 08:00, 16:00 UTC).
    public static func profile(leverage: Int) -> VenueProfile {
        VenueProfile(name: name, quoteAsset: quoteAsset, symbolPrefix: "", symbolSuffix: quoteAsset,
                     defaultInstrument: perpetualInstrument, dayStartOffsetMinutes: 0, dayStartZone: "UTC",
                     leverage: leverage, fundingIntervalMinutes: 8 * 60)
    }
}
