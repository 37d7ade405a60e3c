/// Upbit's KRW price grid (upbit-api.md §6.1, policy effective 2025-07-31).
///
/// The table is the fallback; a market's own `tick_size` from `GET /v1/orderbook/instruments`
/// arrives as a `marketRulesReceived` event and overrides it for that market.
public enum TickGrid {
    /// (lower bound of the price band, tick), highest band first.
    static let krwBands: [(lowerBound: Fixed, tick: Fixed)] = [
        (Fixed(1_000_000), Fixed(1_000)),
        (Fixed(500_000), Fixed(500)),
        (Fixed(100_000), Fixed(100)),
        (Fixed(50_000), Fixed(50)),
        (Fixed(10_000), Fixed(10)),
        (Fixed(5_000), Fixed(5)),
        (Fixed(100), Fixed(1)),
        (Fixed(10), Fixed("0.1")!),
        (Fixed(1), Fixed("0.01")!),
        (Fixed("0.1")!, Fixed("0.001")!),
        (Fixed("0.01")!, Fixed("0.0001")!),
        (Fixed("0.001")!, Fixed("0.00001")!),
        (Fixed("0.0001")!, Fixed("0.000001")!),
        (Fixed("0.00001")!, Fixed("0.0000001")!),
    ]
    static let smallestKRWTick = Fixed("0.00000001")!

    /// The KRW tick for a price, from the table.
    public static func krwTick(for price: Fixed) -> Fixed {
        for band in krwBands where price >= band.lowerBound {
            return band.tick
        }
        return smallestKRWTick
    }

    /// A buy price: the highest grid price <= `price`. A price that rounds down into a lower band
    /// stays on that band's (finer) grid.
    public static func roundDown(_ price: Fixed, tick: Fixed? = nil) -> Fixed {
        price.floored(toMultipleOf: tick ?? krwTick(for: price))
    }

    /// A sell price: the lowest grid price >= `price`. Rounding up across a band boundary lands on
    /// the boundary, which is on both grids.
    public static func roundUp(_ price: Fixed, tick: Fixed? = nil) -> Fixed {
        price.ceiled(toMultipleOf: tick ?? krwTick(for: price))
    }

    /// Whether `price` is on the grid.
    public static func isOnGrid(_ price: Fixed, tick: Fixed? = nil) -> Bool {
        roundDown(price, tick: tick) == price
    }
}
