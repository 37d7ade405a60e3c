/// Frames must be valid UTF-8 (Upbit's are JSON text, sent binary or text); one that is not is
/// refused, not repaired. Upbit's frames are ASCII but for Korean error messages, so the common
/// case is one pass over bytes below 0x80.
public enum UTF8Check {
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
