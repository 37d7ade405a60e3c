/// What the core knows of a tradable symbol (Nautilus's `CurrencyPair` / `CryptoPerpetual`): its
/// assets, price grid, quantity step and limits, and fees. The venue's adapter supplies it (a
/// `marketsListed` listing, or the venue's default instrument for a symbol); the reducer reads it
/// wherever it rounds a price or a quantity, checks a minimum or maximum, or charges a fee.
public struct Instrument: Equatable, Codable, Sendable {
    public enum Kind: Equatable, Codable, Sendable {
        /// Bought with cash, held as coins: long only, the full notional is paid.
        case spot
        /// A linear perpetual future margined in the quote asset: long or short, `notional /
        /// leverage` is set aside as margin.
        case perpetual(maximumLeverage: Int)
    }

    public var symbol: String
    public var baseAsset: String
    public var quoteAsset: String
    public var kind: Kind
    public var tickScheme: TickScheme
    /// Every order quantity is a multiple of this.
    public var quantityStep: Fixed
    public var minimumQuantity: Fixed
    public var maximumQuantity: Fixed
    /// Price × quantity (or the quote amount of a quote-sized order) at least / at most this.
    public var minimumNotional: Fixed
    public var maximumNotional: Fixed
    /// Sizing floors quote amounts to this many decimals.
    public var quoteDecimals: Int
    /// Fee rates; nil = the config's `fees.rate` (paper mode and backtests use it, and live mode
    /// until the venue says).
    public var makerFee: Fixed?
    public var takerFee: Fixed?
    /// Whether a market buy can be sized by the quote amount to spend (Upbit's `ord_type=price`);
    /// otherwise every order is sized by quantity.
    public var quoteSizedMarketBuys: Bool
    /// A perpetual's maintenance-margin brackets by notional, lowest first (empty: unknown, the
    /// liquidation price is estimated with `MaintenanceTier.fallback`).
    @Defaulted<NoTiers> public var maintenanceTiers: [MaintenanceTier] = []

    public init(symbol: String, baseAsset: String, quoteAsset: String, kind: Kind, tickScheme: TickScheme,
                quantityStep: Fixed, minimumQuantity: Fixed = 0, maximumQuantity: Fixed = Instrument.largest,
                minimumNotional: Fixed, maximumNotional: Fixed = Instrument.largest, quoteDecimals: Int,
                makerFee: Fixed? = nil, takerFee: Fixed? = nil, quoteSizedMarketBuys: Bool = false,
                maintenanceTiers: [MaintenanceTier] = []) {
        self.symbol = symbol
        self.baseAsset = baseAsset
        self.quoteAsset = quoteAsset
        self.kind = kind
        self.tickScheme = tickScheme
        self.quantityStep = quantityStep
        self.minimumQuantity = minimumQuantity
        self.maximumQuantity = maximumQuantity
        self.minimumNotional = minimumNotional
        self.maximumNotional = maximumNotional
        self.quoteDecimals = quoteDecimals
        self.makerFee = makerFee
        self.takerFee = takerFee
        self.quoteSizedMarketBuys = quoteSizedMarketBuys
        self.maintenanceTiers = maintenanceTiers
    }

    /// No limit (far below anything that could overflow a product of two amounts).
    public static let largest: Fixed = 1_000_000_000_000_000

    public var isSpot: Bool { kind == .spot }

    /// A quantity floored to the step.
    public func flooredQuantity(_ quantity: Fixed) -> Fixed { quantity.floored(toMultipleOf: quantityStep) }

    /// A quote amount floored to the quote decimals.
    public func flooredQuote(_ amount: Fixed) -> Fixed { amount.floored(places: quoteDecimals) }

    /// One unit of the last quote decimal: what an exchange's rounding of funds may differ by.
    public var quoteUnit: Fixed { Fixed.unit(places: quoteDecimals) }
}
