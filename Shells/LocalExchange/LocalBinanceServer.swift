import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Shells

/// Serves a `LocalBinance` on loopback: the REST routes of `LocalBinance.routes`, the WebSocket
/// routes `/public`, `/market` and `/private` (raw `ws` and combined `stream` modes), and
/// `POST /_local/faults` (a `BinanceFaults` JSON) and `POST /_local/drop-sockets`.
public enum LocalBinanceServer {
    /// Runs until the task is cancelled; `onStarted` gets the bound port (0 asks for a free one).
    public static func run(_ binance: LocalBinance, host: String = "127.0.0.1", port: Int = 0,
                           logger: Logger = Logger(label: "local-binance"),
                           onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        for (method, path) in LocalBinance.routeList {
            router.on(RouterPath(path), method: HTTPRequest.Method(method)!) { request, _ in try await respond(binance, request) }
        }
        router.post("/_local/faults") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let faults = try JSONDecoder().decode(BinanceFaults.self, from: Data(body.readableBytesView))
            await binance.setFaults(faults)
            return Response(status: .ok)
        }
        router.post("/_local/drop-sockets") { _, _ -> Response in
            await binance.dropSockets()
            return Response(status: .ok)
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade { head, _, _ in try await upgrade(binance, head) },
            configuration: .init(address: .hostname(host, port: port), serverName: "local-binance"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            group.addTask { await binance.runFeed() }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Thrown while writing a body: the server closes the connection without an answer.
    struct DroppedAnswer: Error {}

    static func respond(_ binance: LocalBinance, _ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 16)
        let apiKey = HTTPField.Name("X-MBX-APIKEY").flatMap { request.headers[$0] }
        let local = LocalBinanceRequest(method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                                        body: Array(body.readableBytesView), apiKey: apiKey)
        let answer = await binance.handle(local)
        var headers = HTTPFields()
        headers[.contentType] = answer.response.contentType
        for (name, value) in answer.response.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
        if answer.closeConnection {
            return Response(status: .ok, headers: headers, body: ResponseBody { _ in throw DroppedAnswer() })
        }
        return Response(status: .init(code: answer.response.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: answer.response.body)))
    }
}
