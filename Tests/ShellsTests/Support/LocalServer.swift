import Core
import TestSupport
import Foundation
import LocalExchange
import Live
import Logging
import Shells

/// At most two local markets (each with its bot, often a real binary) run at once across all
/// suites: on a 2-core machine more of them starve each other and the timings of every loopback
/// test stretch past their bounds.
actor LoopbackGate {
    static let shared = LoopbackGate(limit: 2)
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func enter() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }

    /// `body` once a place is free.
    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await shared.enter()
        do {
            let result = try await body()
            await shared.leave()
            return result
        } catch {
            await shared.leave()
            throw error
        }
    }
}

/// Runs a local Upbit on a free loopback port for the length of `body`.
func withLocalUpbit<T: Sendable>(_ options: LocalUpbit.Options = .small,
                                 _ body: @Sendable (LocalUpbit, Int) async throws -> T) async throws -> T {
    try await LoopbackGate.run { try await runLocalUpbit(options, body) }
}

private func runLocalUpbit<T: Sendable>(_ options: LocalUpbit.Options,
                                        _ body: @Sendable (LocalUpbit, Int) async throws -> T) async throws -> T {
    let upbit = try LocalUpbit(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
    return try await runLocalServer(label: "local-upbit", { logger, started in
        try await LocalUpbitServer.run(upbit, port: 0, logger: logger, onStarted: started)
    }, live: { await upbit.waitUntilLive() }, { try await body(upbit, $0) })
}

/// A local server on a free loopback port (its logs quiet: its shutdown at the end of each test
/// is not news), once its market plays live, for the length of `body`.
func runLocalServer<T: Sendable>(label: String,
                                 _ run: @escaping @Sendable (Logger, @escaping @Sendable (Int) async -> Void) async throws -> Void,
                                 live: () async -> Void, _ body: (Int) async throws -> T) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: label)
    logger.logLevel = .critical
    let quiet = logger
    let server = Task { try await run(quiet) { continuation.yield($0) } }
    defer { server.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw RecordingError(message: "the local server did not start") }
    await live()
    let result = try await body(port)
    server.cancel()
    _ = await server.result
    return result
}

extension LocalUpbit.Options {
    /// Three markets, five minutes of history: quick to start.
    static var small: LocalUpbit.Options {
        var options = LocalUpbit.Options()
        options.markets = 3
        options.historyMinutes = 5
        return options
    }
}

/// Runs blocking work (libcurl) on a thread of its own, off Swift's cooperative pool.
func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}

func localREST(_ port: Int, accessKey: String = "local-access-key", secretKey: String = "local-secret-key") -> UpbitREST {
    UpbitREST(baseURL: "http://127.0.0.1:\(port)",
              credentials: UpbitCredentials(accessKey: accessKey, secretKey: secretKey))
}

/// A live driver (paper or live) on a local market, reading the market's clock; quiet logs.
func localDriver(_ upbit: LocalUpbit, port: Int, mode: LiveDriver.Mode, prefix: String, secret: String = "local-secret-key",
                 stateDirectory: String? = nil, edit: (inout Config) -> Void = { _ in }) async -> LiveDriver {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    var settings = localSettings(port)
    edit(&settings.strategy)
    var setup = LiveDriver.Setup(settings: settings, mode: mode,
                                 credentials: mode == .live ? UpbitCredentials(accessKey: "local-access-key",
                                                                               secretKey: secret) : nil,
                                 identifierPrefix: prefix)
    setup.clock = await upbit.clock
    setup.stateDirectory = stateDirectory
    return LiveDriver(setup: setup, logger: logger)
}
