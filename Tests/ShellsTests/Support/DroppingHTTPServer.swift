import Foundation

/// A minimal HTTP/1.1 server on a loopback port, on POSIX sockets: it answers GETs with `{}` and
/// keeps the connection open, and reads every POST to the end and then closes the connection
/// without answering, as a connection that drops after the exchange processed an order.
/// Counts what arrived.
final class DroppingHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var requests: [String] = []
    /// Sent to every POST instead of dropping the connection, when set (`status line`, body).
    let postAnswer: (status: String, body: String)?

    init(postAnswer: (status: String, body: String)? = nil) throws {
        self.postAnswer = postAnswer
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { close(listener) }

    /// "METHOD PATH" of every request received, in order.
    var received: [String] { lock.withLock { requests } }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            guard let (head, bodyLength, headEnd) = DroppingHTTPServer.parseHead(pending) else {
                let count = read(connection, &buffer, buffer.count)
                guard count > 0 else { return }
                pending += buffer[0..<count]
                continue
            }
            while pending.count < headEnd + bodyLength {
                let count = read(connection, &buffer, buffer.count)
                guard count > 0 else { return }
                pending += buffer[0..<count]
            }
            pending.removeFirst(headEnd + bodyLength)
            let words = head.split(separator: " ")
            lock.withLock { requests.append(words.prefix(2).joined(separator: " ")) }
            var (status, body) = ("200 OK", "{}")
            if words.first == "POST" {
                guard let postAnswer else { return }  // processed, then the connection drops
                (status, body) = postAnswer
            }
            let answer = Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            guard write(connection, answer, answer.count) == answer.count else { return }
        }
    }

    /// The request line, the body's length and where the head ends, once the head is complete.
    static func parseHead(_ bytes: [UInt8]) -> (String, Int, Int)? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<end.lowerBound])
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        return (String(head.split(separator: "\r\n").first ?? ""), length, text.utf8.distance(from: text.startIndex, to: end.upperBound))
    }
}
