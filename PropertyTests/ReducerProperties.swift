import Core
import Foundation
import Testing

/// Seeds to run: `SURGE_SEED=N` reproduces one run; `SURGE_SEEDS=K` runs K seeds (default 10,000).
enum Seeds {
    static let steps = 250

    static var all: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let one = environment["SURGE_SEED"].flatMap(UInt64.init) { return [one] }
        let count = environment["SURGE_SEEDS"].flatMap(Int.init) ?? 10_000
        return (1...UInt64(count)).map { $0 }
    }

    /// The seeds are split into 16 batches so Swift Testing runs them on every core; tests take
    /// the batch number (not the seeds, which would flood the log as arguments).
    static let batches = Array(0..<16)

    static func batch(_ number: Int) -> ArraySlice<UInt64> {
        let seeds = all
        let size = Swift.max(1, (seeds.count + batches.count - 1) / batches.count)
        let start = Swift.min(number * size, seeds.count)
        return seeds[start..<Swift.min(start + size, seeds.count)]
    }
}

func reproduce(_ seed: UInt64) -> String { "seed \(seed) (reproduce: SURGE_SEED=\(seed) swift test --filter PropertyTests)" }

@Suite struct ReducerProperties {
    /// Invariants after every step; no identifier sent twice; no order the exchange must refuse;
    /// a duplicated exchange event changes nothing; and after a fault-free phase the bot's cash,
    /// reserves and positions equal the exchange's balances (position volume = sum of fills).
    @Test(arguments: Seeds.batches)
    func invariantsHoldAndTheBooksConverge(batch: Int) {
        for seed in Seeds.batch(batch) {
            var simulation = Simulation(seed: seed, steps: Seeds.steps)
            simulation.run(steps: Seeds.steps)
            let problems = simulation.failures + simulation.convergenceFailures()
            if ProcessInfo.processInfo.environment["SURGE_TRACE"] != nil { simulation.printTrace() }
            #expect(problems.isEmpty, "\(reproduce(seed)): \(problems.prefix(5))")
            if !problems.isEmpty { return }
        }
    }

    /// Same seed, same states and commands; snapshot at step k + replay of the rest = full run.
    @Test(arguments: Seeds.batches)
    func runsAreDeterministicAndReplayableFromASnapshot(batch: Int) throws {
        for seed in Seeds.batch(batch) where seed % 8 == 0 {
            var first = Simulation(seed: seed, steps: Seeds.steps)
            first.run(steps: Seeds.steps)
            var second = Simulation(seed: seed, steps: Seeds.steps)
            second.run(steps: Seeds.steps)
            #expect(first.events == second.events && first.outputs == second.outputs && first.state == second.state,
                    "\(reproduce(seed)): two runs differ")

            let snapshot = try #require(first.snapshot, "\(reproduce(seed)): no snapshot")
            var replayed = try JSONDecoder().decode(State.self, from: snapshot)
            var outputs: [[Command]] = []
            for event in first.events[first.snapshotStep...] { outputs.append(reduce(&replayed, event)) }
            #expect(replayed == first.state, "\(reproduce(seed)): snapshot + replay differs from the full run")
            #expect(outputs == Array(first.outputs[first.snapshotStep...]), "\(reproduce(seed)): replay commands differ")
        }
    }

    /// `State` survives a JSON round trip unchanged at the end of every run.
    @Test(arguments: Seeds.batches)
    func stateRoundTripsThroughCodable(batch: Int) throws {
        for seed in Seeds.batch(batch) where seed % 16 == 1 {
            var simulation = Simulation(seed: seed, steps: Seeds.steps)
            simulation.run(steps: Seeds.steps)
            let decoded = try JSONDecoder().decode(State.self, from: JSONEncoder().encode(simulation.state))
            #expect(decoded == simulation.state, "\(reproduce(seed)): Codable round trip changed the state")
        }
    }

    /// The generator really reaches the interesting places: entries, every exit kind, faults.
    @Test func theGeneratorCoversEntriesExitsAndFaults() {
        var reasons = Set<ExitReason>()
        var unknownOutcomes = 0
        var entries = 0
        for seed in UInt64(1)...300 {
            var simulation = Simulation(seed: seed, steps: Seeds.steps)
            simulation.run(steps: Seeds.steps)
            reasons.formUnion(simulation.state.ledger.map(\.reason))
            entries += simulation.state.counters.nextPositionId - 1
            unknownOutcomes += simulation.events.filter {
                if case .orderOutcomeUnknown = $0 { true } else { false }
            }.count
        }
        #expect(entries > 300)
        #expect(unknownOutcomes > 50)
        #expect(reasons.isSuperset(of: [.takeProfit, .partialTakeProfit, .trailingStop, .stopLoss, .timeStop, .manual]))
    }
}
