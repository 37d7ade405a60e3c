import Core

/// The write-ahead loop shared by the live driver and the simulator: reduce an event and
/// everything it leads to, carry out the commands that stay in the process at once, and commit
/// the events to the journal before any command that reaches the exchange (or the ledger file) is
/// handed back to be carried out. Without a store (paper mode, tests) it only reduces.
public struct TradingLoop {
    public private(set) var state: State
    public let store: Store?
    /// Events reduced but not yet committed.
    public private(set) var unjournaled: [Event] = []
    /// Exit legs booked by `unjournaled` events: committed with them, in the same transaction.
    private var unjournaledLegs: [LedgerFile.Row] = []
    /// Exit legs whose events are committed (at once without a store), waiting to be written to
    /// the ledger file (`takeCommittedLegs`).
    private var committedLegs: [LedgerFile.Row] = []
    /// A snapshot is written with the first commit this long after the previous one …
    public var snapshotEveryMilliseconds: Milliseconds = 60_000
    /// … or after this many journaled events, whichever comes first.
    public var snapshotEveryEvents = 100_000
    private var lastSnapshotAt: Milliseconds
    private var eventsSinceSnapshot = 0

    /// What opening a store found.
    public struct Opened {
        public var loop: TradingLoop
        /// What the store held (before a changed config was adopted).
        public var recovery: Store.Recovery
        public var meta: Store.Meta
        /// True when the operator's config differed from the journal's and was adopted.
        public var configAdopted: Bool
    }

    /// The state broke its invariants after an event (checked after every reduce in debug builds).
    public struct InvariantViolation: Error, CustomStringConvertible {
        public var event: Event
        public var broken: [String]
        public var description: String { "invariants broken after \(event): \(broken.joined(separator: "; "))" }
    }

    public init(state: State, store: Store? = nil, now: Milliseconds = 0) {
        self.state = state
        self.store = store
        lastSnapshotAt = now
    }

    /// Recovery, the start-up path: the meta record and the first snapshot (created on first use,
    /// keeping the state directory's identifier prefix), the newest valid snapshot plus the
    /// journal (`Store.recover`, the path `surge status` reads with too), then the operator's
    /// config adopted as a journaled `configAdopted` event when it differs, and a snapshot at once
    /// (a bot killed within a minute of every start would otherwise never take one). Throws when
    /// the state cannot be trusted.
    public static func open(_ store: Store, initial: State, config: Config, now: Milliseconds) throws -> Opened {
        let meta = try store.open(identifierPrefix: initial.options.identifierPrefix, initial: initial, now: now)
        var start = initial
        start.options.identifierPrefix = meta.identifierPrefix
        let recovery = try store.recover(initial: start, venue: start.venue)
        var loop = TradingLoop(state: recovery.state, store: store, now: now)
        loop.state.options.identifierPrefix = meta.identifierPrefix
        let adopted = loop.state.config != config
        if adopted {
            _ = try loop.process(.configAdopted(config, time: now), now: now) { _, _ in [] }
        }
        try loop.commit(now: now, force: true)
        return Opened(loop: loop, recovery: recovery, meta: meta, configAdopted: adopted)
    }

    /// Commands that leave the process (to the exchange, or the ledger file), and so must follow a
    /// durable journal.
    public static func leavesProcess(_ command: Command) -> Bool {
        switch command {
        case .placeOrder, .cancelOrder, .queryOrder, .fetchBalances, .fetchOpenOrders, .bookLeg: true
        case .subscribe, .notify, .trace, .fetchCandles: false
        }
    }

    /// Reduces `first` and the events it leads to. `carryOut` runs a command now and returns the
    /// events known at once (paper answers), or nil to have it sent after the commit. Returns the
    /// commands to send, each with the time of the event that produced it, once the journal holds
    /// every event that led to them. Booked legs go to `takeCommittedLegs` after that commit.
    public mutating func process(_ first: Event, now: Milliseconds,
                                 carryOut: (Command, Milliseconds) -> [Event]?) throws -> [(Command, Milliseconds)] {
        var queue = [first]
        var index = 0
        var outgoing: [(Command, Milliseconds)] = []
        while index < queue.count {
            let event = queue[index]
            index += 1
            let commands = reduce(&state, event)
            #if DEBUG
            let broken = state.checkInvariants()
            if !broken.isEmpty { throw InvariantViolation(event: event, broken: broken) }
            #endif
            if store != nil { unjournaled.append(event) }
            for command in commands {
                if case .bookLeg(let leg, let identifier) = command {
                    let row = LedgerFile.Row(leg: leg, equity: state.equity, identifier: identifier)
                    if store != nil { unjournaledLegs.append(row) } else { committedLegs.append(row) }
                }
                if let events = carryOut(command, event.time) { queue += events } else { outgoing.append((command, event.time)) }
            }
        }
        if !outgoing.isEmpty { try commit(now: now) }
        return outgoing
    }

    /// Makes every reduced event durable in one transaction, with the legs they booked and a
    /// snapshot when due (`force`: always, as on a clean stop).
    public mutating func commit(now: Milliseconds, force: Bool = false) throws {
        guard let store, !unjournaled.isEmpty || force else { return }
        let snapshotDue = force || now - lastSnapshotAt >= snapshotEveryMilliseconds
            || eventsSinceSnapshot + unjournaled.count >= snapshotEveryEvents
        try store.append(unjournaled, legs: unjournaledLegs, snapshot: snapshotDue ? state : nil)
        eventsSinceSnapshot += unjournaled.count
        unjournaled.removeAll(keepingCapacity: true)
        committedLegs += unjournaledLegs
        unjournaledLegs.removeAll()
        if snapshotDue {
            lastSnapshotAt = now
            eventsSinceSnapshot = 0
        }
    }

    /// The legs whose commit happened since the last call, oldest first, for the ledger file.
    public mutating func takeCommittedLegs() -> [LedgerFile.Row] {
        defer { committedLegs.removeAll() }
        return committedLegs
    }
}
