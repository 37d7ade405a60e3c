import Core
import TestSupport
import Foundation
import LocalExchange
import Shells
import Testing

/// A config file for the futures venue on the local Binance at `port`.
func writeFuturesConfig(port: Int, direction: String, in directory: String) throws -> String {
    let config = directory + "/bot.toml"
    try """
        [venue]
        name = "binance-futures"
        [binance]
        rest_url = "http://127.0.0.1:\(port)"
        ws_url = "ws://127.0.0.1:\(port)"
        [entry]
        direction = "\(direction)"
        [risk]
        stale_feed_seconds = 30
        """.write(toFile: config, atomically: true, encoding: .utf8)
    return config
}

/// The real `surge run --live` on the futures venue against the local Binance, killed with
/// SIGKILL (`SURGE_KILLS=N` for more than 12; `SURGE_KILL_SEED` to vary the moments).
@Suite(.serialized) struct FuturesKillTests {
    func launch(config: String, state: String, clock: DriverClock) throws -> Process {
        let process = Process()
        process.executableURL = surgeBinary()
        process.arguments = ["run", "--live", "--config", config, "--state", state, "--clock", clock.argument]
        process.environment = ["BINANCE_API_KEY": "local-api-key", "BINANCE_SECRET_KEY": "local-secret-key", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try botLog(state)
        try process.run()
        return process
    }

    func recovered(_ state: String) throws -> State {
        var settings = Settings()
        settings.venue = .binanceFutures
        let profile = settings.venueProfile
        return try Store(directory: state, readOnly: true)
            .recover(initial: State(config: Config(), venue: profile, options: .init(identifierPrefix: "t")), venue: profile).state
    }

    @Test func killedAtRandomTheBotNeverSendsAClientIdTwiceAndEndsAgreeingWithTheExchange() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: surgeBinary().path), "build surge first")
        let environment = ProcessInfo.processInfo.environment
        let kills = environment["SURGE_KILLS"].flatMap(Int.init) ?? 12
        var random = SplitMix64(seed: environment["SURGE_KILL_SEED"].flatMap(UInt64.init) ?? 7)
        let pauses = (0..<kills).map { _ in random.int(2_000...5_000) }
        try await withLocalBinance(.fast) { binance, port in
            let directory = temporaryDirectory("futures-kill")
            let config = try writeFuturesConfig(port: port, direction: "both", in: directory)
            let state = directory + "/state"
            // The first run trades before the kills start (start-up and a first surge take a while).
            let first = try launch(config: config, state: state, clock: await binance.clock)
            let traded = await eventually(120) { await !binance.orderSummaries().isEmpty }
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            try #require(traded, "the bot placed no order in two minutes")
            for pause in pauses {
                let bot = try launch(config: config, state: state, clock: await binance.clock)
                try await Task.sleep(for: .milliseconds(pause))
                kill(bot.processIdentifier, SIGKILL)
                bot.waitUntilExit()
            }
            let bot = try launch(config: config, state: state, clock: await binance.clock)
            try await Task.sleep(for: .seconds(15))
            bot.terminate()
            bot.waitUntilExit()
            #expect(bot.terminationStatus == 0, "\(lastLines(state))")

            let books = try recovered(state)
            let prefix = try #require(await binance.orderSummaries().first?.clientId.split(separator: "-").first.map(String.init))
            await expectAgreement(binance, books, prefix: prefix)
            let orders = await binance.orderSummaries()
            let legs = try Store(directory: state, readOnly: true).legs()
            #expect(try LedgerFile(directory: state).read() == legs)
            print("futures kill test: \(kills) kills, \(orders.filter { !$0.isAlgo }.count) orders and "
                  + "\(orders.filter(\.isAlgo).count) safety stops placed, \(legs.count) exit legs, \(books.positions.count) positions")
        }
    }

    /// Killed with a long open, its safety stop on the exchange: the price falls through the stop
    /// while the bot is down, the exchange closes the position, and the restarted bot books that
    /// exit as `exchange_stop` without sending any order for the position.
    @Test func aPositionClosedByTheSafetyStopWhileTheBotIsDownIsBookedAsExchangeStop() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: surgeBinary().path), "build surge first")
        try await withLocalBinance(.fast) { binance, port in
            let directory = temporaryDirectory("futures-stop")
            let config = try writeFuturesConfig(port: port, direction: "long", in: directory)
            let state = directory + "/state"
            let bot = try launch(config: config, state: state, clock: await binance.clock)
            let protected = await eventually(120) {
                let held = await binance.positionSizes()
                let stops = await binance.orderSummaries().filter { $0.isAlgo && $0.status == "NEW" }
                return !held.isEmpty && held.keys.allSatisfy { symbol in stops.contains { $0.symbol == symbol } }
            }
            kill(bot.processIdentifier, SIGKILL)
            bot.waitUntilExit()
            try #require(protected, "no protected position in time")
            let held = await binance.positionSizes()
            let before = await binance.orderSummaries()
            let positions = Set(before.filter { held.keys.contains($0.symbol) }.map { $0.clientId.split(separator: "-")[1] })

            var faults = BinanceFaults()
            faults.priceDropPercent = 5
            await binance.setFaults(faults)
            try #require(await eventually(60) { await binance.positionSizes().isEmpty }, "the safety stops did not fire")

            let restarted = try launch(config: config, state: state, clock: await binance.clock)
            try await Task.sleep(for: .seconds(8))
            restarted.terminate()
            restarted.waitUntilExit()
            #expect(restarted.terminationStatus == 0, "\(lastLines(state))")

            let legs = try Store(directory: state, readOnly: true).legs()
            for position in positions {
                let exits = legs.map(\.leg).filter { "\($0.positionId)" == position }
                #expect(exits.count == 1 && exits.first?.reason == .exchangeStop, "position \(position): \(exits.map(\.reason))")
                let sent = await binance.orderSummaries().filter { $0.clientId.split(separator: "-")[1] == position }
                let new = sent.filter { order in !before.contains { $0.clientId == order.clientId } && !order.clientId.contains("-x") }
                #expect(new.isEmpty, "orders sent for position \(position) after the restart: \(new.map(\.clientId))")
            }
            await expectAgreement(binance, try recovered(state), prefix: String(before[0].clientId.split(separator: "-")[0]))
        }
    }
}
