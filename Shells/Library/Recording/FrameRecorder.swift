/// `surge record`'s writer: raw public frames in arrival order, one per line, exactly as sent.
/// Keepalive answers and error frames are not market data and are left out.
public actor FrameRecorder {
    let writer: LineWriter
    public private(set) var frames = 0

    public init(writer: LineWriter) { self.writer = writer }

    public func write(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("{\"status\"") || text.hasPrefix("{\"error\"") { return }
        try? writer.write(text.replacingOccurrences(of: "\n", with: ""))
        frames += 1
    }

    public func close() throws { try writer.close() }
}
