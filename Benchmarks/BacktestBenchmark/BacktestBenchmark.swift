import Benchmark
import Core
import Foundation
import Shells

/// `SURGE_BENCHMARK_SHORT=1`: a small recording and one iteration (CI).
let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

/// Writes `header` lines, then `seconds` seconds of a generator's frames; returns the path and
/// the number of lines.
func write(_ name: String, header: [String] = [], seconds: Int, next: () -> [String]) -> (path: String, frames: Int) {
    let path = NSTemporaryDirectory() + "surge-benchmark-\(name).jsonl"
    let writer = try! LineWriter(path: path)
    var frames = 0
    for line in header {
        try! writer.write(line)
        frames += 1
    }
    for _ in 0..<seconds {
        for line in next() {  // a second at a time: the full recording is hundreds of MB
            try! writer.write(line)
            frames += 1
        }
    }
    try! writer.close()
    return (path, frames)
}

/// A generated recording: 20 markets, about 31.6 frames per second of market time.
func recording(minutes: Int) -> (path: String, frames: Int) {
    var generator = MarketGenerator(seed: 11, markets: 20)
    return write("\(minutes)", seconds: minutes * 60) { generator.nextSecond() }
}

/// A generated futures recording: 8 perpetuals (an exchangeInfo line, then aggTrade, depth20
/// and markPrice frames).
func futuresRecording(minutes: Int) -> (path: String, frames: Int) {
    var generator = FuturesMarketGenerator(seed: 11, symbols: 8)
    return write("futures-\(minutes)", header: [generator.exchangeInfoLine()], seconds: minutes * 60) { generator.nextSecond() }
}

let benchmarks: @Sendable () -> Void = {
    let (path, frames) = recording(minutes: short ? 55 : 580)

    // One iteration = a whole backtest of the file, end to end: reading (mmap), JSON decoding,
    // the reducer, the simulated exchange. frames/s = frames / wall-clock time.
    Benchmark(
        "backtest: \(frames) frames end to end",
        configuration: .init(
            metrics: [.wallClock],
            maxDuration: .seconds(short ? 5 : 60),
            maxIterations: short ? 1 : 7
        )
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var engine = BacktestEngine(config: Config())
            try RecordingReader.read(paths: [path]) { engine.feed(line: $0) }
            blackHole(engine.finish())
        }
    }

    let futures = futuresRecording(minutes: short ? 10 : 120)
    Benchmark(
        "futures backtest: \(futures.frames) frames end to end",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(short ? 5 : 60), maxIterations: short ? 1 : 7)
    ) { benchmark in
        var settings = Settings()
        settings.venue = .binanceFutures
        settings.strategy.capital.initialCapital = 10_000
        settings.strategy.entry.direction = .both
        for _ in benchmark.scaledIterations {
            let venue = FuturesBacktestVenue(config: settings.strategy, profile: settings.venueProfile)
            var engine = BacktestEngine(config: settings.strategy, venue: venue)
            try RecordingReader.read(paths: [futures.path]) { engine.feed(line: $0) }
            blackHole(engine.finish())
        }
    }
}
