/// How an instrument's prices step (Nautilus's `TickScheme`): one tick for every price, or a
/// tiered table where the tick grows with the price (Upbit's KRW table).
public enum TickScheme: Equatable, Codable, Sendable {
    /// Every price is a multiple of this tick.
    case fixed(Fixed)
    /// (lower bound of a price band, its tick), highest band first; prices below the lowest band
    /// use `smallest`.
    case tiered([Tier], smallest: Fixed)

    public struct Tier: Equatable, Codable, Sendable {
        public var lowerBound: Fixed
        public var tick: Fixed

        public init(_ lowerBound: Fixed, _ tick: Fixed) {
            self.lowerBound = lowerBound
            self.tick = tick
        }
    }

    /// The tick at a price.
    public func tick(for price: Fixed) -> Fixed {
        switch self {
        case .fixed(let tick):
            return tick
        case .tiered(let tiers, let smallest):
            for tier in tiers where price >= tier.lowerBound { return tier.tick }
            return smallest
        }
    }

    /// A buy price: the highest grid price <= `price`. A price that rounds down into a lower band
    /// stays on that band's (finer) grid.
    public func roundDown(_ price: Fixed) -> Fixed { price.floored(toMultipleOf: tick(for: price)) }

    /// A sell price: the lowest grid price >= `price`. Rounding up across a band boundary lands on
    /// the boundary, which is on both grids.
    public func roundUp(_ price: Fixed) -> Fixed { price.ceiled(toMultipleOf: tick(for: price)) }

    /// Whether `price` is on the grid.
    public func isOnGrid(_ price: Fixed) -> Bool { roundDown(price) == price }
}
