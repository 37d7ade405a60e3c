import ArgumentParser
import Core
import Foundation
import LocalExchange

/// `surge exchange`: the local Upbit-compatible server, for tests and demos.
struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Run a local Upbit-compatible server (REST + WebSockets) on a generated market.",
        discussion: """
            The bot talks to it with [upbit] rest_url = "http://127.0.0.1:PORT" and \
            ws_url = "ws://127.0.0.1:PORT/websocket/v1", and the keys printed at start. \
            Faults: POST /_local/faults {"tooManyRequests":2,"serverErrors":1,"droppedOrderAnswers":1,\
            "delayMilliseconds":200,"duplicateMyOrder":true}; POST /_local/drop-sockets.
            """
    )

    @Option(help: "Port on 127.0.0.1 (0 = any free port).") var port = 8_080
    @Option(help: "Random seed of the generated market.") var seed: UInt64 = 1
    @Option(help: "Number of KRW markets.") var markets = 20
    @Option(help: "Minutes of market history made before opening.") var historyMinutes = 60
    @Option(help: "Mean seconds between two volume surges of one market.") var surgeEvery = 10_800
    @Option(help: "Market seconds per wall-clock second.") var speed = 1.0
    @Option(help: "Starting KRW of the account.") var krw = 10_000_000

    func run() async throws {
        var options = LocalUpbit.Options()
        options.seed = seed
        options.markets = markets
        options.historyMinutes = historyMinutes
        options.secondsBetweenSurges = surgeEvery
        options.speed = speed
        options.krw = Fixed(krw)
        let upbit = LocalUpbit(options: options, now: Milliseconds(Date().timeIntervalSince1970 * 1_000))
        let started = options
        try await LocalUpbitServer.run(upbit, port: port) { port in
            let banner = """
                local Upbit on http://127.0.0.1:\(port) (ws://127.0.0.1:\(port)/websocket/v1), \(started.markets) markets
                keys: UPBIT_ACCESS_KEY=\(started.accessKey) UPBIT_SECRET_KEY=\(started.secretKey)

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
    }
}
