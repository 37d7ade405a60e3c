import ArgumentParser
import Core
import Foundation
import Logging
import Live
import Shells

/// `surge record`: every public frame, exactly as sent, one per line (the backtests' format).
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record Upbit's public trade and orderbook frames of every KRW market to a file."
    )

    @Option(help: "Output file (JSON Lines; .gz is compressed).") var out: String
    @Option(help: "Stop after this many minutes (default: until SIGINT/SIGTERM).") var minutes: Double?
    @Option(help: "The TOML config file (for [upbit] rest_url and ws_url).") var config: String?

    func run() async throws {
        let settings = try Settings.load(option: config)
        guard settings.venue == .upbit else {
            throw CommandFailure(message: "recording the futures venue's streams needs its adapter, not in this build yet")
        }
        let logger = LogSetup.bootstrapOnce(verbose: false)
        let rest = UpbitREST(baseURL: settings.upbit.restURL, credentials: nil)
        let listed = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: rest.markets()) }
        }
        guard case .success(let markets) = listed else { throw CommandFailure(message: "market list unavailable: \(listed)") }
        let codes = markets.map(\.market).filter(UpbitVenue.isKRWMarket).sorted()
        let writer = try LineWriter(path: out)
        let recorder = FrameRecorder(writer: writer)
        let link = SocketLink(url: settings.upbit.webSocketURL, name: "public", logger: logger)
        await link.subscribe(SocketLink.marketSubscription(codes))
        logger.info("recording \(codes.count) markets to \(out)")
        await runUntilStopped(minutes: minutes) { await link.run { await recorder.write($0) } }
        try await recorder.close()
        print("recorded \(await recorder.frames) frames to \(out)")
    }
}

