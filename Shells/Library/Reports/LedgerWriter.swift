import Core
import Foundation

/// Writes exit legs to a ledger file exactly once each: a row whose sell-order identifier the
/// file holds already is skipped. Legs reach it from the store after the commit that booked them
/// (`TradingLoop.takeCommittedLegs`), and at every start from the store's `legs` database
/// (`synchronize`), which catches up a leg whose commit happened but whose row was not written
/// (a crash between the two).
public final class LedgerWriter {
    public let file: LedgerFile
    private var written: Set<String>

    /// Reads the file (repairing a row torn by a crash) to learn which legs it holds.
    public init(file: LedgerFile) throws {
        self.file = file
        try file.repairTornTail()
        written = Set(try file.read().compactMap(\.identifier))
    }

    /// Appends the rows not yet in the file; returns those written.
    @discardableResult
    public func write(_ rows: [LedgerFile.Row]) throws -> [LedgerFile.Row] {
        var fresh: [LedgerFile.Row] = []
        var seen = written
        for row in rows {
            if let identifier = row.identifier {
                guard !seen.contains(identifier) else { continue }
                seen.insert(identifier)
            }
            fresh.append(row)
        }
        try file.append(fresh)
        written = seen
        return fresh
    }

    /// Every leg the store booked that the file does not hold yet, in the store's order.
    @discardableResult
    public func synchronize(with store: Store) throws -> [LedgerFile.Row] {
        try write(try store.legs())
    }
}
