import Foundation
import Testing

/// Upbit behaviour is frozen by backtests recorded before the venue-neutral core (issue 12):
/// the same recording and config must give byte-identical `trades.csv` and `summary.json`
/// (Fixtures/Golden/README.md says how they were made).
@Suite struct GoldenBacktestTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Golden")

    @Test(arguments: ["market", "trailing", "limit"])
    func aBacktestGivesTheGoldenFilesByteForByte(_ name: String) throws {
        let binary = surgeBinary()
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build surge first")
        let expected = GoldenBacktestTests.golden.appendingPathComponent(name)
        let out = temporaryDirectory("golden-\(name)")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["backtest", "--data", GoldenBacktestTests.golden.appendingPathComponent("recording.jsonl.gz").path,
                             "--config", expected.appendingPathComponent("config.toml").path, "--report", out]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        for file in ["trades.csv", "summary.json"] {
            let want = try String(contentsOf: expected.appendingPathComponent(file), encoding: .utf8)
            let got = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            #expect(got == want, "\(name)/\(file) differs from the golden file")
        }
    }
}
