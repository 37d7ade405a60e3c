import Benchmark
import Core
import Foundation
import Shells

/// `SURGE_BENCHMARK_SHORT=1`: a small recording and one iteration (CI).
let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

/// A generated recording: 20 markets, about 31.6 frames per second of market time.
func recording(minutes: Int) -> (path: String, frames: Int) {
    let path = NSTemporaryDirectory() + "surge-benchmark-\(minutes).jsonl"
    var generator = MarketGenerator(seed: 11, markets: 20)
    let writer = try! LineWriter(path: path)
    var frames = 0
    for _ in 0..<(minutes * 60) {
        for line in generator.nextSecond() {
            try! writer.write(line)
            frames += 1
        }
    }
    try! writer.close()
    return (path, frames)
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
}
