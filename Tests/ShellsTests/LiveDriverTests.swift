import Core
import TestSupport
import Foundation
import LocalExchange
import Logging
import Live
import Shells
import Testing

/// A fast local market: 6 markets, 40 minutes of history, a surge per market every 5 market
/// minutes, 10 market seconds per second.
extension LocalUpbit.Options {
    static var fast: LocalUpbit.Options {
        var options = LocalUpbit.Options()
        options.markets = 6
        options.historyMinutes = 40
        options.secondsBetweenSurges = 300
        options.speed = 10
        return options
    }
}

func localSettings(_ port: Int) -> Settings {
    var settings = Settings()
    settings.upbit.restURL = "http://127.0.0.1:\(port)"
    settings.upbit.webSocketURL = "ws://127.0.0.1:\(port)/websocket/v1"
    settings.strategy.risk.staleFeedSeconds = 30
    return settings
}

/// Polls `condition` every 200 ms for at most `seconds`.
func eventually(_ seconds: Double, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return false
}

@Suite(.serialized) struct LiveDriverTests {
    @Test func aFullCycleAgainstTheLocalUpbitInLiveMode() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            var setup = LiveDriver.Setup(settings: localSettings(port), mode: .live,
                                         credentials: UpbitCredentials(accessKey: "local-access-key", secretKey: "local-secret-key"),
                                         identifierPrefix: "lt")
            setup.clock = await upbit.clock
            let driver = LiveDriver(setup: setup, logger: logger)
            let run = Task { await driver.run() }
            defer { run.cancel() }

            // surge -> market buy -> take profit (or stop) -> market sell, all signed and verified
            let closed = await eventually(120) { await !driver.sessionLegs.isEmpty }
            #expect(closed)
            let ledger = await driver.sessionLegs
            let orders = await upbit.orderSummaries()
            let legs = Set(ledger.map(\.positionId))
            for position in legs {
                #expect(orders.contains { $0.identifier == "lt-\(position)-b1" && $0.executedQuantity.isPositive })
            }
            #expect(Set(orders.map(\.identifier)).count == orders.count)
            #expect(await !upbit.requestLog.isEmpty)

            // The sockets are dropped: the bot reconnects, subscribes again and data flows again.
            let before = await driver.state.risk.lastMarketDataAt ?? 0
            await upbit.dropSockets()
            let flowing = await eventually(20) {
                let socketsBack = await upbit.socketCount >= 2
                let newData = (await driver.state.risk.lastMarketDataAt ?? 0) > before + 2_000
                return socketsBack && newData
            }
            #expect(flowing)
            // No handshake or request carried `Origin` (Upbit allows those once per 10 s).
            #expect(await upbit.originRequests == 0)

            // What the bot holds is what the exchange holds.
            run.cancel()
            _ = await run.value
            let state = await driver.state
            let balances = await upbit.balances()
            for position in state.positions where position.orderIdentifiers.isEmpty {
                let held = balances.first { $0.currency == UpbitVenue.profile.baseAsset(of: position.market) }
                #expect((held?.balance ?? 0) + (held?.locked ?? 0) == position.quantity)
            }
        }
    }
}

@Suite(.serialized) struct RecordTests {
    /// What `surge record` writes from the local server's socket, a backtest reads back whole.
    @Test func aRecordingOfThePublicSocketIsABacktestInput() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let path = temporaryDirectory("record") + "/live.jsonl"
            let recorder = FrameRecorder(writer: try LineWriter(path: path))
            let link = SocketLink(url: "ws://127.0.0.1:\(port)/websocket/v1", name: "record", logger: Logger(label: "test"))
            await link.subscribe(SocketLink.marketSubscription(["KRW-BTC", "KRW-ETH", "KRW-XRP"]))
            let run = Task { await link.run { await recorder.write($0) } }
            let recorded = await eventually(20) { await recorder.frames >= 50 }
            run.cancel()
            _ = await run.value
            try await recorder.close()
            #expect(recorded)
            var engine = BacktestEngine(config: Config())
            try RecordingReader.read(paths: [path]) { engine.feed(line: $0) }
            let summary = engine.finish()
            #expect(summary.framesRead >= 50)
            #expect(summary.framesRejected == 0)
            #expect(Set(engine.state.markets.map(\.code)).isSubset(of: ["KRW-BTC", "KRW-ETH", "KRW-XRP"]))
        }
    }
}

@Suite(.serialized) struct LostAnswerTests {
    /// The first order's answer never comes: the bot waits, asks by identifier, finds the order,
    /// and never sends a second one for that entry.
    @Test func anAcceptedOrderWhoseAnswerIsLostIsResolvedByIdentifier() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            await upbit.setFaults(Faults(droppedOrderAnswers: 1, heldAnswerSeconds: 6, silentPrivateSocket: true))
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            var setup = LiveDriver.Setup(settings: localSettings(port), mode: .live,
                                         credentials: UpbitCredentials(accessKey: "local-access-key", secretKey: "local-secret-key"),
                                         identifierPrefix: "la")
            setup.clock = await upbit.clock
            setup.restTimeoutMilliseconds = 1_500
            let driver = LiveDriver(setup: setup, logger: logger)
            let run = Task { await driver.run() }
            defer { run.cancel() }
            // The first start probes the entries of positions 1…max_positions (orders a lost
            // transaction could have sent): the first real position comes after them.
            let first = 1 + Config().capital.maxPositions
            let settled = await eventually(120) {  // generous: the full suite loads both cores
                let state = await driver.state
                let legs = await driver.sessionLegs
                return state.positions.contains { $0.id == first && $0.phase != .opening }
                    || legs.contains { $0.positionId == first }
            }
            #expect(settled)
            let entries = await upbit.orderSummaries().filter { $0.identifier.hasPrefix("la-\(first)-b") }
            #expect(entries.map(\.identifier) == ["la-\(first)-b1"])
            #expect(await upbit.requestLog.contains("GET /v1/order"))
        }
    }
}

@Suite(.serialized) struct RecordingReplayTests {
    /// A recording from January plays as if now: times shifted to the present, ids raised per loop.
    @Test func theLocalServerReplaysARecordingShiftedToNow() async throws {
        var generator = MarketGenerator(seed: 5, markets: 2)
        let lines = (0..<120).flatMap { _ in generator.nextSecond() }
        var feed = try RecordingFeed(lines: lines, startTime: 1_800_000_000_000)
        let first = feed.nextSecond()
        #expect(!first.isEmpty)
        for line in first {
            guard case .trade(let trade) = try MarketFrameDecoder.decode(line) else { continue }
            #expect(trade.time >= 1_800_000_000_000 && trade.time < 1_800_000_001_000)
        }
        for _ in 0..<130 { _ = feed.nextSecond() }  // past the end: the second loop
        let looped = feed.nextSecond().compactMap { line -> Trade? in
            guard case .trade(let trade) = try? MarketFrameDecoder.decode(line) else { return nil }
            return trade
        }
        #expect(looped.allSatisfy { $0.sequentialId > 100_000_000_000_000_000 && $0.time > 1_800_000_120_000 })

        var options = LocalUpbit.Options.small
        options.recording = lines
        try await withLocalUpbit(options) { upbit, port in
            let rest = localREST(port)
            guard case .success(let markets) = await offload({ rest.markets() }) else { Issue.record("markets"); return }
            #expect(markets.map(\.market) == ["KRW-BTC", "KRW-ETH"])
            guard case .success(let tickers) = await offload({ rest.tickers(markets: ["KRW-BTC"]) }) else {
                Issue.record("ticker"); return
            }
            // Recorded on 2026-01-01, served as of now (give or take a feed slowed by a busy machine).
            let now = Milliseconds(Date().timeIntervalSince1970 * 1_000)
            #expect(abs((tickers.first?.time ?? 0) - now) < 600_000)
        }
    }
}

@Suite(.serialized) struct PaperModeTests {
    /// Paper mode: live frames, fills simulated in process from `capital.initial_krw`; the
    /// exchange never sees an order.
    @Test func paperModeTradesTheLiveFeedWithoutSendingOrders() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            var setup = LiveDriver.Setup(settings: localSettings(port), mode: .paper, credentials: nil, identifierPrefix: "pp")
            setup.clock = await upbit.clock
            let directory = temporaryDirectory("paper")
            setup.stateDirectory = directory
            let driver = LiveDriver(setup: setup, logger: logger)
            try await driver.openStore()
            let run = Task { await driver.run() }
            defer { run.cancel() }
            let traded = await eventually(60) {
                let state = await driver.state
                return (await driver.sessionLegs).count + state.positions.filter { $0.phase == .open }.count > 0
            }
            #expect(traded)
            #expect(await upbit.orderSummaries().isEmpty)
            #expect(await !upbit.requestLog.contains { $0.hasPrefix("POST") })
            let state = await driver.state
            #expect(state.checkInvariants() == [])
            // paper legs never reach the live ledger (nor a store): only paper-ledger.jsonl
            #expect(!FileManager.default.fileExists(atPath: directory + "/ledger.jsonl"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/data.mdb"))
            let legs = await driver.sessionLegs
            #expect(try LedgerFile(directory: directory, name: LedgerFile.paperName).read().map(\.leg) == legs)
        }
    }
}
