import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Shells

/// Serves a `LocalUpbit` on loopback: Upbit's REST routes, `/websocket/v1` (trade, orderbook) and
/// `/websocket/v1/private` (myOrder, myAsset; Bearer JWT on the handshake), frames sent binary
/// as Upbit does, plus `POST /_local/faults` to switch faults on a running server.
public enum LocalUpbitServer {
    static let routes: [(HTTPRequest.Method, String)] = [
        (.get, "/v1/market/all"), (.get, "/v1/orderbook/instruments"), (.get, "/v1/candles/minutes/1"), (.get, "/v1/ticker"),
        (.get, "/v1/accounts"), (.get, "/v1/orders/chance"), (.post, "/v1/orders"), (.get, "/v1/order"),
        (.delete, "/v1/order"), (.get, "/v1/orders/open"),
    ]

    /// Runs until the task is cancelled; `onStarted` gets the bound port (0 asks for a free one).
    public static func run(_ upbit: LocalUpbit, host: String = "127.0.0.1", port: Int = 0,
                           logger: Logger = Logger(label: "local-upbit"),
                           onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        for (method, path) in routes {
            router.on(RouterPath(path), method: method) { request, _ in try await respond(upbit, request) }
        }
        router.post("/_local/faults") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let faults = try JSONDecoder().decode(Faults.self, from: Data(body.readableBytesView))
            await upbit.setFaults(faults)
            return Response(status: .ok)
        }
        router.post("/_local/drop-sockets") { _, _ -> Response in
            await upbit.dropSockets()
            return Response(status: .ok)
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade { head, _, _ in try await upgrade(upbit, head) },
            configuration: .init(address: .hostname(host, port: port), serverName: "local-upbit"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            group.addTask { await upbit.runFeed() }
            try await group.next()
            group.cancelAll()
        }
    }

    static func respond(_ upbit: LocalUpbit, _ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let local = LocalRequest(method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                                 body: Array(body.readableBytesView), authorization: request.headers[.authorization],
                                 origin: request.headers[.origin])
        let answer = await upbit.handle(local)
        if answer.holdSeconds > 0 { try await Task.sleep(for: .milliseconds(Int(answer.holdSeconds * 1_000))) }
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        for (name, value) in answer.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .init(code: answer.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
