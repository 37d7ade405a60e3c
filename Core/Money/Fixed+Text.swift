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
    /// 10^0 ... 10^38.
    static let powersOfTen: [Int128] = (0...38).map { exponent in
        var value: Int128 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses decimal text (sign, fraction, exponent) from raw UTF-8 bytes; nil if it is not one.
    /// Significant digits past 37 are dropped (truncation).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Fixed? {
        guard let (value, length) = parsePrefix(bytes), length == bytes.count else { return nil }
        return value
    }

    /// Parses the number at the start of `bytes`; returns it and how many bytes it took.
    public static func parsePrefix(_ bytes: UnsafeRawBufferPointer) -> (Fixed, Int)? {
        var index = 0
        let count = bytes.count
        var negative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        // Digits collect in a UInt64 (fast) and spill into Int128 every 18 digits.
        var mantissa: Int128 = 0
        var chunk: UInt64 = 0
        var chunkDigits = 0
        var significantDigits = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < count {
            let byte = bytes[index]
            if byte &- UInt8(ascii: "0") < 10 {
                sawDigit = true
                if significantDigits == 0 && byte == UInt8(ascii: "0") && !sawPoint {
                    // a leading zero of the integer part
                } else if significantDigits < 37 {
                    chunk = chunk &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                    chunkDigits += 1
                    significantDigits += 1
                    if sawPoint { fractionDigits += 1 }
                    if chunkDigits == 18 {
                        mantissa = mantissa * powersOfTen[18] + Int128(chunk)
                        chunk = 0
                        chunkDigits = 0
                    }
                } else if !sawPoint {
                    return nil  // more integer digits than Int128 holds
                }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        if chunkDigits > 0 { mantissa = mantissa * powersOfTen[chunkDigits] + Int128(chunk) }
        var exponent = 0
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var sawExponentDigit = false
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
                exponent = exponent * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                guard exponent < 100 else { return nil }
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        // value = mantissa * 10^(exponent - fractionDigits); raw = value * 10^16
        let shift = exponent - fractionDigits + Fixed.fractionDigits
        let raw: Int128
        if shift >= 0 {
            guard shift <= 38 else { return mantissa == 0 ? (Fixed.zero, index) : nil }
            let (product, overflow) = mantissa.multipliedReportingOverflow(by: powersOfTen[shift])
            guard !overflow else { return nil }
            raw = product
        } else {
            raw = -shift <= 38 ? mantissa / powersOfTen[-shift] : 0
        }
        return (Fixed(raw: negative ? -raw : raw), index)
    }
}
