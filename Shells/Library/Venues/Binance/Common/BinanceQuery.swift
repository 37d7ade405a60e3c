/// A request's parameters in the order they are sent and signed. Values are percent-encoded
/// (outside `[A-Za-z0-9._~-]`) and the encoded text is what is both sent and signed, so the
/// signed bytes always equal the sent bytes (binance-futures.md §2). Surge's own values (numbers,
/// symbols, its client ids) need no encoding, so for them raw and encoded forms are the same.
public struct BinanceQuery: Equatable, Sendable {
    public var items: [(key: String, value: String)]

    public init(_ items: [(String, String)] = []) {
        self.items = items.map { (key: $0.0, value: $0.1) }
    }

    public static func == (lhs: BinanceQuery, rhs: BinanceQuery) -> Bool {
        lhs.items.map(\.key) == rhs.items.map(\.key) && lhs.items.map(\.value) == rhs.items.map(\.value)
    }

    public var isEmpty: Bool { items.isEmpty }

    public mutating func append(_ key: String, _ value: String) { items.append((key: key, value: value)) }

    /// `key=value&…`, values percent-encoded.
    public var encoded: String {
        items.map { "\(BinanceQuery.encode($0.key))=\(BinanceQuery.encode($0.value))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        var output = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            if unreserved {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }
}
