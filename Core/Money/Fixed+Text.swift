/// Parsing and printing of `Fixed` as plain decimal text ("500000", "0.00012", "1.16539E8").
extension Fixed: LosslessStringConvertible, CustomStringConvertible, Codable {
    /// Parses a decimal number with an optional sign, fraction and exponent (`1.16539E8`,
    /// `7.9276E-4`), as Upbit sends them. Digits beyond 16 fractional places are truncated.
    /// Returns nil for anything else (empty text, letters, NaN, overflow).
    public init?(_ text: some StringProtocol) {
        var string = String(text)
        guard let parsed = string.withUTF8({ FixedParser.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// The exact value of a binary `Double` is rarely what was meant, so this goes through the
    /// shortest decimal text that round-trips (`0.003` stays 0.003).
    public init?(approximating value: Double) {
        guard value.isFinite else { return nil }
        self.init("\(value)")
    }

    /// Plain decimal text with no exponent and no trailing zeros: "500000", "-0.5", "0.00000001".
    public var description: String {
        let negative = raw < 0
        let magnitude = raw.magnitude
        let scale = UInt128(Fixed.scale)
        let whole = magnitude / scale
        var fraction = magnitude % scale
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = Fixed.fractionDigits
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Fixed(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal number: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Fixed: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

/// A small hand-written parser: it runs for every price and volume in every frame.
public enum FixedParser {
    private static let maximumDigits = 38

    /// Parses decimal text (sign, fraction, exponent) from raw UTF-8 bytes; nil if it is not one.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Fixed? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: Int128 = 0
        var significantDigits = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                if mantissa == 0 && byte == UInt8(ascii: "0") && !sawPoint {
                    // leading zero of the integer part: nothing to keep
                } else if significantDigits < maximumDigits - 1 {
                    mantissa = mantissa * 10 + Int128(byte - UInt8(ascii: "0"))
                    significantDigits += 1
                    if sawPoint { fractionDigits += 1 }
                } else if !sawPoint {
                    return nil  // more integer digits than Int128 holds
                }
                // past 37 significant digits a fraction digit is dropped: truncation
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else { return nil }
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var sawExponentDigit = false
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                guard exponent < 100 else { return nil }
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit, index == bytes.count else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        // value = mantissa * 10^(exponent - fractionDigits); raw = value * 10^16
        let shift = exponent - fractionDigits + Fixed.fractionDigits
        guard let raw = scaled(mantissa, byPowerOfTen: shift) else { return nil }
        return Fixed(raw: negative ? -raw : raw)
    }

    /// mantissa * 10^shift, truncating when shift < 0; nil on overflow.
    private static func scaled(_ mantissa: Int128, byPowerOfTen shift: Int) -> Int128? {
        var value = mantissa
        if shift >= 0 {
            for _ in 0..<shift {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = product
            }
        } else {
            for _ in 0..<(-shift) {
                value /= 10
                if value == 0 { break }
            }
        }
        return value
    }
}
