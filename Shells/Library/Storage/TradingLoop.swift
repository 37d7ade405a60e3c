import Core

/// The write-ahead loop shared by the live driver and the simulator: reduce an event and
/// everything it leads to, carry out the commands that stay in the process at once, and commit
/// the events to the journal before any command that reaches the exchange is handed back to be
/// sent. Without a store (paper mode, tests) it only reduces.
public struct TradingLoop {
    public private(set) var state: State
    public let store: Store?
    /// Events reduced but not yet committed.
    public private(set) var unjournaled: [Event] = []
    /// A snapshot is written with the first commit this long after the previous one …
    public var snapshotEveryMilliseconds: Milliseconds = 60_000
    /// … or after this many journaled events, whichever comes first.
    public var snapshotEveryEvents = 100_000
    private var lastSnapshotAt: Milliseconds
    private var eventsSinceSnapshot = 0

    /// What opening a store found.
    public struct Opened {
        public var loop: TradingLoop
        public var recovery: Store.Recovery
        public var meta: Store.Meta
    }

    public init(state: State, store: Store? = nil, now: Milliseconds = 0) {
        self.state = state
        self.store = store
        lastSnapshotAt = now
    }

    /// Recovery, the start-up path: the meta record (created on first use, keeping the state
    /// directory's identifier prefix), the newest valid snapshot plus the journal, then the
    /// operator's (possibly edited) config. Throws when the state cannot be trusted.
    public static func open(_ store: Store, initial: State, config: Config, now: Milliseconds) throws -> Opened {
        let meta = try store.open(identifierPrefix: initial.options.identifierPrefix, now: now)
        var start = initial
        start.options.identifierPrefix = meta.identifierPrefix
        let recovery = try store.recover(initial: start)
        var state = recovery.state
        state.adopt(config)
        state.options.identifierPrefix = meta.identifierPrefix
        return Opened(loop: TradingLoop(state: state, store: store, now: now), recovery: recovery, meta: meta)
    }

    /// Commands that reach the exchange, and so must follow a durable journal.
    public static func leavesProcess(_ command: Command) -> Bool {
        switch command {
        case .placeOrder, .cancelOrder, .queryOrder, .fetchBalances, .fetchOpenOrders: true
        case .subscribe, .notify, .trace, .fetchCandles: false
        }
    }

    /// Reduces `first` and the events it leads to. `carryOut` runs a command now and returns the
    /// events known at once (paper answers), or nil to have it sent after the commit. Returns the
    /// commands to send, each with the time of the event that produced it, once the journal holds
    /// every event that led to them.
    public mutating func process(_ first: Event, now: Milliseconds,
                                 carryOut: (Command, Milliseconds) -> [Event]?) throws -> [(Command, Milliseconds)] {
        var queue = [first]
        var index = 0
        var outgoing: [(Command, Milliseconds)] = []
        while index < queue.count {
            let event = queue[index]
            index += 1
            let commands = reduce(&state, event)
            if store != nil { unjournaled.append(event) }
            for command in commands {
                if let events = carryOut(command, event.time) { queue += events } else { outgoing.append((command, event.time)) }
            }
        }
        if !outgoing.isEmpty { try commit(now: now) }
        return outgoing
    }

    /// Makes every reduced event durable in one transaction, with a snapshot when due (`force`:
    /// always, as on a clean stop).
    public mutating func commit(now: Milliseconds, force: Bool = false) throws {
        guard let store, !unjournaled.isEmpty || force else { return }
        let snapshotDue = force || now - lastSnapshotAt >= snapshotEveryMilliseconds
            || eventsSinceSnapshot + unjournaled.count >= snapshotEveryEvents
        try store.append(unjournaled, snapshot: snapshotDue ? state : nil)
        eventsSinceSnapshot += unjournaled.count
        unjournaled.removeAll(keepingCapacity: true)
        if snapshotDue {
            lastSnapshotAt = now
            eventsSinceSnapshot = 0
        }
    }
}
