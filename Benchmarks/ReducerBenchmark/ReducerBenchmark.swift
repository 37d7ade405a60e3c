import Benchmark
import Core
import Shells
import Foundation

/// `SURGE_BENCHMARK_SHORT=1`: a few seconds in all (CI), so the benchmark cannot rot.
let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

let benchmarks: @Sendable () -> Void = {
    let batch = 100_000
    var tape = MarketTape()
    var warmed = State(config: Config(), venue: UpbitVenue.profile, options: .init(identifierPrefix: "bench"))
    for event in tape.history(minutes: 40) { _ = reduce(&warmed, event) }
    let events = tape.next(batch)
    let start = warmed

    // One iteration = 100,000 market events for 250 markets through `reduce`, from a warmed state.
    // events/s = 100,000 / (wall-clock time of one iteration).
    Benchmark(
        "reducer: 100k market events, 250 markets",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            maxDuration: .seconds(short ? 2 : 10),
            maxIterations: short ? 3 : 50
        )
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var state = start
            var commands = 0
            for event in events { commands &+= reduce(&state, event).count }
            blackHole(commands)
        }
    }
}
