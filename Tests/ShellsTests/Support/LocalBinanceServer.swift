import Core
import Foundation
import LocalExchange
import Logging
import Shells

/// Runs a local Binance on a free loopback port for the length of `body`.
func withLocalBinance<T: Sendable>(_ options: LocalBinance.Options = .small,
                                   _ body: @Sendable (LocalBinance, Int) async throws -> T) async throws -> T {
    let binance = try LocalBinance(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "local-binance")
    logger.logLevel = .critical
    let quiet = logger
    let server = Task { try await LocalBinanceServer.run(binance, port: 0, logger: quiet, onStarted: { continuation.yield($0) }) }
    defer { server.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw RecordingError(message: "the local server did not start") }
    await binance.waitUntilLive()
    let result = try await body(binance, port)
    server.cancel()
    _ = await server.result
    return result
}

extension LocalBinance.Options {
    /// Two symbols, five minutes of history: quick to start.
    static var small: LocalBinance.Options {
        var options = LocalBinance.Options()
        options.symbols = 2
        options.historyMinutes = 5
        return options
    }
}

/// A REST client on the local Binance as the bot builds it (the clock measured once).
func localBinanceREST(_ port: Int, secret: String = "local-secret-key") -> BinanceREST {
    let rest = BinanceREST(baseURL: "http://127.0.0.1:\(port)", signer: BinanceSigner(apiKey: "local-api-key", secretKey: secret))
    rest.synchronizeClock()
    return rest
}
