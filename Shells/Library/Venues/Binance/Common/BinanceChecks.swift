import Core

/// What Binance's values must look like before they become core values (the counterpart of
/// Upbit's `FrameChecks`): symbols of upper-case letters and digits, times between 2000 and 2100,
/// amounts not negative and below 10^15, ids that fit an Int64.
enum BinanceChecks {
    /// `BTCUSDT`, `1000PEPEUSDT`: 2 to 32 upper-case letters or digits. Symbols with other
    /// characters exist (`测试USDT`, binance-futures.md §1); the bot does not trade them.
    static func symbol(_ text: String?, field: String = "symbol") throws(FrameError) -> String {
        guard let text else { throw .missing(field) }
        let bytes = text.utf8
        guard (2...32).contains(bytes.count), bytes.allSatisfy(isUpperOrDigit) else {
            throw .malformed("implausible \(field)")
        }
        return text
    }

    static func time(_ time: Int64?, field: String) throws(FrameError) -> Milliseconds {
        try FrameChecks.time(time, field: field)
    }

    /// A required amount: present, not negative, not beyond any real account.
    static func amount(_ value: Fixed?, field: String) throws(FrameError) -> Fixed {
        guard let value else { throw .missing(field) }
        return try FrameChecks.amount(value, field: field)
    }

    /// A signed amount (a position size, a PnL, a funding rate): its magnitude is bounded.
    static func signedAmount(_ value: Fixed?, field: String) throws(FrameError) -> Fixed {
        guard let value else { throw .missing(field) }
        guard value.magnitude <= FrameChecks.maximumAmount else { throw .malformed("implausible \(field)") }
        return value
    }

    /// A positive price or step.
    static func positive(_ value: Fixed?, field: String) throws(FrameError) -> Fixed {
        let value = try amount(value, field: field)
        guard value.isPositive else { throw .malformed("\(field) is not positive") }
        return value
    }

    /// Client order ids as Binance allows them: `^[.A-Z:/a-z0-9_-]{1,36}$` (§3.4).
    static func isValidClientId(_ text: String) -> Bool {
        let bytes = text.utf8
        return (1...36).contains(bytes.count) && bytes.allSatisfy { byte in
            isUpperOrDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    static func isUpperOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
