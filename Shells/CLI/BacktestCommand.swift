import ArgumentParser
import Core
import Foundation
import Shells

/// `surge backtest`: recorded frames through the same reducer, with a simulated exchange.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay recorded frames of a venue through the strategy and write a report.",
        discussion: """
            Writes DIR/trades.csv, DIR/summary.json and DIR/report.html (and DIR/trace.jsonl with \
            --trace). Files are read in the order given; .gz files are read transparently.
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Recordings (JSON Lines of raw frames).") var data: [String]
    @Option(help: "The TOML config file (default: built-in defaults).") var config: String?
    @Option(help: "Directory for the report files.") var report: String
    @Flag(help: "Also write trace.jsonl: every closed candle and every evaluated candidate.") var trace = false
    @Option(help: "The venue of the recording when the config does not say ([venue] name).")
    var venue: Venue?

    func validate() throws {
        guard !data.isEmpty else { throw ValidationError("--data needs at least one file") }
    }

    func run() throws {
        var settings = try Settings.load(option: config)
        if let venue {
            settings.choose(venue)
            let problems = settings.strategy.validate(for: settings.venueProfile)
            guard problems.isEmpty else { throw CommandFailure(message: problems.map(\.description).joined(separator: "\n")) }
        }
        try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        let traceWriter = trace ? try LineWriter(path: report + "/trace.jsonl") : nil
        let sink: ((TraceRecord) -> Void)? = traceWriter.map { writer in { try? writer.write(TraceLine.json($0)) } }
        let simulated: any BacktestVenue = settings.venue == .binanceFutures
            ? FuturesBacktestVenue(config: settings.strategy, profile: settings.venueProfile)
            : UpbitBacktestVenue(config: settings.strategy)
        var engine = BacktestEngine(config: settings.strategy, venue: simulated, traceSink: sink)
        let bar = ProgressBar()
        do {
            try RecordingReader.read(paths: data, progress: bar.show) { engine.feed(line: $0) }
        } catch let error as RecordingError {
            throw CommandFailure(message: error.message)
        }
        bar.finish()
        let summary = engine.finish()
        try traceWriter?.close()
        try ReportFiles.write(summary, title: "surge backtest: \(data.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))",
                              to: report)
        for rejection in engine.rejections { FileHandle.standardError.write(Data("rejected \(rejection)\n".utf8)) }
        print("""
            frames: \(summary.framesRead) read, \(summary.framesRejected) rejected
            trades: \(summary.trades) exit legs in \(summary.positions) positions, win rate \(summary.winRatePercent.rounded(places: 2)) %
            net P&L: \(summary.netPnL.rounded(places: 0)) \(summary.quoteAsset), return \(summary.returnPercent.rounded(places: 4)) %, \
            max drawdown \(summary.maxDrawdownPercent.rounded(places: 4)) %
            final equity: \(summary.finalEquity.rounded(places: 0)) \(summary.quoteAsset)
            report: \(report)/report.html
            """)
    }
}

/// A progress bar on stderr, only when stderr is a terminal.
final class ProgressBar {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastPermille = -1

    func show(_ progress: RecordingReader.Progress) {
        guard enabled, progress.totalBytes > 0 else { return }
        let permille = Int(progress.bytesRead * 1_000 / progress.totalBytes)
        guard permille != lastPermille else { return }
        lastPermille = permille
        let filled = permille * 40 / 1_000
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 40 - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(permille / 10).\(permille % 10) %".utf8))
    }

    func finish() {
        if enabled && lastPermille >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
