import Core
import TestSupport
import Foundation
import LocalExchange
import Shells
import Testing

/// The real `surge run --live` against the local Upbit, killed with SIGKILL at random moments and
/// restarted each time (`SURGE_KILLS=N` for more than 20; `SURGE_KILL_SEED` to vary them).
@Suite(.serialized) struct KillTests {
    /// The bot reads the local market's clock: the market plays 10x faster than real time.
    func launch(config: String, state: String, clock: DriverClock) throws -> Process {
        let process = Process()
        process.executableURL = surgeBinary()
        process.arguments = ["run", "--live", "--config", config, "--state", state, "--clock", clock.argument]
        process.environment = ["UPBIT_ACCESS_KEY": "local-access-key", "UPBIT_SECRET_KEY": "local-secret-key",
                               "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try botLog(state)
        try process.run()
        return process
    }

    /// Net P&L of sells as the exchange recorded them: proceeds after the sell fee, minus the
    /// volume at its position's average buy cost including the buy fees (identifiers are
    /// `prefix-position-leg+attempt`; buys are legs `b` and `f`).
    static func netPnL(sells: [SimulatedExchange.Order], all: [SimulatedExchange.Order]) -> Fixed {
        func position(_ order: SimulatedExchange.Order) -> Substring { order.request.identifier.split(separator: "-")[1] }
        var total: Fixed = 0
        for sell in sells {
            let buys = all.filter { $0.request.side == .buy && position($0) == position(sell) }
            let volume = buys.reduce(Fixed.zero) { $0 + $1.executedQuantity }
            let cost = buys.reduce(Fixed.zero) { $0 + $1.fundsKRW + $1.feeKRW }
            guard volume.isPositive else { continue }
            total += sell.fundsKRW - sell.feeKRW - cost * sell.executedQuantity / volume
        }
        return total
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
                let bot = try launch(config: config, state: state, clock: await upbit.clock)
                try await Task.sleep(for: .milliseconds(pause))
                kill(bot.processIdentifier, SIGKILL)
                bot.waitUntilExit()
            }
            // A last, undisturbed run settles everything, then stops cleanly.
            let bot = try launch(config: config, state: state, clock: await upbit.clock)
            try await Task.sleep(for: .seconds(8))
            bot.terminate()
            bot.waitUntilExit()
            #expect(bot.terminationStatus == 0, "\(lastLines(state))")

            #expect(await upbit.duplicateIdentifierAttempts == 0)
            let recovered = try Store(directory: state, readOnly: true).recover(initial: upbitState(Config()), venue: UpbitVenue.profile)
            let books = recovered.state
            let balances = await upbit.balances()
            for position in books.positions where position.orderIdentifiers.isEmpty {
                let held = balances.first { $0.currency == UpbitVenue.profile.baseAsset(of: position.market) }
                #expect((held?.balance ?? 0) + (held?.locked ?? 0) == position.quantity, "\(position.market)")
            }
            let open = await upbit.orderSummaries().filter { !$0.state.isFinal }.map(\.identifier)
            for identifier in open { #expect(books.orders[identifier] != nil, "\(identifier) open on the exchange, unknown to the bot") }
            let placed = await upbit.requestLog.filter { $0 == "POST /v1/orders" }.count

            // The ledger file holds exactly the store's legs, each once, however the kills fell.
            let legs = try Store(directory: state, readOnly: true).legs()
            let rows = try LedgerFile(directory: state).read()
            #expect(rows == legs)
            #expect(Set(rows.compactMap(\.identifier)).count == rows.count)
            // … and `surge report` over it agrees with the exchange's record of fills: one leg per
            // sell that filled, and the net P&L of those sells against their position's buys.
            let exchange = await upbit.orderRecords()
            let sells = exchange.filter { $0.request.side == .sell && $0.executedQuantity.isPositive && $0.state.isFinal }
            #expect(Set(sells.map(\.request.identifier)) == Set(rows.compactMap(\.identifier)))
            let truth = KillTests.netPnL(sells: sells, all: exchange)
            let report = try runSurge(["report", "--state", state, "--out", directory + "/report"])
            #expect(report.status == 0)
            #expect(report.output.hasPrefix("\(sells.count) exit legs, net P&L "), "\(report.output)")
            let printed = report.output.split(separator: " ").dropFirst(5).first.flatMap { Fixed(String($0)) }
            let net = try #require(printed, "\(report.output)")
            #expect(net - truth <= 1 && truth - net <= 1, "report \(net) KRW, exchange \(truth) KRW")
            print("kill test: \(kills) kills, \(placed) orders placed, \(rows.count) exit legs (net \(net) KRW), \(books.positions.count) positions")
        }
    }
}

/// The bots' standard error, all runs appended, next to their state directory: what a bot that
/// ends badly said last is shown by the failing expectation.
func botLog(_ state: String) throws -> FileHandle {
    let path = state + ".stderr"
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    handle.seekToEndOfFile()
    return handle
}

/// The last lines the bots wrote to standard error.
func lastLines(_ state: String, count: Int = 20) -> String {
    let text = (try? String(contentsOfFile: state + ".stderr", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").suffix(count).joined(separator: "\n")
}
