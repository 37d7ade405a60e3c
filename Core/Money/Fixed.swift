/// An exact decimal number for prices, quantities and quote amounts.
///
/// Fixed point on `Int128` with 16 fractional digits: Upbit's prices and volumes have at most
/// 8 fractional digits, so sums, differences and the product of a price and a volume are exact.
/// Products and quotients beyond 16 digits are truncated toward zero (deterministically); money
/// that goes into an order is rounded explicitly with `floored(toMultipleOf:)` and friends.
/// The range is about ±1.7e22, far beyond any KRW amount Upbit accepts (1e9 per order).
/// Never `Double` on the way to an order: `Double` is only for indicators.
public struct Fixed: Hashable, Comparable, Sendable {
    /// Fractional digits kept.
    public static let fractionDigits = 16
    /// 10^16: the raw value of 1.
    public static let scale: Int128 = 10_000_000_000_000_000

    /// The value times `scale`.
    public var raw: Int128

    public init(raw: Int128) { self.raw = raw }

    public init(_ integer: Int) { raw = Int128(integer) * Fixed.scale }

    public static let zero = Fixed(raw: 0)
    public static let one = Fixed(raw: scale)

    public static func < (lhs: Fixed, rhs: Fixed) -> Bool { lhs.raw < rhs.raw }

    public static func + (lhs: Fixed, rhs: Fixed) -> Fixed { Fixed(raw: lhs.raw + rhs.raw) }
    public static func - (lhs: Fixed, rhs: Fixed) -> Fixed { Fixed(raw: lhs.raw - rhs.raw) }
    public static prefix func - (value: Fixed) -> Fixed { Fixed(raw: -value.raw) }
    public static func += (lhs: inout Fixed, rhs: Fixed) { lhs.raw += rhs.raw }
    public static func -= (lhs: inout Fixed, rhs: Fixed) { lhs.raw -= rhs.raw }

    /// Product, truncated toward zero at 16 fractional digits.
    public static func * (lhs: Fixed, rhs: Fixed) -> Fixed {
        Fixed(raw: dividedFullWidth(lhs.raw.multipliedFullWidth(by: rhs.raw), by: scale))
    }

    /// Quotient, truncated toward zero at 16 fractional digits. Division by zero is a
    /// programming error (callers check first).
    public static func / (lhs: Fixed, rhs: Fixed) -> Fixed {
        precondition(rhs.raw != 0, "Fixed division by zero")
        return Fixed(raw: dividedFullWidth(lhs.raw.multipliedFullWidth(by: scale), by: rhs.raw))
    }

    /// (high, low) / divisor, truncated toward zero, for signed operands.
    private static func dividedFullWidth(_ product: (high: Int128, low: UInt128), by divisor: Int128) -> Int128 {
        divisor.dividingFullWidth(product).quotient
    }

    public var isZero: Bool { raw == 0 }
    public var isNegative: Bool { raw < 0 }
    public var isPositive: Bool { raw > 0 }
    /// The absolute value.
    public var magnitude: Fixed { raw < 0 ? Fixed(raw: -raw) : self }

    public static func min(_ a: Fixed, _ b: Fixed) -> Fixed { a < b ? a : b }
    public static func max(_ a: Fixed, _ b: Fixed) -> Fixed { a < b ? b : a }

    /// The largest multiple of `step` that is <= self (`step` > 0).
    public func floored(toMultipleOf step: Fixed) -> Fixed {
        precondition(step.raw > 0, "step must be positive")
        var remainder = raw % step.raw
        if remainder < 0 { remainder += step.raw }
        return Fixed(raw: raw - remainder)
    }

    /// The smallest multiple of `step` that is >= self (`step` > 0).
    public func ceiled(toMultipleOf step: Fixed) -> Fixed {
        let floor = floored(toMultipleOf: step)
        return floor == self ? floor : Fixed(raw: floor.raw + step.raw)
    }

    /// Rounded down to `places` fractional digits (0...16).
    public func floored(places: Int) -> Fixed {
        floored(toMultipleOf: Fixed.unit(places: places))
    }

    /// Rounded to `places` fractional digits, halves away from zero (for display and reports).
    public func rounded(places: Int) -> Fixed {
        let unit = Fixed.unit(places: places).raw
        let half = unit / 2
        let magnitude = raw.magnitude
        let floor = magnitude - magnitude % UInt128(unit)
        let rounded = magnitude - floor >= UInt128(half) ? floor + UInt128(unit) : floor
        return Fixed(raw: raw < 0 ? -Int128(rounded) : Int128(rounded))
    }

    /// 10^-places, for example `unit(places: 8)` = 0.00000001.
    public static func unit(places: Int) -> Fixed {
        precondition((0...fractionDigits).contains(places), "places out of range")
        var raw = scale
        for _ in 0..<places { raw /= 10 }
        return Fixed(raw: raw)
    }

    /// Approximate value for indicators and display. Never use it on the way to an order.
    ///
    /// Hot path (twice per trade), so no `Double(Int128)` (slow generic code on Linux). Values
    /// with at most 8 fractional digits (all of Upbit's) below 2^53 / 10^8 convert correctly
    /// rounded: N = value × 10^8 is an exact integer and N / 10^8 one IEEE division.
    public var doubleValue: Double {
        let units = raw / Fixed.eightDigitUnit
        let remainder = raw - units * Fixed.eightDigitUnit
        if remainder == 0, units._high == 0 || units._high == -1, abs(Int64(bitPattern: units._low)) < 1 << 53 {
            return Double(Int64(bitPattern: units._low)) / 1e8
        }
        let whole = raw / Fixed.scale
        let fraction = raw - whole * Fixed.scale
        guard whole._high == 0 || (whole._high == -1 && whole._low >= 1 << 63) else {
            return (Double(raw._high) * 18_446_744_073_709_551_616.0 + Double(raw._low)) / 1e16
        }
        return Double(Int64(bitPattern: whole._low)) + Double(Int64(bitPattern: fraction._low)) / 1e16
    }

    /// 10^-8 in raw units.
    static let eightDigitUnit: Int128 = 100_000_000
}
