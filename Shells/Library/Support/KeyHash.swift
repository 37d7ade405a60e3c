/// A cheap hash of a JSON key for the decoders' switches: the length and the first and last
/// eight bytes (little-endian, zero-padded). Upbit's keys are short, so this sees most of every
/// key; `KeyHashTests` checks that the keys the decoders read never collide.
public enum KeyHash {
    public static func of(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let count = key.count
        var first: UInt64 = 0
        var last: UInt64 = 0
        if count >= 8 {
            first = key.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            last = key.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for index in 0..<count { first |= UInt64(key[index]) << (8 * UInt64(index)) }
        }
        return (UInt64(count) &* 0x9E37_79B9_7F4A_7C15) ^ first ^ (last &* 0xFF51_AFD7_ED55_8CCD)
    }

    public static func of(_ key: String) -> UInt64 {
        var copy = key
        return copy.withUTF8 { of(UnsafeRawBufferPointer($0)) }
    }
}
