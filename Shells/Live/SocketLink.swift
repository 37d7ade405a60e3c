import Foundation
import Shells
import HTTPTypes
import Logging
import NIOCore
import WSClient

/// One Upbit WebSocket kept open: connect, send the subscription, hand every frame over, ping
/// every 20 s, and on any loss reconnect with exponential back-off and jitter (never two connects
/// within 200 ms, so well inside Upbit's 5 connects per second), then subscribe again. A new
/// subscription replaces the old one on the open socket (as Upbit does). Runs until cancelled.
public actor SocketLink {
    public struct Statistics: Sendable {
        public var connects = 0
        public var frames = 0
    }

    let url: String
    let name: String
    let logger: Logger
    /// Headers for each handshake (the private socket needs a fresh JWT every time).
    let headers: @Sendable () -> HTTPFields
    private var subscription: String?
    private var outbound: WebSocketOutboundWriter?
    public private(set) var statistics = Statistics()
    private var forceReconnect = false

    public init(url: String, name: String, logger: Logger, headers: @escaping @Sendable () -> HTTPFields = { [:] }) {
        self.url = url
        self.name = name
        self.logger = logger
        self.headers = headers
    }

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
                var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: headers())
                configuration.autoPing = .enabled(timePeriod: .seconds(20))
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    await self.connected(outbound)
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        let bytes: [UInt8]
                        switch message {
                        case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                        case .text(let text): bytes = Array(text.utf8)
                        }
                        await self.countFrame()
                        await onFrame(bytes)
                    }
                }
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

    private func connected(_ writer: WebSocketOutboundWriter) async {
        outbound = writer
        logger.info("\(name) socket connected (\(statistics.connects) connects so far)")
        if let subscription { try? await writer.write(.text(subscription)) }
    }

    private func countFrame() { statistics.frames += 1 }

    /// Upbit's subscribe message for trades and orderbooks of these markets (DEFAULT format).
    public static func marketSubscription(_ markets: [String]) -> String {
        let codes = markets.map { "\"\($0)\"" }.joined(separator: ",")
        return #"[{"ticket":"\#(UUID().uuidString.lowercased())"},{"type":"trade","codes":[\#(codes)]},{"type":"orderbook","codes":[\#(codes)]},{"format":"DEFAULT"}]"#
    }

    public static let privateSubscription =
        #"[{"ticket":"private"},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]"#
}
