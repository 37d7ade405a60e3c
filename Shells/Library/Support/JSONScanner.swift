import Core
import Foundation

/// A forward-only reader of one JSON value in a byte buffer, for the hot path of frame decoding:
/// no allocation, unknown keys skipped, nulls and exponent numbers accepted. Anything that is not
/// well-formed JSON throws `FrameError.malformed`.
struct JSONScanner: ~Copyable {
    /// Objects and arrays nest at most this deep: a frame of 70,000 nested arrays is refused, not
    /// a stack overflow. Upbit's frames nest three levels.
    static let maximumDepth = 32

    let bytes: UnsafeRawBufferPointer
    var position = 0
    var depth = 0

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
        try enter()
        defer { depth -= 1 }
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
        try enter()
        defer { depth -= 1 }
        if consume(UInt8(ascii: "]")) { return }
        repeat {
            skipWhitespace()
            try body(&self)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    private mutating func enter() throws(FrameError) {
        depth += 1
        if depth > JSONScanner.maximumDepth { throw fail("nested deeper than \(JSONScanner.maximumDepth)") }
    }

    /// A key: where its bytes are, and a hash to switch on (`KeyHash`). Upbit's keys have no
    /// escapes; a key with one is refused.
    struct Key {
        var start: Int
        var count: Int
        var hash: UInt64
    }

    mutating func keyString() throws(FrameError) -> Key {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
        let start = position + 1
        let end = JSONScanner.firstQuoteOrBackslash(in: bytes, from: start)
        guard end < bytes.count else { throw fail("unterminated key") }
        if bytes[end] == UInt8(ascii: "\\") { throw fail("escaped key") }
        position = end + 1
        return Key(start: start, count: end - start, hash: KeyHash.of(UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
    }

    /// 0x80 in each byte of `word` that is not an ASCII digit, 0 elsewhere (exact: no carry
    /// between bytes).
    static func nonDigits(_ word: UInt64) -> UInt64 {
        let low = word & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastZero = low &+ 0x5050_5050_5050_5050  // high bit set from "0" (0x30) up
        let aboveNine = low &+ 0x4646_4646_4646_4646  // high bit set from ":" (0x3A) up
        return (~atLeastZero | aboveNine | word) & 0x8080_8080_8080_8080
    }

    /// The index of the first `"` or `\\` at or after `start` (or `bytes.count`), eight bytes at a
    /// time: a byte equal to the pattern becomes zero after the XOR, and the classic
    /// "has a zero byte" test finds the first one.
    static func firstQuoteOrBackslash(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quotes = word ^ 0x2222_2222_2222_2222
            let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
            let found = ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes) & highs
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        return index
    }

    /// Steps over a string without building it, eight bytes at a time.
    mutating func skipString() throws(FrameError) {
        position += 1
        while position < bytes.count {
            position = JSONScanner.firstQuoteOrBackslash(in: bytes, from: position)
            guard position < bytes.count else { break }
            if bytes[position] == UInt8(ascii: "\"") {
                position += 1
                return
            }
            position += 2  // an escape: the byte after the backslash belongs to it
        }
        throw fail("unterminated string")
    }

    /// Steps over the rest of an array whose elements hold no strings and no arrays (orderbook
    /// levels), to its closing bracket: one `memchr` instead of reading every number.
    mutating func skipRestOfFlatArray() throws(FrameError) {
        guard let base = bytes.baseAddress, position < bytes.count,
              let found = memchr(base + position, Int32(UInt8(ascii: "]")), bytes.count - position) else {
            throw fail("unterminated array")
        }
        position = base.distance(to: UnsafeRawPointer(found)) + 1
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

    /// True when the bytes at the position spell `word`.
    func matches(_ word: StaticString) -> Bool {
        word.withUTF8Buffer { text in
            bytes.count - position >= text.count && text.indices.allSatisfy { bytes[position + $0] == text[$0] }
        }
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
        let quoted = position < bytes.count && bytes[position] == UInt8(ascii: "\"")
        if quoted { position += 1 }
        guard let (value, length) = FixedParser.parsePrefix(UnsafeRawBufferPointer(rebasing: bytes[position...])) else {
            throw fail("expected a number")
        }
        position += length
        if quoted { try expect(UInt8(ascii: "\"")) }
        return value
    }

    /// Steps over a number without computing it.
    mutating func skipNumber() throws(FrameError) {
        let start = position
        // the usual digits, eight at a time (a timestamp is 13), then one at a time
        while position + 8 <= bytes.count {
            let others = JSONScanner.nonDigits(bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            position += others == 0 ? 8 : others.trailingZeroBitCount / 8
            if others != 0 { break }
        }
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        while position < bytes.count {
            let byte = bytes[position]
            guard byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") else { break }
            position += 1
        }
        if position == start { throw fail("expected a value") }
    }

    /// A whole number (timestamps, ids); nil for `null`. Plain digits take a fast path; other
    /// spellings of a whole number (`1.7E12`, `"123"`) go through the decimal parser.
    mutating func integer() throws(FrameError) -> Int64? {
        if consumeNull() { return nil }
        var index = position
        var value: Int64 = 0
        while index < bytes.count, index - position < 18 {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        let terminator = index < bytes.count ? bytes[index] : UInt8(ascii: "}")
        if index > position, terminator == UInt8(ascii: ",") || terminator == UInt8(ascii: "}")
            || terminator == UInt8(ascii: " ") || terminator == UInt8(ascii: "]") {
            position = index
            return value
        }
        guard let value = try decimal() else { return nil }
        guard value.raw % Fixed.scale == 0, let whole = Int64(exactly: value.raw / Fixed.scale) else {
            throw fail("expected a whole number")
        }
        return whole
    }

    mutating func boolean() throws(FrameError) -> Bool? {
        if consumeNull() { return nil }
        if matches("true") {
            position += 4
            return true
        }
        if matches("false") {
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
            try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try boolean()
        case UInt8(ascii: "n"):
            guard consumeNull() else { throw fail("expected null") }
        default:
            try skipNumber()
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
