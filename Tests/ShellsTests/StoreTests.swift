import Core
import TestSupport
import Foundation
import Shells
import Testing

/// A run of market and order events that opens and closes a position (the worked example).
func workedExampleEvents() -> [Event] {
    var events: [Event] = []
    var sequential: Int64 = 1
    func trade(_ price: Fixed, _ volume: String, _ time: Milliseconds) -> Event {
        defer { sequential += 1 }
        return .tradeReceived(Trade(market: "KRW-BTC", price: price, volume: Fixed(volume)!, side: .buy, time: time,
                                    sequentialId: sequential))
    }
    for minute in 0..<30 { events.append(trade(minute % 2 == 1 ? 500_000 : 500_500, "0.1", at(minute))) }
    events.append(.orderbookReceived(BookTop(market: "KRW-BTC", time: at(30, 4), totalBidSize: 2, totalAskSize: 1,
                                             bestBidPrice: 500_000, bestAskPrice: 500_500)))
    events.append(trade(500_000, "1", at(30, 5)))
    events.append(.orderAccepted(identifier: "st-1-b1", uuid: "u1", time: at(30, 5, 100)))
    events.append(.orderUpdated(OrderUpdate(identifier: "st-1-b1", uuid: "u1", market: "KRW-BTC", state: .cancelled,
                                            executedQuantity: 1, executedQuote: 500_000, paidFee: 250, time: at(30, 5, 200))))
    events.append(trade(501_500, "0.01", at(30, 7)))
    events.append(.orderUpdated(OrderUpdate(identifier: "st-1-s2", uuid: "u2", market: "KRW-BTC", state: .filled,
                                            executedQuantity: 1, executedQuote: 501_500, paidFee: Fixed("250.75")!,
                                            time: at(30, 7, 300))))
    return events
}

func initialState() -> State { upbitState(Config(), options: .init(identifierPrefix: "st")) }

func run(_ events: [Event]) -> State {
    var state = initialState()
    for event in events { _ = reduce(&state, event) }
    return state
}

@Suite(.serialized) struct StoreTests {
    @Test func recoveryReplaysTheJournalToTheSameState() throws {
        let directory = temporaryDirectory("store")
        let events = workedExampleEvents()
        do {
            let store = try Store(directory: directory)
            _ = try store.open(identifierPrefix: "st", now: 0)
            for event in events { try store.append([event]) }
        }
        let recovered = try Store(directory: directory).recover(initial: initialState(), venue: UpbitVenue.profile)
        #expect(recovered.state == run(events))
        #expect(recovered.state.positions.isEmpty && recovered.state.cash == Fixed("1000999.25")!)
        #expect(recovered.replayedEvents == events.count)
        #expect(recovered.lastSequence == UInt64(events.count))
    }

    @Test func aSnapshotPlusTheJournalTailEqualsTheFullRun() throws {
        let directory = temporaryDirectory("store")
        let events = workedExampleEvents()
        let store = try Store(directory: directory)
        _ = try store.open(identifierPrefix: "st", now: 0)
        try store.append(Array(events.prefix(20)), snapshot: run(Array(events.prefix(20))))
        try store.append(Array(events.dropFirst(20)))
        let recovered = try store.recover(initial: initialState(), venue: UpbitVenue.profile)
        #expect(recovered.snapshotSequence == 20)
        #expect(recovered.replayedEvents == events.count - 20)
        #expect(recovered.state == run(events))
    }

    @Test func aCorruptNewestSnapshotFallsBackToThePreviousOne() throws {
        let directory = temporaryDirectory("store")
        let events = workedExampleEvents()
        do {
            let store = try Store(directory: directory)
            _ = try store.open(identifierPrefix: "st", now: 0)
            try store.append(Array(events.prefix(10)), snapshot: run(Array(events.prefix(10))))
            try store.append(Array(events[10..<25]), snapshot: run(Array(events.prefix(25))))
            try store.append(Array(events.dropFirst(25)))
        }
        // flip a byte in the newest snapshot
        let environment = try LMDBEnvironment(directory: directory)
        try environment.write { transaction in
            let snapshots = try transaction.database("snapshots")
            var record = try #require(try transaction.get(snapshots, key: withUnsafeBytes(of: UInt64(25).bigEndian) { Array($0) }))
            record[record.count / 2] ^= 0xFF
            try transaction.put(snapshots, key: withUnsafeBytes(of: UInt64(25).bigEndian) { Array($0) }, value: record)
        }
        let recovered = try Store(directory: directory).recover(initial: initialState(), venue: UpbitVenue.profile)
        #expect(recovered.snapshotSequence == 10)
        #expect(recovered.state == run(events))
        #expect(recovered.notes.count == 1)
        #expect(recovered.notes[0].hasPrefix("snapshot at event 25 unusable (checksum mismatch)"))
    }

    @Test func snapshotsKeepTheJournalBoundedAndNoUsableSnapshotIsAClearError() throws {
        let directory = temporaryDirectory("store")
        let events = workedExampleEvents()
        let store = try Store(directory: directory)
        _ = try store.open(identifierPrefix: "st", now: 0)
        for count in stride(from: 5, through: 35, by: 5) {
            try store.append(Array(events[(count - 5)..<count]), snapshot: run(Array(events.prefix(count))))
        }
        // 7 snapshots taken, 3 kept (25, 30, 35); the journal before event 25 is gone
        let environment = try LMDBEnvironment(directory: directory)
        let (snapshots, firstEvent) = try environment.read { transaction -> (Int, UInt64?) in
            var count = 0
            try transaction.scan(try transaction.database("snapshots")) { _, _ in count += 1; return true }
            var first: UInt64?
            try transaction.scan(try transaction.database("journal")) { key, _ in
                first = key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                return false
            }
            return (count, first)
        }
        #expect(snapshots == 3)
        #expect(firstEvent == 26)
        #expect(try store.recover(initial: initialState(), venue: UpbitVenue.profile).state == run(Array(events.prefix(35))))

        // every snapshot corrupt and the journal pruned: recovery refuses, saying why
        try environment.write { transaction in
            let database = try transaction.database("snapshots")
            var keys: [[UInt8]] = []
            try transaction.scan(database) { key, _ in keys.append(key); return true }
            for key in keys { try transaction.put(database, key: key, value: [0, 0, 0, 0, 1]) }
        }
        #expect {
            try store.recover(initial: initialState(), venue: UpbitVenue.profile)
        } throws: { error in
            "\(error)".hasPrefix("no usable snapshot and the journal starts at event 26: cannot recover")
        }
    }

    @Test func aStoreOfAnotherSchemaIsRefusedClearly() throws {
        let directory = temporaryDirectory("store")
        do {
            let store = try Store(directory: directory)
            _ = try store.open(identifierPrefix: "st", now: 0)
        }
        let environment = try LMDBEnvironment(directory: directory)
        try environment.write { transaction in
            let meta = try transaction.database("meta")
            let old = #"{"schemaVersion":0,"lastSequence":0,"identifierPrefix":"st","createdAt":0}"#
            let payload = Data(old.utf8)
            let record = withUnsafeBytes(of: CRC32.checksum(payload).bigEndian) { Array($0) } + Array(payload)
            try transaction.put(meta, key: Array("meta".utf8), value: record)
        }
        #expect {
            try Store(directory: directory).recover(initial: initialState(), venue: UpbitVenue.profile)
        } throws: { error in
            "\(error)" == "this state directory has schema 0, which no migration reaches: refusing to guess"
        }
    }

    /// Schema 1 (before `State.probes`): its snapshot is migrated and its journal replayed.
    @Test func aSnapshotOfSchemaOneIsMigratedAndTheJournalAfterItReplayed() throws {
        let directory = temporaryDirectory("store")
        let events = workedExampleEvents()
        let split = 20
        let atSnapshot = run(Array(events.prefix(split)))
        do {
            let store = try Store(directory: directory)
            _ = try store.open(identifierPrefix: "st", now: 0)
            try store.append(Array(events.prefix(split)))
            try store.append(Array(events.dropFirst(split)))
        }
        var json = String(decoding: try JSONEncoder().encode(atSnapshot), as: UTF8.self)
        json = json.replacingOccurrences(of: #","probes":{}"#, with: "").replacingOccurrences(of: #""probes":{},"#, with: "")
        #expect(!json.contains("probes"))
        let environment = try LMDBEnvironment(directory: directory)
        try environment.write { transaction in
            func sealed(_ payload: [UInt8]) -> [UInt8] {
                withUnsafeBytes(of: CRC32.checksum(payload).bigEndian) { Array($0) } + payload
            }
            let version: [UInt8] = [0, 0, 0, 1]
            let key = withUnsafeBytes(of: UInt64(split).bigEndian) { Array($0) }
            try transaction.put(try transaction.database("snapshots"), key: key, value: sealed(version + Array(json.utf8)))
            let meta = #"{"schemaVersion":1,"lastSequence":\#(events.count),"identifierPrefix":"st","createdAt":0}"#
            try transaction.put(try transaction.database("meta"), key: Array("meta".utf8), value: sealed(Array(meta.utf8)))
        }
        let recovered = try Store(directory: directory).recover(initial: initialState(), venue: UpbitVenue.profile)
        #expect(recovered.snapshotSequence == UInt64(split))
        #expect(recovered.replayedEvents == events.count - split)
        #expect(recovered.state == run(events))
    }

    @Test func aReaderOpensTheStoreWhileTheWriterHasItOpen() throws {
        let directory = temporaryDirectory("store")
        let writer = try Store(directory: directory)
        _ = try writer.open(identifierPrefix: "st", now: 7)
        try writer.append(Array(workedExampleEvents().prefix(3)))
        let reader = try Store(directory: directory, readOnly: true)
        #expect(try reader.meta()?.lastSequence == 3)
        #expect(try reader.meta()?.identifierPrefix == "st")
    }

    @Test func crc32MatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
