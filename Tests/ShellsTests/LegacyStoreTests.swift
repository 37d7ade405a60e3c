import Foundation
import Testing

/// A state directory written before the venue-neutral core (store schema 3) still recovers to
/// the same positions, cash and equity (Fixtures/Legacy/README.md).
@Suite struct LegacyStoreTests {
    static let legacy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Legacy")

    @Test func aSchema3StateDirectoryRecoversUnchanged() throws {
        let directory = temporaryDirectory("legacy-store")
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        unzip.arguments = ["-c", "gzip -dc '\(LegacyStoreTests.legacy.path)/schema3-data.mdb.gz' > '\(directory)/data.mdb'"]
        try unzip.run()
        unzip.waitUntilExit()
        try #require(unzip.terminationStatus == 0)
        let process = Process()
        process.executableURL = surgeBinary()
        process.arguments = ["status", "--state", directory, "--json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let want = try String(contentsOf: LegacyStoreTests.legacy.appendingPathComponent("schema3-status.json"), encoding: .utf8)
        #expect(String(decoding: data, as: UTF8.self) == want)
    }
}
