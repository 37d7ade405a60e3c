import Core
import Foundation

/// The bot's durable memory in LMDB (`STATE/data.mdb`):
/// - `journal`: every event, keyed by a big-endian sequence number (append-only);
/// - `snapshots`: `State` at some sequence numbers, the newest `keptSnapshots` kept;
/// - `meta`: schema version, last sequence, the identifier prefix of this state directory;
/// - `legs`: every exit leg booked (`LedgerFile.Row`), keyed by a big-endian leg number, written in
///   the transaction that journals the event which produced it (the source of `ledger.jsonl`).
/// Every record starts with the CRC-32 of the rest. The journal before the oldest kept snapshot is
/// pruned, so disk use stays bounded however long the bot runs.
public final class Store: @unchecked Sendable {
    /// 2: `State.probes` (orders a lost transaction may have sent). 3: `State.ledger` left the
    /// snapshot for the `legs` database (`Position.lastExitReason` keeps what closing needs).
    /// 4: the venue-neutral core (`Store+Migration.swift`): the journal before
    /// `Meta.journalSchema4From` and older snapshots are migrated when read.
    /// Older snapshots are migrated when read; the journal of 2 replays unchanged (3 adds events).
    public static let schemaVersion: UInt32 = 4
    public static let keptSnapshots = 3

    public struct Meta: Codable, Equatable, Sendable {
        public var schemaVersion: UInt32
        public var lastSequence: UInt64
        public var identifierPrefix: String
        public var createdAt: Milliseconds
        /// The first journal record of schema 4 in a store that schema 3 wrote before (nil: none
        /// older): the records before it are migrated when replayed.
        public var journalSchema4From: UInt64?
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// What recovery found.
    public struct Recovery: Sendable {
        public var state: State
        public var snapshotSequence: UInt64
        public var replayedEvents: Int
        public var lastSequence: UInt64
        /// Things the operator should know (a corrupt snapshot skipped, …).
        public var notes: [String]
    }

    let environment: LMDBEnvironment
    public let directory: String

    /// Called inside every write transaction of `append`, after the records are put and before
    /// the commit: the simulator throws here to crash between append and commit.
    public var beforeCommit: (() throws -> Void)?

    /// Opens the store in `directory`. A new one is created only where there is no `data.mdb`
    /// at all (and `create`); an empty, truncated or unreadable one is refused with one line.
    public init(directory: String, readOnly: Bool = false, durable: Bool = true, create: Bool = true) throws {
        self.directory = directory
        environment = try LMDBEnvironment(directory: directory, readOnly: readOnly, durable: durable, create: create)
    }

    /// A consistent copy of the store as of its last commit (the simulator's "lost transaction").
    public func backup(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: directory + "/data.mdb")
        try environment.copy(to: directory)
    }

    // MARK: - Writing

    /// Creates the meta record of a new state directory (once), with `initial` (when given) as
    /// the snapshot at event 0 in the same transaction, so a replay never depends on what the
    /// reader assumes the first state was; returns the meta in force.
    public func open(identifierPrefix: String, initial: State? = nil, now: Milliseconds) throws -> Meta {
        try environment.write { transaction in
            let meta = try transaction.database("meta")
            if var existing = try Store.readMeta(transaction, meta) {
                // From now on this store holds records of this schema: an older surge must refuse it.
                if existing.schemaVersion < Store.schemaVersion, existing.schemaVersion >= 1 {
                    if existing.schemaVersion < 4 { existing.journalSchema4From = existing.lastSequence + 1 }
                    existing.schemaVersion = Store.schemaVersion
                    try transaction.put(meta, key: Array("meta".utf8), value: Store.sealed(try JSONEncoder().encode(existing)))
                }
                return existing
            }
            let fresh = Meta(schemaVersion: Store.schemaVersion, lastSequence: 0, identifierPrefix: identifierPrefix, createdAt: now)
            try transaction.put(meta, key: Array("meta".utf8), value: Store.sealed(try JSONEncoder().encode(fresh)))
            if var initial {
                initial.options.identifierPrefix = identifierPrefix
                try transaction.put(try transaction.database("snapshots"), key: Store.key(0),
                                    value: try Store.snapshotRecord(initial, JSONEncoder()))
            }
            return fresh
        }
    }

    /// Appends events, the exit legs they booked, and when given, a snapshot of the state after
    /// them, in one durable transaction. Returns the sequence number of the last event.
    @discardableResult
    public func append(_ events: [Event], legs: [LedgerFile.Row] = [], snapshot: State? = nil) throws -> UInt64 {
        let encoder = JSONEncoder()
        return try environment.write { transaction in
            let metaDatabase = try transaction.database("meta")
            let journal = try transaction.database("journal")
            guard var meta = try Store.readMeta(transaction, metaDatabase) else { throw Problem(description: "store not opened") }
            for event in events {
                meta.lastSequence += 1
                try transaction.put(journal, key: Store.key(meta.lastSequence), value: Store.sealed(try encoder.encode(event)))
            }
            if !legs.isEmpty {
                let database = try transaction.database("legs")
                var number: UInt64 = 0
                try transaction.scan(database, reverse: true) { key, _ in
                    number = Store.sequence(key)
                    return false
                }
                for leg in legs {
                    number += 1
                    try transaction.put(database, key: Store.key(number), value: Store.sealed(try encoder.encode(leg)))
                }
            }
            if let snapshot {
                let snapshots = try transaction.database("snapshots")
                try transaction.put(snapshots, key: Store.key(meta.lastSequence), value: try Store.snapshotRecord(snapshot, encoder))
                try Store.prune(transaction, snapshots: snapshots, journal: journal)
            }
            try transaction.put(metaDatabase, key: Array("meta".utf8), value: Store.sealed(try encoder.encode(meta)))
            try beforeCommit?()
            return meta.lastSequence
        }
    }

    /// Keeps the newest snapshots and drops the journal before the oldest of them.
    static func prune(_ transaction: LMDBTransaction, snapshots: LMDBDatabase, journal: LMDBDatabase) throws {
        var keys: [[UInt8]] = []
        try transaction.scan(snapshots, reverse: true) { key, _ in
            keys.append(key)
            return true
        }
        for key in keys.dropFirst(keptSnapshots) { try transaction.delete(snapshots, key: key) }
        guard keys.count >= keptSnapshots, let oldest = keys.prefix(keptSnapshots).last else { return }
        var stale: [[UInt8]] = []
        try transaction.scan(journal) { key, _ in
            guard key.lexicographicallyPrecedes(oldest) || key == oldest else { return false }
            stale.append(key)
            return true
        }
        for key in stale { try transaction.delete(journal, key: key) }
    }

    // MARK: - Recovery

    /// The state after every journaled event — the one recovery path of `surge run`, `surge
    /// status` and the simulator: the newest valid snapshot (one that is corrupt or breaks the
    /// state's invariants falls back to the previous) and the journal after it replayed with
    /// commands discarded. Every store since schema 3 has a snapshot at event 0; `initial` is
    /// the first state of an older one that has no snapshot yet (nil: the default config).
    public func recover(initial: State? = nil, venue: VenueProfile) throws -> Recovery {
        try environment.read { transaction in
            var notes: [String] = []
            let fallback = initial ?? State(config: Config(), venue: venue)
            guard let meta = try Store.readMeta(transaction, try transaction.database("meta")) else {
                return Recovery(state: fallback, snapshotSequence: 0, replayedEvents: 0, lastSequence: 0, notes: [])
            }
            try Store.checkSchema(meta.schemaVersion, what: "this state directory")
            var start = (state: fallback, sequence: UInt64(0))
            var found = false
            try transaction.scan(try transaction.database("snapshots"), reverse: true) { key, value in
                let sequence = Store.sequence(key)
                do {
                    start = (try Store.decodeSnapshot(value), sequence)
                    found = true
                    return false
                } catch {
                    notes.append("snapshot at event \(sequence) unusable (\(error)); trying an older one")
                    return true
                }
            }
            let journal = try transaction.database("journal")
            if !found {
                var first: UInt64?
                try transaction.scan(journal) { key, _ in
                    first = Store.sequence(key)
                    return false
                }
                if let first, first > 1 {
                    throw Problem(description: "no usable snapshot and the journal starts at event \(first): cannot recover; "
                                  + "move \(directory) aside to start afresh")
                }
                if initial == nil { notes.append("no snapshot in this store (older than schema 3): replayed from the default config") }
            }
            var state = start.state
            var replayed = 0
            let decoder = JSONDecoder()
            try transaction.scan(journal, from: Store.key(start.sequence + 1)) { key, value in
                guard let payload = Store.opened(value) else {
                    throw Problem(description: "journal record \(Store.sequence(key)) is corrupt: cannot recover past it")
                }
                let old = meta.schemaVersion < 4 || Store.sequence(key) < meta.journalSchema4From ?? 0
                _ = reduce(&state, try decoder.decode(Event.self, from: old ? try Store.migrateEventFrom3(Data(payload)) : Data(payload)))
                replayed += 1
                return true
            }
            return Recovery(state: state, snapshotSequence: start.sequence, replayedEvents: replayed,
                            lastSequence: meta.lastSequence, notes: notes)
        }
    }

    /// Every exit leg booked, oldest first. A leg record that fails its checksum is an error.
    public func legs() throws -> [LedgerFile.Row] {
        try environment.read { transaction in
            var rows: [LedgerFile.Row] = []
            let decoder = JSONDecoder()
            try transaction.scan(try transaction.database("legs")) { key, value in
                guard let payload = Store.opened(value) else {
                    throw Problem(description: "exit leg record \(Store.sequence(key)) is corrupt")
                }
                rows.append(try decoder.decode(LedgerFile.Row.self, from: Data(payload)))
                return true
            }
            return rows
        }
    }

    public func meta() throws -> Meta? {
        try environment.read { try Store.readMeta($0, try $0.database("meta")) }
    }

    // MARK: - Records

    static func key(_ sequence: UInt64) -> [UInt8] { withUnsafeBytes(of: sequence.bigEndian) { Array($0) } }

    static func sequence(_ key: [UInt8]) -> UInt64 {
        key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// CRC-32 (big-endian) followed by the payload.
    static func sealed(_ payload: Data) -> [UInt8] {
        withUnsafeBytes(of: CRC32.checksum(payload).bigEndian) { Array($0) } + Array(payload)
    }

    /// The payload when the checksum holds.
    static func opened(_ record: [UInt8]) -> ArraySlice<UInt8>? {
        guard record.count >= 4 else { return nil }
        let stored = record.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let payload = record.dropFirst(4)
        return CRC32.checksum(payload) == stored ? payload : nil
    }

    static func readMeta(_ transaction: LMDBTransaction, _ database: LMDBDatabase) throws -> Meta? {
        guard let record = try transaction.get(database, key: Array("meta".utf8)) else { return nil }
        guard let payload = opened(record) else { throw Problem(description: "the meta record is corrupt") }
        return try JSONDecoder().decode(Meta.self, from: Data(payload))
    }

    static func checkSchema(_ version: UInt32, what: String) throws {
        if version > schemaVersion {
            throw Problem(description: "\(what) was written by a newer surge (schema \(version), this one reads \(schemaVersion)): refusing to guess")
        }
        if version < 1 {
            throw Problem(description: "\(what) has schema \(version), which no migration reaches: refusing to guess")
        }
    }

    static func snapshotRecord(_ state: State, _ encoder: JSONEncoder) throws -> [UInt8] {
        var payload = withUnsafeBytes(of: Store.schemaVersion.bigEndian) { Array($0) }
        payload += try encoder.encode(state)
        return Store.sealed(Data(payload))
    }

    /// A snapshot's state; one that fails its checksum, its schema or the state's own invariants
    /// is unusable (recovery falls back to an older one).
    static func decodeSnapshot(_ record: [UInt8]) throws -> State {
        guard let payload = opened(record) else { throw Problem(description: "checksum mismatch") }
        guard payload.count >= 4 else { throw Problem(description: "too short") }
        let version = payload.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        try checkSchema(version, what: "the snapshot")
        var json = Data(payload.dropFirst(4))
        if version < 2 { json = try migrateFrom1(json) }
        if version < 4 { json = try migrateSnapshotFrom3(json) }
        var state = try JSONDecoder().decode(State.self, from: json)
        if version < 3 { try migrateFrom2(json, into: &state) }
        let broken = state.checkInvariants()
        guard broken.isEmpty else { throw Problem(description: "invariants broken: \(broken.joined(separator: "; "))") }
        return state
    }

    /// Schema 2 → 3: `ledger` left the state (decoding skips it); each open position keeps the
    /// reason of its newest leg (`lastExitReason`), which is all that closing it needs.
    static func migrateFrom2(_ json: Data, into state: inout State) throws {
        struct Legacy: Decodable { var ledger: [LedgerEntry]? }
        let ledger = try JSONDecoder().decode(Legacy.self, from: json).ledger ?? []
        for index in state.positions.indices {
            state.positions[index].lastExitReason = ledger.last { $0.positionId == state.positions[index].id }?.reason
        }
    }

    /// Schema 1 → 2: the state gains an empty `probes` map.
    static func migrateFrom1(_ json: Data) throws -> Data {
        guard json.first == UInt8(ascii: "{") else { throw Problem(description: "not a JSON object") }
        return Data(#"{"probes":{},"#.utf8) + json.dropFirst()
    }
}
