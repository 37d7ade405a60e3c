import Core
import Foundation

/// A MIME message: a plain-text body and attachments (multipart/mixed, every part base64 so that
/// any byte and any line length travels safely).
public struct MailMessage: Sendable {
    public struct Attachment: Sendable {
        public var filename: String
        public var contentType: String
        public var data: [UInt8]

        public init(filename: String, contentType: String, data: [UInt8]) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: String
    public var to: [String]
    public var subject: String
    public var text: String
    public var attachments: [Attachment]

    public init(from: String, to: [String], subject: String, text: String, attachments: [Attachment] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.attachments = attachments
    }

    /// The address inside `Name <address>`, or the text itself.
    public static func address(_ text: String) -> String {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return text }
        return String(text[text.index(after: open)..<close])
    }

    /// RFC 5322 text with CRLF line ends. `boundary` and `date` are parameters so tests can pin them.
    public func render(date: Date = Date(), boundary: String = "surge-" + UUID().uuidString) -> [UInt8] {
        var lines = [
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(MailMessage.encodedHeader(subject))",
            "Date: \(MailMessage.rfc2822(date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@surge>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"",
            "",
            "This is a MIME message.",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += MailMessage.base64Lines(Array(text.utf8))
        for attachment in attachments {
            lines += [
                "--\(boundary)",
                "Content-Type: \(attachment.contentType); name=\"\(attachment.filename)\"",
                "Content-Transfer-Encoding: base64",
                "Content-Disposition: attachment; filename=\"\(attachment.filename)\"",
                "",
            ]
            lines += MailMessage.base64Lines(attachment.data)
        }
        lines.append("--\(boundary)--")
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func base64Lines(_ data: [UInt8]) -> [String] {
        let encoded = Data(data).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { start in
            let begin = encoded.index(encoded.startIndex, offsetBy: start)
            let end = encoded.index(begin, offsetBy: min(76, encoded.count - start))
            return String(encoded[begin..<end])
        }
    }

    /// RFC 2047 for a subject that is not plain ASCII.
    static func encodedHeader(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? text : "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc2822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
