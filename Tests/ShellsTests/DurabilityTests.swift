import Core
import TestSupport
import Foundation
import LocalExchange
import Shells
import Testing

/// Runs the real `surge` binary to its end: exit status, stdout, stderr.
func runSurge(_ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"],
              directory: String? = nil) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = surgeBinary()
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? temporaryDirectory("cwd"))
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

let liveKeys = ["UPBIT_ACCESS_KEY": "local-access-key", "UPBIT_SECRET_KEY": "local-secret-key", "PATH": "/usr/bin:/bin"]

/// A store with a journal long enough to span many pages, closed again.
func filledStore(_ name: String) throws -> String {
    let directory = temporaryDirectory(name)
    let store = try Store(directory: directory)
    var opened = try TradingLoop.open(store, initial: initialState(), config: Config(), now: 0)
    for event in workedExampleEvents() + workedExampleEvents() + workedExampleEvents() {
        _ = try opened.loop.process(event, now: 0) { command, _ in TradingLoop.leavesProcess(command) ? nil : [] }
    }
    try opened.loop.commit(now: 0, force: true)
    return directory
}

/// Item 4: a store that is not sound is refused in one line, by the library and by `surge run`
/// and `surge status`; nothing crashes, and a store is only created where there is no data.mdb.
@Suite(.serialized) struct StoreFileTests {
    func refusal(_ directory: String, readOnly: Bool = false) -> String? {
        do {
            _ = try Store(directory: directory, readOnly: readOnly, create: !readOnly)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// `surge status` and `surge run --live` both exit 1 with the reason as their last line.
    func expectCommandsRefuse(_ directory: String, _ reason: String, run: Bool = true) throws {
        let status = try runSurge(["status", "--state", directory])
        #expect(status.status == 1)
        #expect(status.errors.split(separator: "\n").last?.contains(reason) == true, "status: \(status.errors)")
        guard run else { return }
        let config = directory + ".toml"
        try "[upbit]\nrest_url = \"http://127.0.0.1:9\"\nws_url = \"ws://127.0.0.1:9/websocket/v1\"\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let started = try runSurge(["run", "--live", "--config", config, "--state", directory, "--minutes", "0.05"],
                                   environment: liveKeys)
        #expect(started.status == 1)
        #expect(started.errors.split(separator: "\n").last?.contains(reason) == true, "run: \(started.errors)")
    }

    @Test func aNewStoreIsCreatedOnlyWhereThereIsNoDataFile() throws {
        let directory = temporaryDirectory("fresh") + "/nested/state"
        #expect(refusal(directory, readOnly: true)?.hasPrefix("no store in") == true)
        #expect(refusal(directory) == nil)
        #expect(FileManager.default.fileExists(atPath: directory + "/data.mdb"))
    }

    @Test func aDataFileTruncatedToZeroIsRefusedNotReplaced() throws {
        let directory = try filledStore("zero")
        #expect(truncate(directory + "/data.mdb", 0) == 0)
        #expect(refusal(directory)?.contains("data.mdb is empty (0 bytes)") == true)
        try expectCommandsRefuse(directory, "is empty (0 bytes)")
        let size = try FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")[.size] as? Int
        #expect(size == 0)  // no new store in its place
    }

    @Test func aTruncatedDataFileIsRefusedInsteadOfSIGBUS() throws {
        let directory = try filledStore("half")
        let path = directory + "/data.mdb"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size >= 8 * 4_096)
        #expect(truncate(path, off_t(size / 2)) == 0)
        #expect(refusal(directory)?.contains("is truncated") == true)
        #expect(refusal(directory, readOnly: true)?.contains("is truncated") == true)
        try expectCommandsRefuse(directory, "is truncated")
    }

    @Test func zeroedMetaPagesAreRefused() throws {
        let directory = try filledStore("meta")
        let handle = try #require(FileHandle(forUpdatingAtPath: directory + "/data.mdb"))
        try handle.write(contentsOf: Data(count: 2 * 4_096))
        try handle.close()
        #expect(refusal(directory)?.contains("File is not an LMDB file") == true)
        try expectCommandsRefuse(directory, "File is not an LMDB file")
    }

    @Test func aDataFileThatIsADirectoryIsRefused() throws {
        let directory = temporaryDirectory("dir")
        try FileManager.default.createDirectory(atPath: directory + "/data.mdb", withIntermediateDirectories: true)
        #expect(refusal(directory)?.contains("data.mdb is not a regular file") == true)
        try expectCommandsRefuse(directory, "is not a regular file")
    }

    /// Read-only: `chattr +i` (which binds root too), else plain permissions.
    @Test func aReadOnlyStoreIsRefused() throws {
        let directory = try filledStore("readonly")
        let paths = [directory + "/data.mdb", directory + "/lock.mdb", directory]
        let immutable = paths.allSatisfy { shell("/usr/bin/chattr", ["+i", $0]) }
        defer { for path in paths { _ = shell("/usr/bin/chattr", ["-i", path]) } }
        if !immutable {
            for path in paths.dropLast() { chmod(path, 0o444) }
            chmod(directory, 0o555)
        }
        defer { chmod(directory, 0o755) }
        let refused = try #require(refusal(directory))
        #expect(refused.contains("cannot open the store in \(directory)"))
        let run = try runSurge(["run", "--live", "--state", directory], environment: liveKeys)
        #expect(run.status == 1)
        #expect(run.errors.split(separator: "\n").last?.contains(directory) == true, "\(run.errors)")
    }
}

@discardableResult
func shell(_ tool: String, _ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// Item 10: legs are booked by a command, kept in the store with the events that produced them,
/// and written to the ledger file once each, even across a crash between the commit and the write.
@Suite(.serialized) struct LedgerDurabilityTests {
    @Test func aLegReachesTheFileOnlyAfterItsCommitAndExactlyOnceAcrossACrash() throws {
        let directory = temporaryDirectory("legs")
        let store = try Store(directory: directory)
        var loop = try TradingLoop.open(store, initial: initialState(), config: Config(), now: 0).loop
        let events = workedExampleEvents()
        for event in events.dropLast() {
            _ = try loop.process(event, now: 0) { command, _ in TradingLoop.leavesProcess(command) ? nil : [] }
            #expect(loop.takeCommittedLegs().isEmpty)
        }
        // The commit of the sell's fill fails: no leg anywhere.
        struct Crash: Error {}
        store.beforeCommit = { throw Crash() }
        var crashed = loop
        #expect(throws: Crash.self) {
            _ = try crashed.process(events.last!, now: 0) { command, _ in TradingLoop.leavesProcess(command) ? nil : [] }
        }
        #expect(crashed.takeCommittedLegs().isEmpty)
        #expect(try store.legs().isEmpty)
        // It commits: the leg is in the store, the bookLeg command handed out after the commit.
        store.beforeCommit = nil
        let outgoing = try loop.process(events.last!, now: 0) { command, _ in TradingLoop.leavesProcess(command) ? nil : [] }
        #expect(outgoing.contains { if case .bookLeg = $0.0 { true } else { false } })
        let committed = loop.takeCommittedLegs()
        #expect(committed.map(\.identifier) == ["st-1-s2"])
        #expect(committed.map(\.leg.reason) == [.takeProfit])
        #expect(try store.legs() == committed)
        // The process dies before writing the file: the next start writes it, and only once.
        let file = LedgerFile(directory: directory)
        #expect(try LedgerWriter(file: file).synchronize(with: store).count == 1)
        #expect(try LedgerWriter(file: file).synchronize(with: store).isEmpty)
        let writer = try LedgerWriter(file: file)
        #expect(try writer.write(committed).isEmpty)
        #expect(try file.read() == committed)
        // A row torn by a crash mid-write is cut off, and the file reads again.
        let handle = try #require(FileHandle(forWritingAtPath: file.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"equity_krw":"1","identif"#.utf8))
        try handle.close()
        #expect(throws: (any Error).self) { try file.read() }
        #expect(try LedgerWriter(file: file).synchronize(with: store).isEmpty)
        #expect(try file.read() == committed)
    }

    /// A schema 2 snapshot (with `ledger`) loses the list and keeps each position's last reason.
    @Test func aSchemaTwoSnapshotKeepsTheLastExitReasonOfOpenPositions() throws {
        var state = initialState()
        for event in workedExampleEvents().prefix(33) { _ = reduce(&state, event) }
        #expect(state.positions.count == 1)
        var json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        json = #"{"ledger":[{"positionId":1,"market":"KRW-BTC","entryTime":0,"entryPrice":"1","exitTime":0,"exitPrice":"1","volume":"1","grossPnLKRW":"0","feeKRW":"0","netPnLKRW":"0","returnPercent":"0","reason":"stop_loss"}],"#
            + json.dropFirst()
        let payload = [UInt8]([0, 0, 0, 2]) + Array(json.utf8)
        let record = withUnsafeBytes(of: CRC32.checksum(payload).bigEndian) { Array($0) } + payload
        let directory = temporaryDirectory("schema2")
        let store = try Store(directory: directory)
        _ = try store.open(identifierPrefix: "st", now: 0)
        let environment = try LMDBEnvironment(directory: directory)
        try environment.write { try $0.put(try $0.database("snapshots"), key: Array(repeating: 0, count: 8), value: record) }
        let recovered = try store.recover(initial: initialState(), venue: UpbitVenue.profile)
        #expect(recovered.snapshotSequence == 0 && recovered.notes.isEmpty)
        #expect(recovered.state.positions.map(\.lastExitReason) == [.stopLoss])
    }
}

/// Item 14: the config adopted at a restart is a journaled event; every start snapshots; a
/// snapshot that breaks the invariants is not used; status reads what the journal says.
@Suite(.serialized) struct ConfigJournalTests {
    @Test func aConfigAdoptedAtRestartIsJournaledSnapshottedAndWhatStatusReads() throws {
        let directory = temporaryDirectory("adopt")
        var first = Config()
        first.capital.initialCapital = 777_000
        do {
            let store = try Store(directory: directory)
            var opened = try TradingLoop.open(store, initial: upbitState(first, options: .init(identifierPrefix: "st")),
                                              config: first, now: 0)
            #expect(!opened.configAdopted)
            #expect(opened.recovery.snapshotSequence == 0)
            for event in workedExampleEvents().prefix(20) {
                _ = try opened.loop.process(event, now: 0) { _, _ in [] }
            }
            try opened.loop.commit(now: 1)  // no snapshot due: the journal holds the events
        }
        var edited = first
        edited.exit.takeProfit = Fixed("0.01")!
        let store = try Store(directory: directory)
        let reopened = try TradingLoop.open(store, initial: upbitState(Config()), config: edited, now: 2)
        #expect(reopened.configAdopted)
        #expect(reopened.recovery.state.config == first)
        #expect(reopened.loop.state.config == edited)
        // the adoption is the journal's last event, and a snapshot was taken right after it
        let meta = try #require(try store.meta())
        #expect(meta.lastSequence == 21)
        let environment = try LMDBEnvironment(directory: directory, readOnly: true, create: false)
        let last = try environment.read { transaction in
            try transaction.get(try transaction.database("journal"), key: withUnsafeBytes(of: UInt64(21).bigEndian) { Array($0) })
        }
        let event = try JSONDecoder().decode(Event.self, from: Data(try #require(last).dropFirst(4)))
        #expect(event == .configAdopted(edited, time: 2))
        let reader = try Store(directory: directory, readOnly: true, create: false).recover(venue: UpbitVenue.profile)
        #expect(reader.snapshotSequence == 21 && reader.replayedEvents == 0)
        #expect(reader.state == reopened.loop.state)
        // `surge status` recovers the same way: the store's capital, not the default config's
        let status = try runSurge(["status", "--json", "--state", directory])
        #expect(status.status == 0)
        #expect(status.output.contains(#""equity_krw":"777000"#), "\(status.output)")
    }

    @Test func aSnapshotThatBreaksTheInvariantsFallsBackToAnOlderOne() throws {
        let directory = temporaryDirectory("invariants")
        let events = workedExampleEvents()
        let store = try Store(directory: directory)
        _ = try store.open(identifierPrefix: "st", now: 0)
        try store.append(Array(events.prefix(10)), snapshot: run(Array(events.prefix(10))))
        var broken = run(Array(events.prefix(20)))
        broken.cash = -1
        try store.append(Array(events[10..<20]), snapshot: broken)
        let recovered = try store.recover(initial: initialState(), venue: UpbitVenue.profile)
        #expect(recovered.snapshotSequence == 10)
        #expect(recovered.state == run(Array(events.prefix(20))))
        #expect(recovered.notes.first?.contains("invariants broken: cash is negative") == true)
    }

    #if DEBUG
    @Test func aReduceThatBreaksTheInvariantsIsAnErrorInDebugBuilds() throws {
        var state = initialState()
        state.cash = -1
        var loop = TradingLoop(state: state)
        #expect(throws: TradingLoop.InvariantViolation.self) {
            _ = try loop.process(.timerFired(time: 1), now: 1) { _, _ in [] }
        }
    }
    #endif
}

/// Item 13: one bot per state directory, and prefixes that differ even when made in one second.
@Suite(.serialized) struct StateDirectoryTests {
    @Test func prefixesMadeInTheSameSecondDiffer() throws {
        let now = Date()
        var prefixes = Set<String>()
        for _ in 0..<200 {
            let directory = temporaryDirectory("prefix")
            let store = try Store(directory: directory)
            let prefix = IdentifierPrefix.fresh(now: now)
            #expect(prefix.count <= 12 && prefix.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) })
            let opened = try TradingLoop.open(store, initial: upbitState(Config(), options: .init(identifierPrefix: prefix)),
                                              config: Config(), now: 0)
            prefixes.insert(opened.meta.identifierPrefix)
        }
        #expect(prefixes.count == 200)
    }

    @Test func aSecondLockOnADirectoryIsRefusedNamingTheHolder() throws {
        let directory = temporaryDirectory("lock")
        let held = try StateDirectoryLock(directory: directory)
        #expect {
            _ = try StateDirectoryLock(directory: directory)
        } throws: { error in
            "\(error)".hasPrefix("another surge (pid \(getpid())) is running on \(directory)")
        }
        withExtendedLifetime(held) {}
    }

    /// The real binary: a second `surge run --live` on a running bot's directory refuses at once,
    /// naming the first one's pid, and sends nothing; `surge status` still reads.
    @Test func aSecondBotOnTheSameStateDirectoryRefuses() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: surgeBinary().path), "build surge first")
        try await withLocalUpbit(.small) { upbit, port in
            let directory = temporaryDirectory("two-bots")
            let config = directory + "/bot.toml"
            try "[upbit]\nrest_url = \"http://127.0.0.1:\(port)\"\nws_url = \"ws://127.0.0.1:\(port)/websocket/v1\"\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            let state = directory + "/state"
            let first = Process()
            first.executableURL = surgeBinary()
            first.arguments = ["run", "--live", "--config", config, "--state", state]
            first.environment = liveKeys
            first.standardOutput = FileHandle.nullDevice
            first.standardError = FileHandle.nullDevice
            try first.run()
            defer { if first.isRunning { first.terminate(); first.waitUntilExit() } }
            var ready = false
            for _ in 0..<100 where !ready {
                try await Task.sleep(for: .milliseconds(100))
                ready = (try? Store(directory: state, readOnly: true, create: false).meta()) != nil
            }
            #expect(ready)
            let posts = await upbit.requestLog.filter { $0 == "POST /v1/orders" }.count
            let second = try runSurge(["run", "--live", "--config", config, "--state", state], environment: liveKeys)
            #expect(second.status == 1)
            #expect(second.errors.contains("another surge (pid \(first.processIdentifier)) is running on \(state)"), "\(second.errors)")
            let status = try runSurge(["status", "--state", state])
            #expect(status.status == 0, "\(status.errors)")
            #expect(first.isRunning)
            #expect(await upbit.requestLog.filter { $0 == "POST /v1/orders" }.count >= posts)
            #expect(await upbit.duplicateIdentifierAttempts == 0)
        }
    }
}
