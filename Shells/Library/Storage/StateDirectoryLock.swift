import Foundation

/// One bot per state directory: an exclusive `flock` on `DIR/surge.lock`, held for the life of
/// the process (the kernel releases it when the process dies, however it dies). The holder's pid
/// is written into the file so a second runner can say who holds it. Readers (`surge status`,
/// `surge report`) do not take it.
public final class StateDirectoryLock: @unchecked Sendable {
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String
    private let descriptor: Int32

    public init(directory: String) throws(Refused) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Refused(description: "cannot create \(directory): \(error.localizedDescription)")
        }
        path = directory + "/surge.lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Refused(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = StateDirectoryLock.holder(descriptor)
            close(descriptor)
            guard reason == EWOULDBLOCK else {
                throw Refused(description: "cannot lock \(path): \(String(cString: strerror(reason)))")
            }
            throw Refused(description: "another surge\(holder.map { " (pid \($0))" } ?? "") is running on \(directory): "
                          + "one bot per state directory (use another --state)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(descriptor) }  // releases the lock

    /// True when a bot holds the directory's lock right now (tried without taking it for long).
    public static func isHeld(directory: String) -> Bool {
        let descriptor = open(directory + "/surge.lock", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_EX | LOCK_NB) != 0
    }

    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// The start of every order identifier of a state directory, made once when its store is
/// created and kept in it: `s` + base-36 seconds since 2020 + 4 base-36 characters from the
/// system's random generator (1.7 M values), so two directories created in the same second differ.
/// 12 characters of `[a-z0-9]`: identifiers (`prefix-position-leg+attempt`) stay far below
/// Upbit's 64.
public enum IdentifierPrefix {
    public static func fresh(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return fresh(seconds: Int(now.timeIntervalSince1970) - 1_577_836_800, using: &generator)
    }

    public static func fresh(seconds: Int, using generator: inout some RandomNumberGenerator) -> String {
        let random = Int.random(in: 0..<(36 * 36 * 36 * 36), using: &generator)
        let tail = String(random, radix: 36)
        return "s" + String(max(seconds, 0), radix: 36) + String(repeating: "0", count: 4 - tail.count) + tail
    }
}
