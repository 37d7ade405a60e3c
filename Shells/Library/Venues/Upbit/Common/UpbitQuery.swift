/// A request's parameters in the order they are sent. Upbit hashes the *unencoded* string
/// (`market=KRW-BTC&states[]=wait&states[]=watch`) and expects the URL's values encoded with `[]`
/// in keys left as they are (upbit-api.md §2, §11). A POST hashes its JSON body's pairs the same way.
public struct UpbitQuery: Equatable, Sendable {
    public var items: [(key: String, value: String)]

    public init(_ items: [(String, String)] = []) {
        self.items = items.map { (key: $0.0, value: $0.1) }
    }

    public static func == (lhs: UpbitQuery, rhs: UpbitQuery) -> Bool {
        lhs.items.map(\.key) == rhs.items.map(\.key) && lhs.items.map(\.value) == rhs.items.map(\.value)
    }

    public var isEmpty: Bool { items.isEmpty }

    /// What `query_hash` is computed over.
    public var unencoded: String { items.map { "\($0.key)=\($0.value)" }.joined(separator: "&") }

    /// For the URL: values percent-encoded, keys' `[]` kept.
    public var encoded: String {
        items.map { "\(UpbitQuery.encode($0.key, keepBrackets: true))=\(UpbitQuery.encode($0.value, keepBrackets: false))" }
            .joined(separator: "&")
    }

    /// The same pairs as a JSON object, in order, all values strings (Upbit's order body).
    public var jsonBody: String {
        "{" + items.map { "\"\(UpbitQuery.jsonEscape($0.key))\":\"\(UpbitQuery.jsonEscape($0.value))\"" }
            .joined(separator: ",") + "}"
    }

    static func encode(_ text: String, keepBrackets: Bool) -> String {
        var output = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
                || (keepBrackets && (byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")))
            if unreserved {
                output.unicodeScalars.append(scalar)
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }

    /// Text made safe inside a JSON string.
    public static func jsonEscape(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }
}
