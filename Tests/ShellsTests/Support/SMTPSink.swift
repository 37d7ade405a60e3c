import Foundation

/// Python's aiosmtpd on a free loopback port (installed by .ci/run), storing what it receives.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let directory: String
    private let process = Process()
    private let input = Pipe()

    init(user: String = "", password: String = "") throws {
        port = Int.random(in: 20_000...60_000)
        directory = temporaryDirectory("smtp")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_sink.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port", "\(port)", "--dir", directory, "--user", user, "--password", password]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let ready = output.fileHandleForReading.availableData
        guard String(decoding: ready, as: UTF8.self).contains("READY") else {
            throw NSError(domain: "smtp", code: 1, userInfo: [NSLocalizedDescriptionKey: "aiosmtpd did not start (pip install aiosmtpd)"])
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The stored messages: (envelope JSON, raw message), oldest first.
    func messages() -> [(envelope: [String: Any], raw: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".eml") }.sorted() ?? []
        return names.compactMap { name in
            let base = directory + "/" + name.dropLast(4)
            guard let envelope = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))),
                  let raw = try? String(contentsOfFile: base + ".eml", encoding: .utf8) else { return nil }
            return (envelope as? [String: Any] ?? [:], raw)
        }
    }
}

/// Just enough MIME to check a message: headers, and the parts of a multipart/mixed body.
struct ParsedMail {
    var headers: [String: String] = [:]
    var parts: [(headers: [String: String], body: [UInt8])] = []

    init(_ raw: String) {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let sections = text.components(separatedBy: "\n\n")
        headers = ParsedMail.headers(sections[0])
        guard let type = headers["content-type"], let range = type.range(of: "boundary=\"") else { return }
        let boundary = String(type[range.upperBound...].prefix { $0 != "\"" })
        for chunk in text.components(separatedBy: "--" + boundary).dropFirst() where !chunk.hasPrefix("--") {
            let pieces = chunk.trimmingCharacters(in: .newlines).components(separatedBy: "\n\n")
            let partHeaders = ParsedMail.headers(pieces[0])
            let body = pieces.dropFirst().joined(separator: "\n\n").replacingOccurrences(of: "\n", with: "")
            parts.append((partHeaders, Array(Data(base64Encoded: body) ?? Data())))
        }
    }

    static func headers(_ block: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in block.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}
