import Foundation
import HTTPTypes
import HummingbirdWebSocket
import NIOCore
import Shells

extension LocalUpbitServer {
    static func upgrade(_ upbit: LocalUpbit, _ head: HTTPRequest)
        async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let path = (head.path ?? "").split(separator: "?").first.map(String.init) ?? ""
        if head.headerFields[.origin] != nil, !(await upbit.admitOrigin()) { return .dontUpgrade }
        switch path {
        case "/websocket/v1":
            return .upgrade([:]) { inbound, outbound, _ in try await publicSession(upbit, inbound, outbound) }
        case "/websocket/v1/private":
            let authorized = await upbit.authorizePrivateSocket(head.headerFields[.authorization])
            return .upgrade([:]) { inbound, outbound, _ in
                guard authorized else {
                    try await outbound.write(.binary(ByteBuffer(string: #"{"error":{"name":"INVALID_AUTH","message":"인증 정보가 올바르지 않습니다."}}"#)))
                    return
                }
                try await privateSession(upbit, inbound, outbound)
            }
        default:
            return .dontUpgrade
        }
    }

    /// Frames go out as binary (as Upbit sends them); text `PING` gets `{"status":"UP"}`; a
    /// subscription replaces the previous one; a bad one gets Upbit's error frame and a close.
    static func publicSession(_ upbit: LocalUpbit, _ inbound: WebSocketInboundStream,
                              _ outbound: WebSocketOutboundWriter) async throws {
        let (id, frames) = await upbit.openPublicSocket()
        try await session(upbit, id, frames, outbound) {
            for try await message in inbound.messages(maxSize: 1 << 16) {
                let text: String
                switch message {
                case .text(let string): text = string
                case .binary(let buffer): text = String(buffer: buffer)
                }
                if text.trimmingCharacters(in: .whitespacesAndNewlines) == "PING" {
                    try await outbound.write(.text(#"{"status":"UP"}"#))
                    continue
                }
                switch Subscription.parse(text) {
                case .success(let subscription):
                    await upbit.subscribe(id, trades: subscription.trades, orderbooks: subscription.orderbooks,
                                          tickers: subscription.tickers)
                case .failure(let error):
                    try await outbound.write(.binary(ByteBuffer(string: #"{"error":{"name":"\#(error.name)","message":"\#(error.message)"}}"#)))
                    return
                }
            }
        }
    }

    static func privateSession(_ upbit: LocalUpbit, _ inbound: WebSocketInboundStream,
                               _ outbound: WebSocketOutboundWriter) async throws {
        let (id, frames) = await upbit.openPrivateSocket()
        try await session(upbit, id, frames, outbound) {
            for try await message in inbound.messages(maxSize: 1 << 16) {
                if case .text(let text) = message, text.trimmingCharacters(in: .whitespacesAndNewlines) == "PING" {
                    try await outbound.write(.text(#"{"status":"UP"}"#))
                }
            }
        }
    }

    /// Forwards the socket's frames while `reader` handles what the client sends; whichever ends
    /// first (a drop fault ends the frames) ends the session, and the server closes the socket.
    static func session(_ upbit: LocalUpbit, _ id: Int, _ frames: AsyncStream<String>, _ outbound: WebSocketOutboundWriter,
                        reader: @escaping @Sendable () async throws -> Void) async throws {
        defer { Task { await upbit.closeSocket(id) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.write(.binary(ByteBuffer(string: frame))) }
            }
            group.addTask { try await reader() }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Upbit's subscribe message: `[{"ticket":…},{"type":"trade","codes":[…]},…,{"format":…}]`.
struct Subscription {
    var trades = Set<String>()
    var orderbooks = Set<String>()
    var tickers = Set<String>()

    struct Failure: Error {
        var name: String
        var message: String
    }

    static func parse(_ text: String) -> Result<Subscription, Failure> {
        guard let json = try? JSONValue.parse(text), let items = json.array else {
            return .failure(Failure(name: "WRONG_FORMAT", message: "Format 이 맞지 않습니다."))
        }
        guard items.contains(where: { $0["ticket"]?.string != nil }) else {
            return .failure(Failure(name: "NO_TICKET", message: "티켓이 존재하지 않거나, 유효하지 않습니다."))
        }
        var subscription = Subscription()
        var sawType = false
        for item in items {
            guard let type = item["type"]?.string else { continue }
            sawType = true
            let codes = Set((item["codes"]?.array ?? []).compactMap { $0.string }.map { code in
                String(code.split(separator: ".").first ?? "")  // KRW-BTC.15: levels are ignored here
            })
            switch type {
            case "trade", "orderbook", "ticker":
                guard !codes.isEmpty else { return .failure(Failure(name: "NO_CODES", message: "codes 가 없습니다.")) }
                if type == "trade" { subscription.trades = codes }
                if type == "orderbook" { subscription.orderbooks = codes }
                if type == "ticker" { subscription.tickers = codes }
            case "myOrder", "myAsset":
                break
            default:
                return .failure(Failure(name: "INVALID_PARAM", message: "\(type) 은 지원하지 않는 타입입니다."))
            }
        }
        guard sawType else { return .failure(Failure(name: "NO_TYPE", message: "타입이 존재하지 않습니다.")) }
        return .success(subscription)
    }
}
