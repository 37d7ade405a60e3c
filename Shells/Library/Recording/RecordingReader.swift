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
        if !path.hasSuffix(".gz"), try readMapped(path, line: line, chunkRead: chunkRead) { return }
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? file.close() }
        let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 1)
        var source = file
        var gzip: Process?
        if path.hasSuffix(".gz") {
            let pipe = Pipe()
            gzip = try Gzip.start(["-dc"], input: file, output: pipe)
            source = pipe.fileHandleForReading
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

    /// Plain files are mapped into memory and split in place: no copy of the data. Returns false
    /// when the file cannot be mapped (then it is read in chunks).
    private static func readMapped(_ path: String, line: (UnsafeRawBufferPointer) -> Void,
                                   chunkRead: (Double) -> Void) throws -> Bool {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw RecordingError(message: "cannot open \(path)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { return status.st_size == 0 }
        let size = Int(status.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return false }
        defer { munmap(address, size) }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        let bytes = UnsafeRawBufferPointer(start: address, count: size)
        var carry: [UInt8] = []
        var offset = 0
        while offset < size {
            let end = Swift.min(offset + chunkSize, size)
            split(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), carry: &carry, line: line)
            offset = end
            chunkRead(Double(offset) / Double(size))
        }
        if !carry.isEmpty { carry.withUnsafeBytes { line($0) } }
        return true
    }

    /// Splits a chunk at newlines; a line cut by the chunk's end waits in `carry`.
    private static func split(_ bytes: UnsafeRawBufferPointer, carry: inout [UInt8], line: (UnsafeRawBufferPointer) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let newline = base.distance(to: UnsafeRawPointer(found))
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

    public init(message: String) { self.message = message }
}
