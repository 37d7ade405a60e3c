import Core
import Foundation
import LocalExchange
import Shells
import Testing

/// The real `surge run --live` against the local Upbit, killed with SIGKILL at random moments and
/// restarted each time (`SURGE_KILLS=N` for more than 20; `SURGE_KILL_SEED` to vary them).
@Suite(.serialized) struct KillTests {
    func launch(config: String, state: String) throws -> Process {
        let process = Process()
        process.executableURL = surgeBinary()
        process.arguments = ["run", "--live", "--config", config, "--state", state]
        process.environment = ["UPBIT_ACCESS_KEY": "local-access-key", "UPBIT_SECRET_KEY": "local-secret-key",
                               "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedAtRandomTheBotNeverSendsAnOrderTwiceAndEndsAgreeingWithTheExchange() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: surgeBinary().path), "build surge first")
        let environment = ProcessInfo.processInfo.environment
        let kills = environment["SURGE_KILLS"].flatMap(Int.init) ?? 20
        var random = SplitMix64(seed: environment["SURGE_KILL_SEED"].flatMap(UInt64.init) ?? 42)
        let pauses = (0..<kills).map { _ in random.int(2_000...5_000) }
        var busy = LocalUpbit.Options.fast
        busy.markets = 8
        try await withLocalUpbit(busy) { upbit, port in
            let directory = temporaryDirectory("kill")
            let config = directory + "/bot.toml"
            try """
                [upbit]
                rest_url = "http://127.0.0.1:\(port)"
                ws_url = "ws://127.0.0.1:\(port)/websocket/v1"
                [risk]
                stale_feed_seconds = 30
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let state = directory + "/state"
            for pause in pauses {
                let bot = try launch(config: config, state: state)
                try await Task.sleep(for: .milliseconds(pause))
                kill(bot.processIdentifier, SIGKILL)
                bot.waitUntilExit()
            }
            // A last, undisturbed run settles everything, then stops cleanly.
            let bot = try launch(config: config, state: state)
            try await Task.sleep(for: .seconds(8))
            bot.terminate()
            bot.waitUntilExit()
            #expect(bot.terminationStatus == 0)

            #expect(await upbit.duplicateIdentifierAttempts == 0)
            let recovered = try Store(directory: state, readOnly: true).recover(initial: State(config: Config()))
            let books = recovered.state
            let balances = await upbit.balances()
            for position in books.positions where position.orderIdentifiers.isEmpty {
                let held = balances.first { $0.currency == MarketCode.baseCurrency(of: position.market) }
                #expect((held?.balance ?? 0) + (held?.locked ?? 0) == position.volume, "\(position.market)")
            }
            let open = await upbit.orderSummaries().filter { !$0.state.isFinal }.map(\.identifier)
            for identifier in open { #expect(books.orders[identifier] != nil, "\(identifier) open on the exchange, unknown to the bot") }
            let placed = await upbit.requestLog.filter { $0 == "POST /v1/orders" }.count
            print("kill test: \(kills) kills, \(placed) orders placed, \(try Store(directory: state, readOnly: true).legs().count) exit legs, \(books.positions.count) positions")
        }
    }
}
