/// An order as the core asks for it, on any venue; the venue's gateway turns it into its own
/// request (Upbit's `ord_type=price` for a quote-sized market buy, for example).
public struct OrderRequest: Equatable, Codable, Sendable {
    public enum Kind: Equatable, Codable, Sendable {
        case market
        case limit(price: Fixed)
        /// An exchange-side stop that closes the whole position at market once the mark price
        /// crosses `trigger` (a futures venue's safety stop while the bot is down). Spot venues
        /// have none.
        case protectiveStop(trigger: Fixed)
    }

    public enum Size: Equatable, Codable, Sendable {
        /// In the base asset.
        case quantity(Fixed)
        /// A quote amount to spend (market buys on venues whose instrument allows it).
        case quote(Fixed)
    }

    public var identifier: String
    public var market: String
    public var side: Side
    public var kind: Kind
    public var size: Size
    /// Only reduces a position (futures exits); spot venues ignore it.
    public var reduceOnly: Bool

    public init(identifier: String, market: String, side: Side, kind: Kind, size: Size, reduceOnly: Bool = false) {
        self.identifier = identifier
        self.market = market
        self.side = side
        self.kind = kind
        self.size = size
        self.reduceOnly = reduceOnly
    }

    /// The quantity asked for (nil for a quote-sized order).
    public var requestedQuantity: Fixed? {
        if case .quantity(let quantity) = size { return quantity }
        return nil
    }

    /// The limit price (nil for market and stop orders).
    public var limitPrice: Fixed? {
        if case .limit(let price) = kind { return price }
        return nil
    }
}
