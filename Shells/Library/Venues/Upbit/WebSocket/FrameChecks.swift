import Core

/// What any Upbit frame's values must look like before they become core values: market codes of
/// upper-case letters, digits and one hyphen, times between 2000 and 2100, no negative amounts.
enum FrameChecks {
    static let earliestTime: Milliseconds = 946_684_800_000  // 2000-01-01
    static let latestTime: Milliseconds = 4_102_444_800_000  // 2100-01-01

    static func market(_ code: String?, field: String = "code") throws(FrameError) -> String {
        guard let code else { throw .missing(field) }
        var count = 0
        var hyphens = 0
        for byte in code.utf8 {  // one pass, no allocation: this runs for every frame
            count += 1
            if byte == UInt8(ascii: "-") { hyphens += 1 } else if !isUpperOrDigit(byte) { count = .max; break }
        }
        guard (3...24).contains(count), hyphens == 1 else { throw .malformed("implausible \(field)") }
        return code
    }

    static func currency(_ code: String) throws(FrameError) -> String {
        guard (1...16).contains(code.utf8.count), code.utf8.allSatisfy(isUpperOrDigit) else {
            throw .malformed("implausible currency")
        }
        return code
    }

    static func time(_ time: Milliseconds?, field: String) throws(FrameError) -> Milliseconds {
        guard let time else { throw .missing(field) }
        guard (earliestTime...latestTime).contains(time) else { throw .malformed("implausible \(field)") }
        return time
    }

    /// No balance, volume or KRW amount of a real account comes near this; larger ones could
    /// overflow the books' exact arithmetic later, so they are refused where they arrive.
    static let maximumAmount: Fixed = 1_000_000_000_000_000

    static func amount(_ value: Fixed?, field: String) throws(FrameError) -> Fixed {
        guard let value else { return 0 }
        guard !value.isNegative else { throw .malformed("negative \(field)") }
        guard value <= maximumAmount else { throw .malformed("implausible \(field)") }
        return value
    }

    private static func isUpperOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
