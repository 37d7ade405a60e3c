import Core
import Foundation
import LocalExchange
import Logging
import Live
import Shells
import Testing

/// Six symbols, 40 minutes of history, a surge per symbol every 5 market minutes, 10 market
/// seconds per second: quick cycles.
extension LocalBinance.Options {
    static var fast: LocalBinance.Options {
        var options = LocalBinance.Options()
        options.symbols = 6
        options.historyMinutes = 40
        options.secondsBetweenSurges = 300
        options.speed = 10
        return options
    }
}

func futuresSettings(_ port: Int, direction: Config.EntryDirection) -> Settings {
    var settings = Settings()
    settings.venue = .binanceFutures
    settings.binance.restURL = "http://127.0.0.1:\(port)"
    settings.binance.webSocketURL = "ws://127.0.0.1:\(port)"
    settings.strategy.entry.direction = direction
    settings.strategy.risk.staleFeedSeconds = 30
    return settings
}

/// The bot in live mode on the local Binance, running until the test ends.
struct FuturesBot {
    let driver: LiveDriver
    let run: Task<Void, Never>

    static func start(_ binance: LocalBinance, port: Int, settings: Settings, prefix: String) async throws -> FuturesBot {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var setup = LiveDriver.Setup(settings: settings, mode: .live, credentials: nil, identifierPrefix: prefix)
        setup.binanceKeys = BinanceSigner(apiKey: "local-api-key", secretKey: "local-secret-key")
        setup.clock = await binance.clock
        let driver = LiveDriver(setup: setup, logger: logger)
        let refusal = await driver.preflight()
        try #require(refusal == nil, "\(refusal ?? "")")
        return FuturesBot(driver: driver, run: Task { await driver.run() })
    }

    func stop() async {
        run.cancel()
        _ = await run.value
    }
}

/// What the bot and the server must agree on once the bot stopped: positions (signed), no
/// client id used twice, no order of the bot's left working that it does not know of, and no
/// safety stop working on a flat symbol.
func expectAgreement(_ binance: LocalBinance, _ state: State, prefix: String, sourceLocation: SourceLocation = #_sourceLocation) async {
    let server = await binance.positionSizes()
    for position in state.positions where position.orderIdentifiers.isEmpty {
        let signed = position.direction == .long ? position.quantity : -position.quantity
        #expect(server[position.market] == signed, "\(position.market): \(position)", sourceLocation: sourceLocation)
    }
    for (symbol, _) in server where !state.positions.contains(where: { $0.market == symbol }) {
        Issue.record("\(symbol) held on the server, not by the bot", sourceLocation: sourceLocation)
    }
    let orders = await binance.orderSummaries().filter { $0.clientId.hasPrefix(prefix + "-") }
    for kind in [false, true] {
        let ids = orders.filter { $0.isAlgo == kind }.map(\.clientId)
        #expect(Set(ids).count == ids.count, "a client id used twice: \(ids)", sourceLocation: sourceLocation)
    }
    for order in orders where ["NEW", "PARTIALLY_FILLED"].contains(order.status) {
        #expect(state.orders[order.clientId] != nil, "\(order.clientId) working on the server, unknown to the bot",
                sourceLocation: sourceLocation)
        if order.isAlgo {
            #expect(server[order.symbol] != nil, "safety stop \(order.clientId) working on flat \(order.symbol)",
                    sourceLocation: sourceLocation)
        }
    }
}

@Suite(.serialized) struct BinanceLiveTests {
    /// Entry, safety stop placed, take-profit (or stop), safety stop gone — for longs, then for
    /// shorts, each signed and verified by the local server.
    @Test(arguments: [Config.EntryDirection.long, .short])
    func aFullCycleWithItsSafetyStop(direction: Config.EntryDirection) async throws {
        try await withLocalBinance(.fast) { binance, port in
            let bot = try await FuturesBot.start(binance, port: port, settings: futuresSettings(port, direction: direction), prefix: "fc")
            let closed = await eventually(120) { await !bot.driver.sessionLegs.isEmpty }
            await bot.stop()
            #expect(closed)
            let legs = await bot.driver.sessionLegs
            let orders = await binance.orderSummaries()
            for leg in legs {
                #expect(leg.direction == (direction == .long ? .long : .short))
                let entry = orders.first { $0.clientId == "fc-\(leg.positionId)-b1" }
                #expect(entry?.status == "FILLED")
                // the safety stop was placed after the entry filled, and does not outlive the position
                let stops = orders.filter { $0.isAlgo && $0.clientId.hasPrefix("fc-\(leg.positionId)-x") }
                #expect(!stops.isEmpty, "no safety stop for position \(leg.positionId)")
                #expect(stops.allSatisfy { $0.status != "NEW" }, "\(stops)")
            }
            await expectAgreement(binance, await bot.driver.state, prefix: "fc")
        }
    }

    /// Every price falls 4 % at once under a long: the position is closed by the bot's stop-loss
    /// or by the exchange's safety stop, never both, and the books agree.
    @Test func aStopLossCycle() async throws {
        try await withLocalBinance(.fast) { binance, port in
            let bot = try await FuturesBot.start(binance, port: port, settings: futuresSettings(port, direction: .long), prefix: "sl")
            let opened = await eventually(120) { await bot.driver.state.positions.contains { $0.phase == .open } }
            try #require(opened)
            let market = try #require(await bot.driver.state.positions.first { $0.phase == .open }?.market)
            var faults = BinanceFaults()
            faults.priceDropPercent = 4
            await binance.setFaults(faults)
            let stopped = await eventually(60) {
                await bot.driver.sessionLegs.contains { $0.market == market && [.stopLoss, .exchangeStop].contains($0.reason) }
            }
            await bot.stop()
            #expect(stopped)
            let leg = await bot.driver.sessionLegs.first { $0.market == market }
            #expect((leg?.netPnL ?? 0).isNegative)
            await expectAgreement(binance, await bot.driver.state, prefix: "sl")
        }
    }

    /// 429s (with Retry-After) and -1021s at start, then an order answer lost after it executed:
    /// the bot waits them out, re-measures its clock, settles the lost answer by client id (one
    /// order on the server for it), and trades on.
    @Test func throttlingClockSkewAndALostAnswerAreSurvived() async throws {
        try await withLocalBinance(.fast) { binance, port in
            var faults = BinanceFaults()
            faults.tooManyRequests = 2
            faults.invalidTimestamps = 2
            faults.droppedOrderAnswers = 1
            await binance.setFaults(faults)
            let bot = try await FuturesBot.start(binance, port: port, settings: futuresSettings(port, direction: .both), prefix: "lo")
            let closed = await eventually(150) { await !bot.driver.sessionLegs.isEmpty }
            await bot.stop()
            #expect(closed)
            let orders = await binance.orderSummaries()
            let first = try #require(orders.first { !$0.isAlgo && $0.clientId.hasPrefix("lo-") })
            #expect(orders.filter { $0.clientId == first.clientId }.count == 1)
            #expect(await binance.faults == BinanceFaults(), "every fault fired")
            #expect(await binance.limitRefusals == 0, "the bot never went past a limit on its own")
            await expectAgreement(binance, await bot.driver.state, prefix: "lo")
        }
    }

    /// The listen key expires and every socket is dropped: the bot makes a new key, reconnects
    /// each route, asks for its working orders, and its fills keep arriving.
    @Test func anExpiredListenKeyAndDroppedSocketsAreSurvived() async throws {
        try await withLocalBinance(.fast) { binance, port in
            let bot = try await FuturesBot.start(binance, port: port, settings: futuresSettings(port, direction: .both), prefix: "lk")
            try #require(await eventually(60) { await binance.socketCount >= 4 })
            var faults = BinanceFaults()
            faults.expireListenKey = true
            await binance.setFaults(faults)
            try #require(await eventually(60) { await binance.requestLog.filter { $0 == "POST /fapi/v1/listenKey" }.count >= 2 }, "no new listen key")
            await binance.dropSockets()
            let before = await bot.driver.state.risk.lastMarketDataAt ?? 0
            let back = await eventually(60) {
                let sockets = await binance.socketCount >= 4
                let data = (await bot.driver.state.risk.lastMarketDataAt ?? 0) > before + 2_000
                return sockets && data
            }
            #expect(back)
            let legsBefore = await bot.driver.sessionLegs.count
            let traded = await eventually(120) { await bot.driver.sessionLegs.count > legsBefore }
            await bot.stop()
            #expect(traded, "no exit booked after the reconnects")
            await expectAgreement(binance, await bot.driver.state, prefix: "lk")
        }
    }

    /// A limit entry rests under the dead-man switch (countdownCancelAll armed for its symbol) and,
    /// if not filled within the timeout, the rest is bought or sold at market (leg `f`).
    @Test func aLimitEntryRestsUnderTheDeadManSwitchWithAMarketFallback() async throws {
        try await withLocalBinance(.fast) { binance, port in
            var settings = futuresSettings(port, direction: .both)
            settings.strategy.entry.order = .limit
            settings.strategy.entry.limitTimeoutSeconds = 30
            let bot = try await FuturesBot.start(binance, port: port, settings: settings, prefix: "le")
            let armed = await eventually(120) { await binance.requestLog.contains("POST /fapi/v1/countdownCancelAll") }
            let closed = await eventually(120) { await !bot.driver.sessionLegs.isEmpty }
            await bot.stop()
            #expect(armed, "no dead-man switch while a limit entry rested")
            #expect(closed)
            let orders = await binance.orderSummaries()
            for leg in await bot.driver.sessionLegs {
                let limit = try #require(orders.first { $0.clientId == "le-\(leg.positionId)-b1" })
                if limit.status != "FILLED" {
                    let fallback = orders.filter { $0.clientId.hasPrefix("le-\(leg.positionId)-f") }
                    #expect(limit.executedQuantity.isPositive || fallback.contains { $0.status == "FILLED" },
                            "entry of \(leg.positionId): \(limit.status), fallback \(fallback)")
                }
            }
            await expectAgreement(binance, await bot.driver.state, prefix: "le")
        }
    }

    /// Paper mode on the futures venue: live market data from the server, fills by the in-process
    /// simulated futures venue; nothing signed is ever sent.
    @Test func paperModeTradesOnTheLiveFeedWithoutSendingOrders() async throws {
        try await withLocalBinance(.fast) { binance, port in
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            var setup = LiveDriver.Setup(settings: futuresSettings(port, direction: .both), mode: .paper, credentials: nil,
                                         identifierPrefix: "pp")
            setup.clock = await binance.clock
            let driver = LiveDriver(setup: setup, logger: logger)
            let run = Task { await driver.run() }
            let closed = await eventually(120) { await !driver.sessionLegs.isEmpty }
            run.cancel()
            _ = await run.value
            #expect(closed)
            #expect(await binance.orderSummaries().isEmpty)
            let signed = await binance.requestLog.filter { !$0.hasPrefix("GET /fapi/v1/exchangeInfo") && !$0.hasPrefix("GET /fapi/v1/klines") }
            #expect(signed.isEmpty, "\(Set(signed))")
            #expect(await driver.state.venue.quoteAsset == "USDT")
        }
    }

    /// What `surge record --venue binance-futures` writes from the local server's routes (the
    /// exchangeInfo answer, then trades, books and marks), `surge backtest` reads back whole.
    @Test func aRecordingOfTheFuturesRoutesIsABacktestInput() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: surgeBinary().path), "build surge first")
        try await withLocalBinance(.fast) { _, port in
            let directory = temporaryDirectory("futures-record")
            let config = try writeFuturesConfig(port: port, direction: "both", in: directory)
            let recorded = await offload {
                try? runSurge(["record", "--config", config, "--out", directory + "/live.jsonl", "--minutes", "0.1"])
            }
            #expect(recorded?.status == 0, "\(recorded?.errors ?? "")")
            let lines = try String(contentsOfFile: directory + "/live.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.first?.hasPrefix(#"{"timezone""#) == true)
            for stream in ["@aggTrade", "@depth20@100ms", "@markPrice@1s"] {
                #expect(lines.contains { $0.contains(stream) }, "no \(stream) frame")
            }
            let backtest = await offload {
                try? runSurge(["backtest", "--config", config, "--data", directory + "/live.jsonl", "--report", directory + "/report"])
            }
            #expect(backtest?.status == 0, "\(backtest?.errors ?? "")")
            let summary = try JSONValue.parse(try String(contentsOfFile: directory + "/report/summary.json", encoding: .utf8))
            #expect((summary["frames_read"]?.integer ?? 0) >= 50, "\(summary)")
            #expect(summary["frames_rejected"]?.integer == 0, "\(summary)")
        }
    }
}
