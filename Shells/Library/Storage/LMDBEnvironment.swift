import CLMDB
import Foundation

/// One LMDB environment (a directory holding `data.mdb`), owned here and closed on deinit.
/// Transactions are synchronous closures: they can never span an `await`. Full durability: no
/// `MDB_NOSYNC`, so a committed write transaction is on disk. (Only the simulator, whose crashes
/// are simulated and leave the page cache intact, opens with `durable: false`.)
public final class LMDBEnvironment: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let environment: OpaquePointer
    public let readOnly: Bool

    /// Opens the environment in `directory`; with `create` (and not `readOnly`) makes a new one
    /// where there is no `data.mdb` at all. Anything else that is not a sound LMDB file is refused
    /// before LMDB touches its pages: `data.mdb` not a regular file, empty, or shorter than its
    /// meta pages say (LMDB maps pages past the end of a truncated file: SIGBUS on first use).
    public init(directory: String, readOnly: Bool = false, durable: Bool = true, create: Bool = true,
                mapSize: Int = 1 << 34, maxDatabases: UInt32 = 8) throws(Failure) {
        let dataFile = directory + "/data.mdb"
        let existing = try LMDBEnvironment.fileSize(dataFile)
        if existing == nil {
            guard create && !readOnly else { throw Failure(description: "no store in \(directory) (no data.mdb)") }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw Failure(description: "cannot create \(directory): \(error.localizedDescription)")
            }
        } else if existing == 0 {
            throw Failure(description: "\(dataFile) is empty (0 bytes): the store was lost; refusing to start a new one "
                          + "in its place (move \(directory) aside to start afresh)")
        }
        var pointer: OpaquePointer?
        try LMDBEnvironment.check(mdb_env_create(&pointer), "mdb_env_create")
        // From here on deinit closes the environment, also when this initializer throws.
        environment = pointer!
        self.readOnly = readOnly
        try LMDBEnvironment.check(mdb_env_set_mapsize(environment, mapSize), "mdb_env_set_mapsize")
        try LMDBEnvironment.check(mdb_env_set_maxdbs(environment, maxDatabases), "mdb_env_set_maxdbs")
        let flags = UInt32(readOnly ? MDB_RDONLY : 0) | UInt32(durable ? 0 : MDB_NOSYNC)
        try LMDBEnvironment.check(mdb_env_open(environment, directory, flags, 0o600), "cannot open the store in \(directory)")
        try checkLength(dataFile)
    }

    /// The size of a regular file, nil when there is none; a directory or other non-file is refused.
    static func fileSize(_ path: String) throws(Failure) -> Int? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw Failure(description: "\(path) is not a regular file: refusing to use it as a store")
        }
        return Int(status.st_size)
    }

    /// The meta page (read by `mdb_env_open` with plain reads) names the last used page; a file
    /// shorter than that was truncated, and reading its pages through the map would be SIGBUS.
    private func checkLength(_ dataFile: String) throws(Failure) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        try LMDBEnvironment.check(mdb_env_info(environment, &info), "mdb_env_info")
        try LMDBEnvironment.check(mdb_env_stat(environment, &stat), "mdb_env_stat")
        let needed = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        let actual = try LMDBEnvironment.fileSize(dataFile) ?? 0
        guard actual >= needed else {
            throw Failure(description: "\(dataFile) is truncated (\(actual) bytes, its pages need \(needed)): "
                          + "refusing to read it (restore it from a copy, or move \(directory(of: dataFile)) aside)")
        }
    }

    private func directory(of file: String) -> String { (file as NSString).deletingLastPathComponent }

    deinit { mdb_env_close(environment) }

    /// A consistent copy of the environment (as of the last commit) into `directory`, which must
    /// exist and hold no `data.mdb`.
    public func copy(to directory: String) throws(Failure) {
        try LMDBEnvironment.check(mdb_env_copy(environment, directory), "copy to \(directory)")
    }

    static func check(_ code: Int32, _ what: String) throws(Failure) {
        guard code == 0 else { throw Failure(description: "\(what): \(String(cString: mdb_strerror(code)))") }
    }

    /// A write transaction: committed when `body` returns, aborted when it throws.
    public func write<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        try transaction(flags: 0, body)
    }

    /// A read-only transaction (a consistent view while a writer goes on).
    public func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        try transaction(flags: UInt32(MDB_RDONLY), body)
    }

    private func transaction<T>(flags: UInt32, _ body: (LMDBTransaction) throws -> T) throws -> T {
        var pointer: OpaquePointer?
        try LMDBEnvironment.check(mdb_txn_begin(environment, nil, flags, &pointer), "mdb_txn_begin")
        let transaction = LMDBTransaction(pointer: pointer!, writable: flags == 0)
        do {
            let result = try body(transaction)
            try LMDBEnvironment.check(mdb_txn_commit(pointer), "mdb_txn_commit")
            return result
        } catch {
            mdb_txn_abort(pointer)
            throw error
        }
    }
}

/// A transaction handed to `LMDBEnvironment.write` / `read`; valid only inside that closure.
public struct LMDBTransaction {
    let pointer: OpaquePointer
    let writable: Bool

    /// A named database (created when writing).
    public func database(_ name: String) throws -> LMDBDatabase {
        var handle: MDB_dbi = 0
        let code = mdb_dbi_open(pointer, name, UInt32(writable ? MDB_CREATE : 0), &handle)
        if code == MDB_NOTFOUND { return LMDBDatabase(handle: nil) }
        try LMDBEnvironment.check(code, "open database \(name)")
        return LMDBDatabase(handle: handle)
    }

    public func put(_ database: LMDBDatabase, key: [UInt8], value: [UInt8]) throws {
        guard let handle = database.handle else { throw LMDBEnvironment.Failure(description: "database missing") }
        var keyCopy = key
        var valueCopy = value
        let code = keyCopy.withUnsafeMutableBytes { keyBytes in
            valueCopy.withUnsafeMutableBytes { valueBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                var dataValue = MDB_val(mv_size: valueBytes.count, mv_data: valueBytes.baseAddress)
                return mdb_put(pointer, handle, &keyValue, &dataValue, 0)
            }
        }
        try LMDBEnvironment.check(code, "mdb_put")
    }

    public func get(_ database: LMDBDatabase, key: [UInt8]) throws -> [UInt8]? {
        guard let handle = database.handle else { return nil }
        var keyCopy = key
        return try keyCopy.withUnsafeMutableBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
            var dataValue = MDB_val()
            let code = mdb_get(pointer, handle, &keyValue, &dataValue)
            if code == MDB_NOTFOUND { return nil }
            try LMDBEnvironment.check(code, "mdb_get")
            return Array(UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))
        }
    }

    public func delete(_ database: LMDBDatabase, key: [UInt8]) throws {
        guard let handle = database.handle else { return }
        var keyCopy = key
        let code = keyCopy.withUnsafeMutableBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
            return mdb_del(pointer, handle, &keyValue, nil)
        }
        if code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "mdb_del") }
    }

    /// Every (key, value) in key order from `start` (inclusive) on, newest last; or, with
    /// `reverse`, from the end backwards. `body` returns false to stop.
    public func scan(_ database: LMDBDatabase, from start: [UInt8]? = nil, reverse: Bool = false,
                     _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        guard let handle = database.handle else { return }
        var cursor: OpaquePointer?
        try LMDBEnvironment.check(mdb_cursor_open(pointer, handle, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var keyValue = MDB_val()
        var dataValue = MDB_val()
        var startCopy = start ?? []
        var code: Int32 = startCopy.withUnsafeMutableBytes { bytes in
            if start != nil && !reverse {
                keyValue = MDB_val(mv_size: bytes.count, mv_data: bytes.baseAddress)
                return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_SET_RANGE)
            }
            return mdb_cursor_get(cursor, &keyValue, &dataValue, reverse ? MDB_LAST : MDB_FIRST)
        }
        while code == 0 {
            let key = Array(UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size))
            let value = Array(UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))
            guard try body(key, value) else { return }
            code = mdb_cursor_get(cursor, &keyValue, &dataValue, reverse ? MDB_PREV : MDB_NEXT)
        }
        if code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "mdb_cursor_get") }
    }
}

/// A database handle (nil when a read-only transaction found no such database).
public struct LMDBDatabase {
    let handle: MDB_dbi?
}
