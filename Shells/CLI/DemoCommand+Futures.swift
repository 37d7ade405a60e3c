import Core
import Foundation
import LocalExchange
import Logging
import Live
import Shells

extension DemoCommand {
    /// The local Binance USDⓈ-M futures on a generated market, and the bot trading it in live mode
    /// (signed REST, the split WebSocket routes and the user stream on loopback), then a summary.
    func runFutures(_ configured: Settings) async throws {
        var settings = configured
        if config == nil { settings.strategy.entry.direction = .both }  // the demo shows shorts too
        var options = LocalBinance.Options()
        options.seed = seed
        options.symbols = 6
        options.historyMinutes = 40
        options.secondsBetweenSurges = 400
        options.speed = speed
        let binance = try LocalBinance(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
        let (server, port) = try await startLocalServer(label: "local-binance") { logger, started in
            try await LocalBinanceServer.run(binance, port: 0, logger: logger, onStarted: started)
        }
        settings.binance.restURL = "http://127.0.0.1:\(port)"
        settings.binance.webSocketURL = "ws://127.0.0.1:\(port)"
        let logger = LogSetup.bootstrapOnce(verbose: true)
        logger.info("local Binance futures on 127.0.0.1:\(port): \(options.symbols) symbols at \(speed)x; trading live for \(minutes) minutes")
        let holder = DriverHolder()
        let keys = BinanceSigner(apiKey: options.apiKey, secretKey: options.secretKey)
        await runUntilStopped(minutes: minutes) { [settings] in
            await binance.waitUntilLive()
            guard !Task.isCancelled else { return }
            var setup = LiveDriver.Setup(settings: settings, mode: .live, credentials: nil, identifierPrefix: IdentifierPrefix.fresh())
            setup.binanceKeys = keys
            setup.clock = await binance.clock
            let driver = LiveDriver(setup: setup, logger: logger)
            await holder.set(driver)
            if let refusal = await driver.preflight() { return logger.critical("\(refusal)") }
            await driver.run()
        }
        guard let driver = await holder.driver else {
            server.cancel()
            return print("\n== demo summary ==\nstopped while the local market was still being made: nothing traded")
        }
        server.cancel()
        let orders = await binance.orderSummaries()
        print("""

            == demo summary ==
            \(await driver.summary())
            orders on the exchange: \(orders.filter { !$0.isAlgo }.count) (\(orders.filter { !$0.isAlgo && $0.executedQuantity.isPositive }.count) filled), safety stops: \(orders.filter(\.isAlgo).count)
            """)
        for entry in await driver.sessionLegs {
            print("  \(entry.market) \(entry.direction.rawValue) \(entry.reason.rawValue): \(entry.quantity) at \(entry.entryPrice.rounded(places: 6)) -> "
                  + "\(entry.exitPrice.rounded(places: 6)), net \(entry.netPnL.rounded(places: 2)) USDT")
        }
    }
}
