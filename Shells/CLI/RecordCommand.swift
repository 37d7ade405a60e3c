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
        abstract: "Record the venue's public frames (Upbit: every KRW market; Binance futures: every USDT perpetual) to a file.",
        discussion: "Binance recordings start with the exchangeInfo answer, then aggTrade, depth20 and markPrice frames as sent (combined streams)."
    )

    @Option(help: "Output file (JSON Lines; .gz is compressed).") var out: String
    @Option(help: "Stop after this many minutes (default: until SIGINT/SIGTERM).") var minutes: Double?
    @Option(help: "The TOML config file (for [upbit] / [binance] rest_url and ws_url).") var config: String?
    @Option(help: "The venue (default: the config's [venue] name).") var venue: Venue?

    func run() async throws {
        var settings = try Settings.load(option: config)
        settings.choose(venue)
        if settings.venue == .binanceFutures { return try await recordFutures(settings) }
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

    /// The exchangeInfo answer as the first line, then every frame of the adapter's market
    /// sockets (trades and marks on `/market`, books on `/public`).
    func recordFutures(_ settings: Settings) async throws {
        let logger = LogSetup.bootstrapOnce(verbose: false)
        let url = settings.binance.restURL + "/fapi/v1/exchangeInfo"
        let answer = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: try? CurlSession().perform(method: "GET", url: url, headers: [], body: nil,
                                                                           timeoutMilliseconds: 10_000))
            }
        }
        guard let answer, answer.status == 200 else { throw CommandFailure(message: "exchangeInfo unavailable from \(url)") }
        let line = answer.body.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let info: BinanceExchangeInfo
        do { info = try BinanceExchangeInfo.parse(try JSONValue.parse(line)) } catch {
            throw CommandFailure(message: "exchangeInfo unreadable: \(error)")
        }
        let symbols = info.listings.map(\.market).sorted()
        let recorder = FrameRecorder(writer: try LineWriter(path: out))
        await recorder.write(line)
        let adapter = BinanceAdapter(settings: settings, paper: true, keys: nil, restTimeoutMilliseconds: 10_000)
        var links: [SocketLink] = []
        for socket in adapter.marketSockets {
            guard let subscription = socket.subscription(symbols) else { continue }
            let link = SocketLink(url: socket.url, name: socket.name, logger: logger, maximumAge: .seconds(23 * 3_600))
            await link.subscribe(subscription)
            links.append(link)
        }
        logger.info("recording \(symbols.count) perpetuals to \(out)")
        await runUntilStopped(minutes: minutes) { [links] in
            await withTaskGroup(of: Void.self) { group in
                for link in links { group.addTask { await link.run { await recorder.write($0) } } }
            }
        }
        try await recorder.close()
        print("recorded \(await recorder.frames) frames to \(out)")
    }
}
