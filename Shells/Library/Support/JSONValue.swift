import Core

/// A parsed JSON document for REST answers (small and rare, unlike frames). Numbers keep their
/// text so decimals stay exact; Upbit's exchange API sends them as strings, its quotation API
/// as numbers, and `decimal` accepts both.
public indirect enum JSONValue: Equatable, Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)), (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(FrameError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FrameError) -> JSONValue in
                var scanner = JSONScanner(buffer)
                scanner.skipWhitespace()
                let value = try JSONValue.read(&scanner)
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw .malformed("trailing bytes") }
                return value
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(FrameError) -> JSONValue { try parse(Array(text.utf8)) }

    /// One value; the scanner bounds the nesting depth.
    static func read(_ scanner: inout JSONScanner) throws(FrameError) -> JSONValue {
        scanner.skipWhitespace()
        guard scanner.position < scanner.bytes.count else { throw .malformed("expected a value") }
        switch scanner.bytes[scanner.position] {
        case UInt8(ascii: "{"):
            var members: [(String, JSONValue)] = []
            try scanner.object { scanner, key throws(FrameError) in
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[key.start..<(key.start + key.count)]),
                                  as: UTF8.self)
                members.append((name, try read(&scanner)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanner.array { scanner throws(FrameError) in elements.append(try read(&scanner)) }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try scanner.string() ?? "")
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try scanner.boolean() ?? false)
        case UInt8(ascii: "n"):
            guard scanner.consumeNull() else { throw .malformed("expected null") }
            return .null
        default:
            let start = scanner.position
            try scanner.skipNumber()
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.position]), as: UTF8.self)
            guard Fixed(text) != nil else { throw .malformed("bad number \(text)") }
            return .number(text)
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var array: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var string: String? {
        switch self {
        case .string(let text): text
        case .number(let text): text
        default: nil
        }
    }

    /// A number or a numeric string, exactly.
    public var decimal: Fixed? { string.flatMap { Fixed($0) } }

    public var integer: Int64? {
        guard let value = decimal, value.raw % Fixed.scale == 0 else { return nil }
        return Int64(exactly: value.raw / Fixed.scale)
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

/// A field an answer must have.
public struct MissingField: Error, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    /// The string (or number text) at `key`, or an error naming the field.
    public func text(_ key: String) throws -> String {
        guard let value = self[key]?.string else { throw MissingField(description: "missing field \(key)") }
        return value
    }

    /// The decimal at `key` (number or numeric string), or an error naming the field.
    public func number(_ key: String) throws -> Fixed {
        guard let value = self[key]?.decimal else { throw MissingField(description: "missing number \(key)") }
        return value
    }

    /// The array this value is, or an error.
    public func elements() throws -> [JSONValue] {
        guard let array else { throw MissingField(description: "expected an array") }
        return array
    }
}
