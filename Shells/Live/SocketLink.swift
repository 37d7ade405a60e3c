import Foundation
import Shells
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import WSClient
import WSCore

/// One WebSocket kept open (any venue's): connect (to an address resolved per connection, e.g. a
/// Binance listen key), send the subscription, hand every frame over, ping every 20 s, renew a
/// connection older than `maximumAge`, and on any loss reconnect with exponential back-off and
/// jitter (never two connects within 200 ms, so well inside Upbit's 5 connects per second), then
/// subscribe again. A new subscription is sent on the open socket as it is (Upbit replaces the
/// old one, Binance adds to it). Runs until cancelled.
public actor SocketLink {
    public struct Statistics: Sendable {
        public var connects = 0
        public var frames = 0
        /// Messages past `maximumMessageBytes`, dropped.
        public var oversized = 0
    }

    /// The address of each connection (nil: none yet; tried again with back-off).
    let url: @Sendable () async -> String?
    let name: String
    let logger: Logger
    /// Headers for each handshake (the private socket needs a fresh JWT every time).
    let headers: @Sendable () -> [(String, String)]
    /// A connection older than this is dropped and made anew (Binance cuts them at 24 h).
    let maximumAge: Duration?
    /// Told after each connection is up, with the number of connects so far.
    private var onConnected: (@Sendable (Int) async -> Void)?
    private var subscription: String?
    private var outbound: WebSocketOutboundWriter?
    public private(set) var statistics = Statistics()
    private var forceReconnect = false

    public init(url: String, name: String, logger: Logger, headers: @escaping @Sendable () -> [(String, String)] = { [] },
                maximumAge: Duration? = nil) {
        self.init(resolveURL: { url }, name: name, logger: logger, headers: headers, maximumAge: maximumAge)
    }

    public init(resolveURL: @escaping @Sendable () async -> String?, name: String, logger: Logger,
                headers: @escaping @Sendable () -> [(String, String)] = { [] }, maximumAge: Duration? = nil) {
        self.url = resolveURL
        self.name = name
        self.logger = logger
        self.headers = headers
        self.maximumAge = maximumAge
    }

    public func whenConnected(_ action: @escaping @Sendable (Int) async -> Void) { onConnected = action }

    /// Sets the subscription and sends it at once when connected.
    public func subscribe(_ message: String) async {
        subscription = message
        if let outbound { try? await outbound.write(.text(message)) }
    }

    /// Drops the current connection (the watchdog's answer to silence); the link reconnects.
    public func reconnect() async {
        forceReconnect = true
        if let outbound { try? await outbound.close(.goingAway, reason: "silence") }
    }

    public func run(onFrame: @escaping @Sendable ([UInt8]) async -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            statistics.connects += 1
            do {
                guard let url = await url() else { throw WebSocketClientError.invalidURL }
                let endpoint = try SocketLink.endpoint(url)
                let connection = try ClientConnection(try channel(endpoint, onFrame: onFrame),
                                                      address: .hostname(endpoint.host, port: endpoint.port), logger: logger)
                _ = try await connection.run()
                logger.notice("\(name) socket closed")
            } catch {
                if !Task.isCancelled { logger.warning("\(name) socket failed: \(error)") }
            }
            outbound = nil
            if Task.isCancelled { break }
            attempt = ContinuousClock.now - started > .seconds(30) || forceReconnect ? 0 : attempt + 1
            forceReconnect = false
            let backoff = min(30.0, 0.25 * pow(2, Double(attempt)))
            let delay = max(0.2, backoff * Double.random(in: 0.5...1.0))
            logger.info("\(name) socket reconnects in \(String(format: "%.2f", delay)) s")
            try? await Task.sleep(for: .milliseconds(Int(delay * 1_000)))
        }
    }

    /// Frames larger than this are refused (and so is a message assembled past it).
    static let maximumMessageBytes = 1 << 20

    struct Endpoint {
        var host: String
        var port: Int
        var path: String
        var secure: Bool
    }

    /// `ws://host:port/path` or `wss://…`.
    static func endpoint(_ url: String) throws -> Endpoint {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty else {
            throw WebSocketClientError.invalidURL
        }
        let secure = scheme == "wss"
        let path = (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
            + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        return Endpoint(host: host, port: components.port ?? (secure ? 443 : 80), path: path, secure: secure)
    }

    private func channel(_ endpoint: Endpoint, onFrame: @escaping @Sendable ([UInt8]) async -> Void) throws -> OriginFreeChannel {
        let tls = endpoint.secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        return OriginFreeChannel(
            host: endpoint.host, port: endpoint.port, path: endpoint.path, headers: headers(), tls: tls,
            maximumFrameBytes: SocketLink.maximumMessageBytes, pingSeconds: 20
        ) { inbound, outbound, _ in
            await self.connected(outbound)
            var message: [UInt8] = []
            var oversized = false
            for try await frame in inbound {
                if message.count + frame.data.readableBytes > SocketLink.maximumMessageBytes { oversized = true }
                if !oversized { message += frame.data.readableBytesView }
                guard frame.fin else { continue }
                defer { message.removeAll(keepingCapacity: true); oversized = false }
                await self.countFrame(oversized: oversized)
                if oversized { continue }
                await onFrame(message)
            }
        }
    }

    private func connected(_ writer: WebSocketOutboundWriter) async {
        outbound = writer
        logger.info("\(name) socket connected (\(statistics.connects) connects so far)")
        if let subscription { try? await writer.write(.text(subscription)) }
        if let maximumAge {
            let connects = statistics.connects
            Task {
                try? await Task.sleep(for: maximumAge)
                await self.expire(connects)
            }
        }
        await onConnected?(statistics.connects)
    }

    /// The connection made at `connects` is too old: it is replaced (if it is still the current one).
    private func expire(_ connects: Int) async {
        guard connects == statistics.connects, outbound != nil else { return }
        logger.info("\(name) socket renewed after \(maximumAge.map { "\($0)" } ?? "")")
        await reconnect()
    }

    private func countFrame(oversized: Bool) {
        statistics.frames += 1
        if oversized { statistics.oversized += 1 }
    }

    /// Upbit's subscribe message for trades and orderbooks of these markets (DEFAULT format).
    public static func marketSubscription(_ markets: [String]) -> String {
        let codes = markets.map { "\"\($0)\"" }.joined(separator: ",")
        return #"[{"ticket":"\#(UUID().uuidString.lowercased())"},{"type":"trade","codes":[\#(codes)]},{"type":"orderbook","codes":[\#(codes)]},{"format":"DEFAULT"}]"#
    }

    public static let privateSubscription =
        #"[{"ticket":"private"},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]"#
}
