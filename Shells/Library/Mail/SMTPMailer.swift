import CCurl
import Foundation

/// Sends a message over SMTP with libcurl: `smtps://` (TLS from the start) or `smtp://` with
/// STARTTLS required when `starttls` (plain only for loopback tests), with login when a user is
/// set. One easy handle per send, owned and freed here. Blocking: call it off the cooperative pool.
public struct SMTPMailer: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public var server: String
    public var user: String
    var password: String?
    public var starttls: Bool
    public var timeoutMilliseconds = 20_000

    public init(server: String, user: String, password: String?, starttls: Bool) {
        self.server = server
        self.user = user
        self.password = password
        self.starttls = starttls
    }

    /// `from` and `to` are bare addresses; `message` is the whole RFC 5322 text.
    public func send(from: String, to: [String], message: [UInt8]) throws(Failure) {
        guard let handle = curl_easy_init() else { throw Failure(description: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in to { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }
        let source = ByteSource(message)
        let context = Unmanaged.passUnretained(source).toOpaque()
        surge_curl_setopt_string(handle, CURLOPT_URL, server)
        surge_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>")
        surge_curl_setopt_pointer(handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients))
        if !user.isEmpty {
            surge_curl_setopt_string(handle, CURLOPT_USERNAME, user)
            surge_curl_setopt_string(handle, CURLOPT_PASSWORD, password ?? "")
        }
        if server.hasPrefix("smtp://") && starttls {
            surge_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        }
        surge_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        surge_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        surge_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        surge_curl_setopt_callback(handle, CURLOPT_READFUNCTION, { buffer, size, count, context in
            Unmanaged<ByteSource>.fromOpaque(context!).takeUnretainedValue().read(into: buffer!, capacity: size * count)
        })
        surge_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            // curl's message names the step (connect, login, recipient); it never contains the password.
            throw Failure(description: "SMTP to \(server) failed: \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
