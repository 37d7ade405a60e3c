import ArgumentParser
import Foundation
import Shells

/// `surge simulate`: the deterministic fault-injection simulator (see `Simulation`).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the real core and write-ahead driver against a simulated exchange with network, storage and clock faults.",
        discussion: """
            One seed decides everything: markets, the strategy config, network faults (drop, delay, \
            duplicate, reorder), storage faults (crash, crash between append and commit, crash after \
            commit before send, lost last transaction) and the clock. A fault phase of --steps steps is \
            followed by a fault-free phase after which the bot and the exchange must agree. Prints one \
            verdict line per seed; exits 1 when any invariant broke. Reproduce a failing seed with \
            `surge simulate --seed N --trace`.
            """
    )

    @Option(help: "The (first) seed.") var seed: UInt64 = 1
    @Option(help: "Steps of the fault phase.") var steps = 400
    @Option(help: "How many consecutive seeds to run, from --seed.") var seeds = 1
    @Option(help: "Seeds run at once (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print every event and the commands it produced (one seed).") var trace = false
    @Option(help: "The venue the simulated exchange imitates.") var venue = Venue.upbit

    func validate() throws {
        guard steps > 0, seeds > 0, jobs > 0 else { throw ValidationError("--steps, --seeds and --jobs must be positive") }
        guard !trace || seeds == 1 else { throw ValidationError("--trace shows one seed: drop --seeds") }
    }

    func run() throws {
        if trace {
            let outcome = SimulationRunner.run(seed: seed, steps: steps, traced: true, venue: venue)
            outcome.trace.forEach { print($0) }
            print(outcome.line)
            if !outcome.passed { throw ExitCode.failure }
            return
        }
        let list = (0..<UInt64(seeds)).map { seed + $0 }
        let started = Date()
        let verbose = seeds <= 20
        let outcomes = SimulationRunner.run(seeds: list, steps: steps, jobs: jobs, venue: venue) { outcome in
            if verbose || !outcome.passed { print(outcome.line) }
        }
        let failed = outcomes.filter { !$0.passed }
        if !verbose || seeds > 1 {
            let seconds = Date().timeIntervalSince(started)
            let crashes = outcomes.reduce(0) { $0 + $1.statistics.restarts - 1 }
            print("\(outcomes.count) seeds from \(seed), \(steps) steps each, \(crashes) crashes survived: "
                  + "\(failed.isEmpty ? "all passed" : "\(failed.count) FAILED (\(failed.prefix(10).map { String($0.seed) }.joined(separator: ", ")))") "
                  + "in \(String(format: "%.1f", seconds)) s")
            var reasons: [String: Int] = [:]
            for outcome in outcomes { for reason in outcome.statistics.exitReasons { reasons[reason.rawValue, default: 0] += 1 } }
            print("seeds that booked each exit reason: "
                  + reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !failed.isEmpty { throw ExitCode.failure }
    }
}
