import Foundation
import Shells
import Testing

/// The built `surge` binary, next to the test bundle.
func surgeBinary() -> URL {
    let build = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/surge")
    return build
}

@Suite(.serialized) struct CommandLineTests {
    @Test func sigtermStopsTheBotCleanlyWithASummary() async throws {
        let binary = surgeBinary()
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build surge first")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["demo", "--minutes", "5"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: .seconds(8))
        process.terminate()  // SIGTERM
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning)
        if process.isRunning { process.interrupt(); return }
        #expect(process.terminationStatus == 0)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("== demo summary =="))
    }

    @Test func liveModeWithoutKeysFailsBeforeAnyConnection() throws {
        let process = Process()
        process.executableURL = surgeBinary()
        process.arguments = ["run", "--live"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: temporaryDirectory("no-keys"))  // never the repository's state/
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("UPBIT_ACCESS_KEY is not set"))
    }
}

@Suite struct SimulateCommandTests {
    func simulate(_ arguments: [String]) throws -> (status: Int32, lines: [String]) {
        let process = Process()
        process.executableURL = surgeBinary()
        process.arguments = ["simulate"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    /// Verdict lines per seed, exit 0, and the same digests from another process (whose hashing
    /// seed differs): the run depends on the seed alone.
    @Test func seedsPassAndTheSameSeedGivesTheSameRunInAnotherProcess() throws {
        try #require(FileManager.default.isExecutableFile(atPath: surgeBinary().path), "build surge first")
        let first = try simulate(["--seed", "11", "--seeds", "3"])
        let second = try simulate(["--seed", "11", "--seeds", "3", "--jobs", "1"])
        #expect(first.status == 0 && second.status == 0)
        let verdicts = first.lines.filter { $0.hasPrefix("seed ") }.sorted()
        #expect(verdicts.count == 3 && verdicts.allSatisfy { $0.contains(": ok, ") && $0.contains("digest ") })
        #expect(verdicts == second.lines.filter { $0.hasPrefix("seed ") }.sorted())
        #expect(first.lines.contains { $0.contains("3 seeds from 11, 400 steps each") && $0.contains("all passed") })
        #expect(first.lines.last?.hasPrefix("seeds that booked each exit reason: ") == true)
    }

    @Test func badArgumentsAreRefused() throws {
        #expect(try simulate(["--steps", "0"]).status != 0)
        #expect(try simulate(["--seeds", "2", "--trace"]).status != 0)
    }

    /// The issue's reproduction: a 100,000-level nested frame in a recording crashed `surge
    /// backtest` with a stack overflow. It is one malformed line now.
    @Test func aDeeplyNestedFrameInARecordingIsOneMalformedLine() throws {
        let directory = temporaryDirectory("nested")
        let depth = 100_000
        let line = #"{"type":"trade","x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}\n"
        try line.write(toFile: directory + "/d.jsonl", atomically: true, encoding: .utf8)
        let run = try runSurge(["backtest", "--data", directory + "/d.jsonl", "--report", directory + "/r"])
        #expect(run.status == 0)
        #expect(run.errors.contains("nested deeper than 32") || run.output.contains("nested deeper than 32"))
    }

    /// `surge close / pause / resume` from the command line queue requests a stopped bot takes at
    /// its next start; a bad market code is refused before anything is written.
    @Test func operatorCommandsQueueRequestsInTheStateDirectory() throws {
        let directory = temporaryDirectory("operator-cli")
        let close = try runSurge(["close", "KRW-BTC", "--state", directory])
        #expect(close.status == 0)
        #expect(close.output.contains("no bot runs on it now"))
        #expect(try runSurge(["pause", "--state", directory]).status == 0)
        let pending = OperatorRequests.pending(stateDirectory: directory).map { try? $0.request.get() }
        #expect(pending == [.close(market: "KRW-BTC"), .pause])
        let bad = try runSurge(["close", "btc", "--state", directory])
        #expect(bad.status == 1)
        #expect(OperatorRequests.pending(stateDirectory: directory).count == 2)
    }
}
