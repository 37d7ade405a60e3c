import ArgumentParser
import Core
import Foundation
import LocalExchange
import Logging
import Live
import Shells

/// `surge demo`: the local Upbit on a generated market with volume surges, and the bot trading
/// it in live mode (real REST and WebSockets on loopback, JWTs verified), then a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local Upbit (or Binance futures) with a surging market and let the bot trade it live on loopback.",
        discussion: "Needs no network and no keys. Logs every decision and trade on stderr, then prints a summary."
    )

    @Option(help: "How long to trade, in minutes of wall-clock time.") var minutes = 2.0
    @Option(help: "Market seconds per wall-clock second.") var speed = 10.0
    @Option(help: "Random seed of the generated market.") var seed: UInt64 = 7
    @Option(help: "The TOML config file (its [upbit] / [binance] addresses are replaced by the local server).") var config: String?
    @Option(help: "The venue (default: the config's [venue] name).") var venue: Venue?

    func run() async throws {
        var settings = try Settings.load(option: config)
        settings.choose(venue)
        if settings.venue == .binanceFutures { return try await runFutures(settings) }
        var options = LocalUpbit.Options()
        options.seed = seed
        options.markets = 8
        options.historyMinutes = 40
        options.secondsBetweenSurges = 400
        options.speed = speed
        let upbit = try LocalUpbit(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
        let (server, port) = try await startLocalServer(label: "local-upbit") { logger, started in
            try await LocalUpbitServer.run(upbit, port: 0, logger: logger, onStarted: started)
        }
        settings.upbit.restURL = "http://127.0.0.1:\(port)"
        settings.upbit.webSocketURL = "ws://127.0.0.1:\(port)/websocket/v1"
        let logger = LogSetup.bootstrapOnce(verbose: true)
        logger.info("local Upbit on 127.0.0.1:\(port): \(options.markets) markets at \(speed)x; trading live for \(minutes) minutes")
        let holder = DriverHolder()
        let credentials = UpbitCredentials(accessKey: options.accessKey, secretKey: options.secretKey)
        await runUntilStopped(minutes: minutes) { [settings] in
            await upbit.waitUntilLive()  // the history is made first; a signal meanwhile stops the demo
            guard !Task.isCancelled else { return }
            var setup = LiveDriver.Setup(settings: settings, mode: .live, credentials: credentials,
                                         identifierPrefix: IdentifierPrefix.fresh())
            setup.clock = await upbit.clock  // the market plays `speed` times faster than real time
            let driver = LiveDriver(setup: setup, logger: logger)
            await holder.set(driver)
            await driver.run()
        }
        guard let driver = await holder.driver else {
            server.cancel()
            return print("\n== demo summary ==\nstopped while the local market was still being made: nothing traded")
        }
        server.cancel()
        let orders = await upbit.orderSummaries()
        print("""

            == demo summary ==
            \(await driver.summary())
            orders on the exchange: \(orders.count) (\(orders.filter { $0.executedQuantity.isPositive }.count) filled)
            """)
        for entry in await driver.sessionLegs {
            print("  \(entry.market) \(entry.reason.rawValue): \(entry.quantity) at \(entry.entryPrice.rounded(places: 2)) -> "
                  + "\(entry.exitPrice.rounded(places: 2)), net \(entry.netPnL.rounded(places: 0)) KRW")
        }
    }
}

/// Runs a local server in a task (its logs quiet: its shutdown is not news) and waits for its port.
func startLocalServer(label: String,
                      _ run: @escaping @Sendable (Logger, @escaping @Sendable (Int) async -> Void) async throws -> Void)
    async throws -> (server: Task<Void, Error>, port: Int) {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: label)
    logger.logLevel = .critical
    let quiet = logger
    let server = Task { try await run(quiet) { continuation.yield($0) } }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CommandFailure(message: "the local server did not start") }
    return (server, port)
}

/// The demo's driver, made once the local market is live (inside the signal-handled work).
actor DriverHolder {
    private(set) var driver: LiveDriver?
    func set(_ driver: LiveDriver) { self.driver = driver }
}
