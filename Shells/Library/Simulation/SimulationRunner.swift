import Core
import Foundation

/// Runs seeds of the simulator, on several threads, each in its own store directory.
public enum SimulationRunner {
    public struct Outcome: Sendable {
        public var seed: UInt64
        public var failures: [String]
        public var statistics: Simulation.Statistics
        public var digest: UInt64
        /// Every event and its commands (only when traced).
        public var trace: [String]

        public var passed: Bool { failures.isEmpty }

        /// `seed 7: ok, 412 events, …` or `seed 7: VIOLATION …`.
        public var line: String {
            let faults = Simulation.StorageFault.allCases.compactMap { fault in
                statistics.storageFaults[fault].map { "\(fault.rawValue) \($0)" }
            }
            let summary = "\(statistics.events) events, \(statistics.ordersPlaced) orders, \(statistics.exitLegs) exit legs, "
                + "\(statistics.restarts - 1) restarts (\(faults.isEmpty ? "no crash" : faults.joined(separator: ", "))), "
                + "\(statistics.configChanges) config changes, \(statistics.networkFaults) network faults, digest \(String(digest, radix: 16))"
            guard passed else {
                return "seed \(seed): VIOLATION: \(failures.prefix(3).joined(separator: "; ")) [\(summary)]"
            }
            return "seed \(seed): ok, \(summary)"
        }
    }

    public static func run(seed: UInt64, steps: Int, traced: Bool = false, venue: Venue = .upbit) -> Outcome {
        let directory = NSTemporaryDirectory() + "surge-simulate-\(seed)-\(UUID().uuidString)"
        var simulation = Simulation(seed: seed, steps: steps, directory: directory, traced: traced, venue: venue)
        let failures = simulation.run()
        let trace = (simulation.trace ?? []).flatMap { event, commands, cash in
            ["EVENT \(event)"] + commands.map { "   -> \($0)" } + ["   cash \(cash)"]
        }
        return Outcome(seed: seed, failures: failures, statistics: simulation.statistics, digest: simulation.digest,
                       trace: trace)
    }

    /// Every seed of `seeds`, `jobs` at a time; outcomes in seed order. `progress` sees each one
    /// as it ends (from any thread).
    public static func run(seeds: [UInt64], steps: Int, jobs: Int, venue: Venue = .upbit,
                           progress: @Sendable (Outcome) -> Void = { _ in }) -> [Outcome] {
        let results = Locked([Outcome?](repeating: nil, count: seeds.count))
        let next = Locked(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, seeds.count))) { _ in
            while true {
                let index = next.update { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < seeds.count else { return }
                let outcome = run(seed: seeds[index], steps: steps, venue: venue)
                progress(outcome)
                results.update { $0[index] = outcome }
            }
        }
        return results.value.compactMap { $0 }
    }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    @discardableResult
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}
