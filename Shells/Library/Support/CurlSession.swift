import CCurl
import Foundation

/// One libcurl easy handle, reused request after request so the connection stays open
/// (keep-alive). Owns the handle and frees it. Not for concurrent use: callers serialise.
public final class CurlSession: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Header lines of the final response, names lower-cased.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.last { $0.name == name.lowercased() }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A transport failure, classified once: was anything sent?
    public enum Failure: Error, Equatable, Sendable {
        /// Nothing reached the server (no connection, bad URL): safe to retry.
        case notSent(String)
        /// The request may have been received (timeout or connection lost after sending).
        case outcomeUnknown(String)
    }

    private let handle: UnsafeMutableRawPointer
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init() {
        _ = CurlSession.globalInit
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Answers larger than this are cut off and their outcome is unknown (a hostile or broken
    /// server cannot make the bot buffer gigabytes).
    public static let maximumResponseBytes = 8 << 20

    /// Performs one request. Never sends an `Origin` header (Upbit limits browser-style requests).
    ///
    /// A request leaves the process at most once: libcurl silently re-sends a request whose
    /// reused connection died before any answer byte arrived (even a POST, which it rewinds). An
    /// order that Upbit processed just before the connection dropped would go out twice (the
    /// second copy refused as `nonce_used`). The body is therefore handed over by a read callback
    /// with no way to rewind: libcurl then fails with `CURLE_SEND_FAIL_REWIND` instead, which is
    /// an unknown outcome, settled by a query.
    public func perform(method: String, url: String, headers: [String] = [], body: [UInt8]? = nil,
                        timeoutMilliseconds: Int = 10_000) throws(Failure) -> Response {
        let collector = Collector()
        let upload = ByteSource(body ?? [])
        let context = Unmanaged.passUnretained(collector).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers + ["User-Agent: surge/0.1", "Expect:"] { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        surge_curl_setopt_string(handle, CURLOPT_URL, url)
        surge_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        if let body {
            surge_curl_setopt_long(handle, CURLOPT_POST, 1)
            surge_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
            surge_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            surge_curl_setopt_callback(handle, CURLOPT_READFUNCTION, { buffer, size, count, context in
                Unmanaged<ByteSource>.fromOpaque(context!).takeUnretainedValue().read(into: buffer!, capacity: size * count)
            })
            surge_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque())
        } else {
            surge_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        }
        surge_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
        surge_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        surge_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMilliseconds, 5_000))
        surge_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        surge_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
                .append(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        surge_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        surge_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
            Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue().header(line)
            return size * count
        })
        surge_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        let code = withExtendedLifetime(upload) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            var sent = 0
            surge_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &sent)
            let reason = collector.tooLarge ? "answer larger than \(CurlSession.maximumResponseBytes) bytes"
                : String(cString: curl_easy_strerror(code))
            throw sent > 0 || upload.offset > 0 ? .outcomeUnknown(reason) : .notSent(reason)
        }
        var status = 0
        surge_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, headers: collector.headers, body: collector.body)
    }

    /// Gathers one response; header lines of an earlier response (100 Continue, redirects) are
    /// dropped when the next status line arrives.
    private final class Collector {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
        var tooLarge = false

        /// Returning less than was given makes libcurl stop the transfer.
        func append(_ data: UnsafeRawBufferPointer) -> Int {
            guard body.count + data.count <= CurlSession.maximumResponseBytes else {
                tooLarge = true
                return 0
            }
            body.append(contentsOf: data)
            return data.count
        }

        func header(_ line: String) {
            if line.hasPrefix("HTTP/") {
                headers.removeAll()
                return
            }
            guard let colon = line.firstIndex(of: ":") else { return }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            headers.append((name, value))
        }
    }
}
