import Foundation
import HTTPTypes
import HummingbirdWebSocket
import NIOCore
import Shells

extension LocalBinanceServer {
    /// `/public|/market` + `/ws[/<stream>…]` or `/stream?streams=a/b`; `/private/ws?listenKey=…`
    /// (or `/private/ws/<key>`) and `/private/stream?listenKey=…`, with optional `events=a/b`.
    static func upgrade(_ binance: LocalBinance, _ head: HTTPRequest)
        async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let target = head.path ?? ""
        guard target.utf8.count <= 32_768 else { return .dontUpgrade }
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let segments = parts[0].split(separator: "/").map(String.init)
        let query = Dictionary(LocalBinanceRequest.pairs(parts.count > 1 ? parts[1] : ""), uniquingKeysWith: { first, _ in first })
        guard segments.count >= 2, ["ws", "stream"].contains(segments[1]) else { return .dontUpgrade }
        let wrapped = segments[1] == "stream"
        switch segments[0] {
        case "public", "market":
            let streams = wrapped ? (query["streams"] ?? "").split(separator: "/").map(String.init) : Array(segments.dropFirst(2))
            guard let (id, frames) = await binance.openMarketSocket(isPublicRoute: segments[0] == "public", wrapped: wrapped,
                                                                    streams: streams) else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in try await marketSession(binance, id, frames, inbound, outbound) }
        case "private":
            guard let key = query["listenKey"] ?? segments.dropFirst(2).first else { return .dontUpgrade }
            let events = query["events"].map { Set($0.split(separator: "/").map(String.init)) }
            guard let (id, frames) = await binance.openUserSocket(listenKey: key, events: events) else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in
                try await session(binance, id, frames, outbound, wrapAs: wrapped ? key : nil) {
                    for try await _ in inbound.messages(maxSize: 1 << 16) {}
                }
            }
        default:
            return .dontUpgrade
        }
    }

    /// Frames out as text; live SUBSCRIBE messages answered; past the limits the socket closes.
    static func marketSession(_ binance: LocalBinance, _ id: Int, _ frames: AsyncStream<String>,
                              _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        try await session(binance, id, frames, outbound, wrapAs: nil) {
            for try await message in inbound.messages(maxSize: 1 << 16) {
                let text: String
                switch message {
                case .text(let string): text = string
                case .binary(let buffer): text = String(buffer: buffer)
                }
                guard let answer = await binance.message(id, text) else { return }
                try await outbound.write(.text(answer))
            }
        }
    }

    /// Forwards the socket's frames while `reader` handles what the client sends; whichever ends
    /// first ends the session, and the server closes the socket.
    static func session(_ binance: LocalBinance, _ id: Int, _ frames: AsyncStream<String>, _ outbound: WebSocketOutboundWriter,
                        wrapAs stream: String?, reader: @escaping @Sendable () async throws -> Void) async throws {
        defer { Task { await binance.closeSocket(id) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    try await outbound.write(.text(stream.map { #"{"stream":"\#($0)","data":\#(frame)}"# } ?? frame))
                }
            }
            group.addTask { try await reader() }
            try await group.next()
            group.cancelAll()
        }
    }
}
