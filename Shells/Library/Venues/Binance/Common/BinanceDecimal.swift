import Core

/// Decimals as Binance accepts them (binance-futures.md §6): plain text, no exponent, and never
/// more fractional digits than the filter's step or tick (-1111 otherwise). `0.010` for a
/// quantity on a 0.001 step, `60180.0` for a price on a 0.10 tick, as Binance's own answers
/// write them.
public enum BinanceDecimal {
    /// The number of fractional digits a step or tick has (`0.10` → 1, `0.001` → 3, `1` → 0).
    public static func places(of step: Fixed) -> Int {
        var raw = step.raw.magnitude % UInt128(Fixed.scale)
        guard raw != 0 else { return 0 }
        var places = Fixed.fractionDigits
        while raw % 10 == 0 {
            raw /= 10
            places -= 1
        }
        return places
    }

    /// `value` written with exactly the step's places; nil when the value is negative or has
    /// more places than the step allows (it was not rounded to the grid: refuse, never round here).
    public static func text(_ value: Fixed, step: Fixed) -> String? {
        guard !value.isNegative, step.isPositive else { return nil }
        let places = places(of: step)
        guard value.floored(places: places) == value else { return nil }
        let plain = value.description
        let parts = plain.split(separator: ".", maxSplits: 1)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        guard places > 0 else { return whole }
        return whole + "." + fraction + String(repeating: "0", count: places - fraction.count)
    }
}
