import Benchmark
import Core
import Foundation
import Shells

let short = ProcessInfo.processInfo.environment["SURGE_BENCHMARK_SHORT"] != nil

func trade(_ index: Int) -> Event {
    .tradeReceived(Trade(market: "KRW-C\(index % 250)", price: Fixed(500_000 + index % 7 * 500), volume: Fixed("0.01")!,
                         side: index % 2 == 0 ? .buy : .sell, time: 1_767_225_600_000 + Milliseconds(index),
                         sequentialId: Int64(index)))
}

func freshStore(_ name: String) -> Store {
    let directory = NSTemporaryDirectory() + "surge-bench-\(name)-\(UUID().uuidString)"
    let store = try! Store(directory: directory)
    _ = try! store.open(identifierPrefix: "bench", now: 0)
    return store
}

let benchmarks: @Sendable () -> Void = {
    // One durable (fsynced) LMDB write transaction holding one event: the write-ahead cost paid
    // before an order leaves.
    let commits = freshStore("commit")
    var index = 0
    Benchmark("durable commit of one event (fsync)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(short ? 1 : 10), maxIterations: short ? 50 : 2_000)) { benchmark in
        for _ in benchmark.scaledIterations {
            index += 1
            try commits.append([trade(index)])
        }
    }

    // Recovery: a journal of N events after an empty snapshot, replayed through the reducer.
    let events = short ? 20_000 : 1_000_000
    let recovering = freshStore("recovery")
    try! recovering.append([], snapshot: State(config: Config(), venue: UpbitVenue.profile))
    for batch in stride(from: 0, to: events, by: 10_000) {
        try! recovering.append((batch..<min(batch + 10_000, events)).map(trade))
    }
    Benchmark("recovery of a \(events)-event journal",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(short ? 5 : 120),
                                   maxIterations: short ? 1 : 3)) { benchmark in
        for _ in benchmark.scaledIterations {
            let recovery = try recovering.recover(initial: State(config: Config(), venue: UpbitVenue.profile), venue: UpbitVenue.profile)
            precondition(recovery.replayedEvents == events)
            blackHole(recovery)
        }
    }
}
