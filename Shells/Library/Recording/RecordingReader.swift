import Foundation

/// Reads a recording (JSON Lines, one raw frame per line) in 1 MiB chunks and hands each line
/// over as raw bytes, without copying it into a String. `.gz` files are read through `gzip -dc`.
public enum RecordingReader {
    public struct Progress {
        /// Compressed bytes for `.gz` files.
        public var bytesRead: Int64
        public var totalBytes: Int64
    }

    public static let chunkSize = 1 << 20

    /// Calls `line` for every line of every file, in the order given; `progress` after each chunk.
    public static func read(paths: [String], progress: ((Progress) -> Void)? = nil,
                            line: (UnsafeRawBufferPointer) -> Void) throws {
        let total = paths.reduce(Int64(0)) { sum, path in
            sum + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
        }
        var done: Int64 = 0
        for path in paths {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw RecordingError(message: "cannot read \(path)")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
            try readFile(path) { bytes in
                line(bytes)
            } chunkRead: { fileFraction in
                progress?(Progress(bytesRead: done + Int64(Double(size) * fileFraction), totalBytes: total))
            }
            done += size
        }
    }

    private static func readFile(_ path: String, line: (UnsafeRawBufferPointer) -> Void,
                                 chunkRead: (Double) -> Void) throws {
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? file.close() }
        let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 1)
        var source = file
        var gzip: Process?
        if path.hasSuffix(".gz") {
            let process = Process()
            let pipe = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc"]
            process.standardInput = file
            process.standardOutput = pipe
            try process.run()
            source = pipe.fileHandleForReading
            gzip = process
        }
        var carry: [UInt8] = []
        while let chunk = try source.read(upToCount: chunkSize), !chunk.isEmpty {
            chunk.withUnsafeBytes { bytes in split(bytes, carry: &carry, line: line) }
            if gzip == nil {
                chunkRead(Double(try file.offset()) / size)
            } else {
                chunkRead(0)
            }
        }
        if !carry.isEmpty { carry.withUnsafeBytes { line($0) } }
        if let gzip {
            gzip.waitUntilExit()
            guard gzip.terminationStatus == 0 else { throw RecordingError(message: "\(path): gzip could not decompress it") }
        }
        chunkRead(1)
    }

    /// Splits a chunk at newlines; a line cut by the chunk's end waits in `carry`.
    private static func split(_ bytes: UnsafeRawBufferPointer, carry: inout [UInt8], line: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            if carry.isEmpty {
                line(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
            } else {
                carry.append(contentsOf: bytes[start..<newline])
                carry.withUnsafeBytes { line($0) }
                carry.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
        carry.append(contentsOf: bytes[start...])
    }
}

public struct RecordingError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
