import Foundation

/// Appends lines to a file through a 1 MiB buffer. A path ending in `.gz` is compressed through
/// `gzip -c`. Call `close()` to flush.
public final class LineWriter {
    private let file: FileHandle
    private var gzip: Process?
    private var sink: FileHandle
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RecordingError(message: "cannot create \(path)")
        }
        file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        sink = file
        if path.hasSuffix(".gz") {
            let pipe = Pipe()
            gzip = try Gzip.start(["-c"], input: pipe, output: file)
            sink = pipe.fileHandleForWriting
        }
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        if let gzip {
            try sink.close()
            gzip.waitUntilExit()
        }
        try file.close()
    }
}

/// `gzip` as a child process (compressing for `LineWriter`, decompressing for `RecordingReader`).
enum Gzip {
    static func start(_ arguments: [String], input: Any, output: Any) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip"] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        return process
    }
}
