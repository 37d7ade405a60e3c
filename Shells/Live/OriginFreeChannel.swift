import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import WSClient
@_spi(WSInternal) import WSCore

/// The WebSocket handshake and session of swift-websocket's client, without the `Origin` header
/// that its own client adds to every handshake (and that `additionalHeaders` cannot remove):
/// Upbit limits requests carrying `Origin` to one per 10 s (upbit-api.md §4). Follows
/// swift-websocket's `WebSocketClientChannel` (Apache 2.0), minus proxies and extensions.
struct OriginFreeChannel: ClientConnectionChannel {
    enum UpgradeResult {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }

    struct Context: WebSocketContext {
        let logger: Logger
    }

    typealias Value = EventLoopFuture<UpgradeResult>

    let host: String
    let port: Int
    let path: String
    /// Handshake headers besides Host (the private socket's `Authorization`).
    let headers: [(String, String)]
    let tls: NIOSSLContext?
    let maximumFrameBytes: Int
    let pingSeconds: Int64
    let handler: WebSocketDataHandler<Context>

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture { try upgrade(channel) }
    }

    private func upgrade(_ channel: any Channel) throws -> Value {
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(maxFrameSize: maximumFrameBytes) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
            }
        }
        var requestHeaders = HTTPHeaders()
        requestHeaders.add(name: "Host", value: port == (tls == nil ? 80 : 443) ? host : "\(host):\(port)")
        for (name, value) in headers where name.lowercased() != "origin" { requestHeaders.add(name: name, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: requestHeaders)
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .notUpgraded } })
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
        pipeline.leftOverBytesStrategy = .forwardBytes
        if let tls {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host),
                                                           position: .first)
        }
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
    }

    func handle(value: Value, logger: Logger) async throws -> WebSocketCloseFrame? {
        switch try await value.get() {
        case .websocket(let channel):
            return try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(extensions: [], autoPing: .enabled(timePeriod: .seconds(pingSeconds)),
                                     validateUTF8: false, maxFrameSize: maximumFrameBytes),
                asyncChannel: channel, context: Context(logger: logger), handler: handler)
        case .notUpgraded:
            throw WebSocketClientError.webSocketUpgradeFailed
        }
    }
}
