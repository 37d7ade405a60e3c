import Core

/// A forward-only reader of one JSON value in a byte buffer, for the hot path of frame decoding:
/// no allocation, unknown keys skipped, nulls and exponent numbers accepted. Anything that is not
/// well-formed JSON throws `FrameError.malformed`.
struct JSONScanner: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func fail(_ what: String) -> FrameError { .malformed("\(what) at byte \(position)") }

    mutating func expect(_ byte: UInt8) throws(FrameError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        position += 1
    }

    /// True and consumed when the next byte is `byte`.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Iterates an object's members: `body` gets each key's hash and bytes and must consume the value.
    mutating func object(_ body: (inout JSONScanner, Key) throws(FrameError) -> Void) throws(FrameError) {
        try expect(UInt8(ascii: "{"))
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            skipWhitespace()
            let key = try keyString()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try body(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Iterates an array's elements: `body` must consume each element.
    mutating func array(_ body: (inout JSONScanner) throws(FrameError) -> Void) throws(FrameError) {
        try expect(UInt8(ascii: "["))
        if consume(UInt8(ascii: "]")) { return }
        repeat {
            skipWhitespace()
            try body(&self)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// A key: its bytes (escape-free keys only, as Upbit's are) and an FNV-1a hash to switch on.
    struct Key {
        var start: Int
        var count: Int
        var hash: UInt64
    }

    mutating func keyString() throws(FrameError) -> Key {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
        position += 1
        let start = position
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return Key(start: start, count: position - 1 - start, hash: hash)
            }
            if byte == UInt8(ascii: "\\") { throw fail("escaped key") }
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
            position += 1
        }
        throw fail("unterminated key")
    }

    static func hash(_ text: StaticString) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        text.withUTF8Buffer { buffer in
            for byte in buffer { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        return hash
    }

    /// A string value; nil for `null`. Escapes are decoded.
    mutating func string() throws(FrameError) -> String? {
        if consumeNull() { return nil }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        position += 1
        let start = position
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return escaped ? try JSONScanner.unescape(raw) : String(decoding: raw, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
            }
            position += 1
        }
        throw fail("unterminated string")
    }

    /// The string value compared with `text` without building a String.
    mutating func stringEquals(_ text: StaticString) throws(FrameError) -> Bool {
        let start = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            _ = try string()
            return false
        }
        try skipValue()
        let body = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
        return text.withUTF8Buffer { $0.elementsEqual(body) }
    }

    mutating func consumeNull() -> Bool {
        guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"),
              bytes[position + 1] == UInt8(ascii: "u"), bytes[position + 2] == UInt8(ascii: "l"),
              bytes[position + 3] == UInt8(ascii: "l") else { return false }
        position += 4
        return true
    }

    /// A number as an exact decimal (Upbit's `1.16539E8` included); nil for `null`. A number
    /// written as a string ("1000.0", as Upbit's REST answers) is accepted too.
    mutating func decimal() throws(FrameError) -> Fixed? {
        if consumeNull() { return nil }
        var quoted = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
            quoted = true
            position += 1
        }
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            let numeric = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E")
            if !numeric { break }
            position += 1
        }
        guard let value = FixedParser.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<position])) else {
            throw fail("expected a number")
        }
        if quoted { try expect(UInt8(ascii: "\"")) }
        return value
    }

    /// A whole number (timestamps, ids); nil for `null`.
    mutating func integer() throws(FrameError) -> Int64? {
        if consumeNull() { return nil }
        guard let value = try decimal() else { return nil }
        guard value.raw % Fixed.scale == 0, let whole = Int64(exactly: value.raw / Fixed.scale) else {
            throw fail("expected a whole number")
        }
        return whole
    }

    mutating func boolean() throws(FrameError) -> Bool? {
        if consumeNull() { return nil }
        if bytes.count - position >= 4, bytes[position] == UInt8(ascii: "t") {
            position += 4
            return true
        }
        if bytes.count - position >= 5, bytes[position] == UInt8(ascii: "f") {
            position += 5
            return false
        }
        throw fail("expected true or false")
    }

    /// Skips any value, nested or not.
    mutating func skipValue() throws(FrameError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail("expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try object { scanner, _ throws(FrameError) in try scanner.skipValue() }
        case UInt8(ascii: "["):
            try array { scanner throws(FrameError) in try scanner.skipValue() }
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try boolean()
        case UInt8(ascii: "n"):
            guard consumeNull() else { throw fail("expected null") }
        default:
            _ = try decimal()
        }
    }

    static func unescape(_ raw: UnsafeRawBufferPointer) throws(FrameError) -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var index = 0
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll()
            }
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { throw .malformed("bad escape") }
            let code = raw[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= raw.count,
                      let value = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: raw[index..<(index + 4)]),
                                                as: UTF8.self), radix: 16) else { throw .malformed("bad \\u escape") }
                index += 4
                flush()
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default: utf8.append(code)
            }
        }
        flush()
        return String(scalars)
    }
}

/// Why a frame could not be used.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case missing(String)

    public var description: String {
        switch self {
        case .malformed(let detail): "malformed JSON: \(detail)"
        case .missing(let field): "missing field \(field)"
        }
    }
}
