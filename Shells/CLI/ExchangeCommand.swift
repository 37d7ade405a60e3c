import ArgumentParser
import Core
import Foundation
import LocalExchange
import Shells

/// `surge exchange`: the local Upbit-compatible server, for tests and demos.
struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Run a local Upbit- or Binance-futures-compatible server (REST + WebSockets) on a generated market.",
        discussion: """
            The bot talks to it with [upbit] rest_url = "http://127.0.0.1:PORT" and \
            ws_url = "ws://127.0.0.1:PORT/websocket/v1", and the keys printed at start. \
            Faults: POST /_local/faults {"tooManyRequests":2,"serverErrors":1,"droppedOrderAnswers":1,\
            "delayMilliseconds":200,"duplicateMyOrder":true}; POST /_local/drop-sockets. With --venue \
            binance-futures: [binance] rest_url = "http://127.0.0.1:PORT", ws_url = "ws://127.0.0.1:PORT" \
            and BINANCE_API_KEY / BINANCE_SECRET_KEY as printed; faults as in BinanceFaults \
            ({"tooManyRequests":2,"droppedOrderAnswers":1,"priceDropPercent":5,"expireListenKey":true}).
            """
    )

    @Option(help: "The venue the server imitates.") var venue = Venue.upbit
    @Option(help: "Port on 127.0.0.1 (0 = any free port).") var port = 8_080
    @Option(help: "Random seed of the generated market.") var seed: UInt64 = 1
    @Option(help: "Number of KRW markets.") var markets = 20
    @Option(help: "Minutes of market history made before opening.") var historyMinutes = 60
    @Option(help: "Mean seconds between two volume surges of one market.") var surgeEvery = 10_800
    @Option(help: "Market seconds per wall-clock second (a bot on the wall clock refuses frames of a faster market: keep 1 for surge run).") var speed = 1.0
    @Option(help: "Starting KRW of the account (Upbit).") var krw = 10_000_000
    @Option(help: "Starting USDT of the futures wallet (Binance).") var usdt = 10_000
    @Option(help: "Play this recording (looped, times shifted to now) instead of a generated market.") var recording: String?

    func run() async throws {
        if venue == .binanceFutures { return try await runBinance() }
        var options = LocalUpbit.Options()
        options.seed = seed
        options.markets = markets
        options.historyMinutes = historyMinutes
        options.secondsBetweenSurges = surgeEvery
        options.speed = speed
        options.krw = Fixed(krw)
        if let recording {
            var lines: [String] = []
            do {
                try RecordingReader.read(paths: [recording]) { lines.append(String(decoding: $0, as: UTF8.self)) }
            } catch {
                throw CommandFailure(message: "\(error)")
            }
            options.recording = lines
        }
        let upbit = try LocalUpbit(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
        let started = options
        try await LocalUpbitServer.run(upbit, port: port) { port in
            let banner = """
                local Upbit on http://127.0.0.1:\(port) (ws://127.0.0.1:\(port)/websocket/v1), \(started.recording == nil ? "\(started.markets) generated markets" : "a recording")
                keys: UPBIT_ACCESS_KEY=\(started.accessKey) UPBIT_SECRET_KEY=\(started.secretKey)

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
    }

    func runBinance() async throws {
        guard recording == nil else { throw CommandFailure(message: "--recording plays Upbit recordings only") }
        var options = LocalBinance.Options()
        options.seed = seed
        options.symbols = min(max(markets, 1), 200)
        options.historyMinutes = historyMinutes
        options.secondsBetweenSurges = surgeEvery
        options.speed = speed
        options.cash = Fixed(usdt)
        let binance = try LocalBinance(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
        let started = options
        try await LocalBinanceServer.run(binance, port: port) { port in
            let banner = """
                local Binance USDⓈ-M futures on http://127.0.0.1:\(port) (ws://127.0.0.1:\(port)), \(started.symbols) generated symbols
                keys: BINANCE_API_KEY=\(started.apiKey) BINANCE_SECRET_KEY=\(started.secretKey)

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
    }
}
