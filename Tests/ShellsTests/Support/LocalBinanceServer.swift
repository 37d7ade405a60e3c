import Core
import Foundation
import LocalExchange
import Live
import Logging
import Shells
import Testing

/// Runs a local Binance on a free loopback port for the length of `body`; its market clock
/// starts at `now` (the wall clock when nil).
func withLocalBinance<T: Sendable>(_ options: LocalBinance.Options = .small, now: Milliseconds? = nil,
                                   _ body: @Sendable (LocalBinance, Int) async throws -> T) async throws -> T {
    try await LoopbackGate.run { try await runLocalBinance(options, now: now, body) }
}

private func runLocalBinance<T: Sendable>(_ options: LocalBinance.Options, now: Milliseconds?,
                                          _ body: @Sendable (LocalBinance, Int) async throws -> T) async throws -> T {
    let binance = try LocalBinance(options: options, now: now ?? Milliseconds(Date().timeIntervalSince1970 * 1_000))
    return try await runLocalServer(label: "local-binance", { logger, started in
        try await LocalBinanceServer.run(binance, port: 0, logger: logger, onStarted: started)
    }, live: { await binance.waitUntilLive() }, { try await body(binance, $0) })
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

let btc = BinanceVenue.perpetualInstrument

/// A market order on BTCUSDT.
func entry(_ identifier: String, quantity: Fixed = Fixed("0.010")!, side: Side = .buy, market: String = "BTCUSDT") -> OrderRequest {
    OrderRequest(identifier: identifier, market: market, side: side, kind: .market, size: .quantity(quantity))
}

/// Binance's error code of a refusal, nil for any other outcome.
func code<Value>(_ outcome: BinanceREST.Outcome<Value>) -> Int? {
    if case .rejected(let error) = outcome { return error.code }
    return nil
}

/// Frames a socket received, for the tests to wait on.
actor Frames {
    var texts: [String] = []
    func add(_ bytes: [UInt8]) { texts.append(String(decoding: bytes, as: UTF8.self)) }

    /// The frames of one event type (`e`), parsed, in arrival order.
    func events(_ type: String) -> [JSONValue] {
        texts.compactMap { try? JSONValue.parse($0) }.filter { $0["e"]?.string == type }
    }
}

/// A private socket on the account's listen key, collecting what it receives.
struct UserStreamProbe {
    let key: String
    let frames: Frames
    let run: Task<Void, Never>

    /// Opens the socket and gives it half a second to connect.
    static func open(_ rest: BinanceREST, port: Int) async throws -> UserStreamProbe {
        guard case .success(let key) = await offload({ rest.createListenKey() }) else {
            throw RecordingError(message: "no listen key")
        }
        let frames = Frames()
        let link = SocketLink(url: "ws://127.0.0.1:\(port)/private/ws?listenKey=\(key)", name: "user", logger: Logger(label: "test"))
        let run = Task { await link.run { await frames.add($0) } }
        try await Task.sleep(for: .milliseconds(500))
        return UserStreamProbe(key: key, frames: frames, run: run)
    }

    private init(key: String, frames: Frames, run: Task<Void, Never>) {
        self.key = key
        self.run = run
        self.frames = frames
    }

    func stop() async {
        run.cancel()
        _ = await run.value
    }

    /// ORDER_TRADE_UPDATE payloads (`o`) of one client order id.
    func orderUpdates(clientOrderId: String) async -> [JSONValue] {
        await frames.events("ORDER_TRADE_UPDATE").compactMap { $0["o"] }.filter { $0["c"]?.string == clientOrderId }
    }
}

extension BinanceREST {
    /// Any endpoint by method and path, answered as JSON (for endpoints the bot does not use).
    func call(_ method: String, _ path: String, _ parameters: [(String, String)] = [], security: Security = .signed,
              weight: Int = 1) -> Outcome<JSONValue> {
        request(Endpoint(method, path, security, weight: weight), BinanceQuery(parameters))
    }
}

/// The JSON of a success; records an issue and throws otherwise.
func success(_ outcome: BinanceREST.Outcome<JSONValue>, _ what: String) throws -> JSONValue {
    guard case .success(let json) = outcome else {
        Issue.record("\(what): \(outcome)")
        throw RecordingError(message: "\(what) failed")
    }
    return json
}
