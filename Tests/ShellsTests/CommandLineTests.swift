import Foundation
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
