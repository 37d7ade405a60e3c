import Core
import Foundation

/// The deterministic simulator (`surge simulate`): the real reducer and the real write-ahead
/// loop with its LMDB store, against the simulated exchange of the backtests, a network that
/// drops, delays, duplicates and reorders answers, a clock that jumps, and a process that crashes
/// (at random moments, between append and commit, after commit before sending, or losing its
/// last committed transaction) and restarts through recovery. Everything comes from one seed.
///
/// A fault phase of `steps` steps is followed by a fault-free phase that must converge: every
/// answer delivered, the bot's cash, reserves and positions equal to the exchange's balances and
/// no open order of ours unknown to the bot. Broken invariants are collected in `failures`.
public struct Simulation {
    struct Pending {
        var due: Milliseconds
        var sequence: Int
        var event: Event
    }

    struct SimulatedMarket {
        var code: String
        var price: Fixed
        var nextSequentialId: Int64 = 1
        /// About 10,000 KRW of the coin at the starting price: books are multiples of it.
        let sizeUnit: Fixed

        init(code: String, price: Fixed) {
            self.code = code
            self.price = price
            sizeUnit = Fixed.max((Fixed(10_000) / price).floored(places: 8), Fixed.unit(places: 8))
        }
    }

    /// Ways the process dies around the journal.
    public enum StorageFault: String, CaseIterable, Sendable {
        /// At a random moment between events: events not yet committed are lost.
        case crash
        /// Inside the commit's transaction, after the records were put: the transaction aborts.
        case crashBeforeCommit = "crash_before_commit"
        /// The commit is durable, the commands it allowed never leave.
        case crashAfterCommit = "crash_after_commit"
        /// The commit returned and its commands were sent, then the transaction vanished (a disk
        /// that lied about fsync): recovery finds the store as it was one commit earlier.
        case lostTransaction = "lost_transaction"
    }

    /// What a run did, for the verdict line and for tests that check the generator's reach.
    public struct Statistics: Sendable {
        public var events = 0
        public var ordersPlaced = 0
        public var exitLegs = 0
        public var restarts = 0
        public var storageFaults: [StorageFault: Int] = [:]
        public var networkFaults = 0
        public var exitReasons = Set<ExitReason>()
        public var unknownOutcomes = 0
        /// Orders a lost transaction had sent, found and adopted at a restart.
        public var adoptedOrders = 0
        /// Restarts that came back with an edited config (journaled as `configAdopted`).
        public var configChanges = 0
    }

    public let seed: UInt64
    public let steps: Int
    var random: SplitMix64
    /// The operator's config file: some seeds edit it between restarts.
    var config: Config
    let editsConfig: Bool
    /// The ledger file, written after each commit as the live driver does (nil while down).
    var ledger: LedgerWriter?
    /// True once a lost transaction happened: the file may then hold a leg as first booked while
    /// the store holds it as adopted again (same identifier, written once).
    var lostTransactions = false
    let initialState: State
    let directory: String
    /// The bot process; nil while it is down.
    var bot: TradingLoop?
    var downUntil: Milliseconds = 0
    var snapshotEveryEvents: Int
    /// The state as of the last commit: what recovery must give back.
    var committed: State
    var armedFault: StorageFault?
    /// The store copied before the commit that a `lostTransaction` will lose, and its state.
    var backup: (directory: String, state: State)?
    /// Upbit's simulated exchange (unused in a futures run).
    var exchange: SimulatedExchange
    /// The simulated futures venue of a futures run (nil: an Upbit run).
    var futures: FuturesExchange?
    var clock: Milliseconds
    var markets: [SimulatedMarket]
    var faults = true
    var pending: [Pending] = []
    var nextSequence = 0
    var deliveredExchangeEvents: [Event] = []
    public internal(set) var failures: [String] = []
    var placedIdentifiers = Set<String>()
    var dustMarkets = Set<String>()
    public internal(set) var statistics = Statistics()
    /// FNV-1a of every event and command: equal digests, equal runs.
    public internal(set) var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    /// Every event fed, the commands it produced and the free cash after it, when asked for
    /// (`--trace`).
    public internal(set) var trace: [(Event, [Command], Fixed)]?
    /// For tests that prove the checks can fail: every crash also erases the store.
    public var eraseStoreOnCrash = false

    /// A run of `seed` that keeps its store in `directory` (created, and removed by `finish`).
    public init(seed: UInt64, steps: Int, directory: String, traced: Bool = false, venue: Venue = .upbit) {
        self.seed = seed
        self.steps = steps
        self.directory = directory
        random = SplitMix64(seed: seed)
        config = Simulation.randomConfig(&random)
        editsConfig = random.chance(40)
        let options = State.Options(identifierPrefix: "s\(seed)", trace: random.chance(20),
                                    backfillCandles: random.chance(30) ? 5 : 0)
        if venue == .binanceFutures { Simulation.futuresConfig(&config, &random) }
        let profile = venue == .binanceFutures ? Simulation.futuresProfile(&random) : UpbitVenue.profile
        initialState = State(config: config, venue: profile, options: options)
        committed = initialState
        snapshotEveryEvents = random.int(5...300)
        exchange = SimulatedExchange(krw: config.capital.initialCapital, feeRate: config.fees.rate)
        if venue == .binanceFutures {
            futures = FuturesExchange(cash: config.capital.initialCapital, leverage: profile.leverage,
                                      makerFee: config.fees.rate, takerFee: config.fees.rate)
        }
        // Some runs start shortly before the venue's day rolls over (Upbit: 00:00 KST; futures:
        // 00:00 UTC, also a funding time).
        let futures = venue == .binanceFutures
        let beforeRollover = random.chance(30) ? Milliseconds(random.int(0...600_000)) : nil
        clock = 1_767_225_600_000 + (beforeRollover.map { (futures ? 24 : 15) * 3_600_000 - $0 } ?? 0)
        let levels: [Fixed] = futures ? [150, 3_000, 60_000, Fixed("987.6")!]
            : [123, 4_990, 9_995, 99_950, 500_000, 1_995_000, Fixed("12.3")!, Fixed("0.0456")!]
        let codes = futures ? ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"] : ["KRW-AAA", "KRW-BBB", "KRW-CCC", "KRW-DDD"]
        var generated: [SimulatedMarket] = []
        for index in 0..<random.int(1...4) { generated.append(SimulatedMarket(code: codes[index], price: random.pick(levels))) }
        markets = generated
        if traced { trace = [] }
    }

    /// The bot's state (the last one, when the process is down).
    public var state: State { bot?.state ?? committed }

    static func randomConfig(_ random: inout SplitMix64) -> Config {
        var config = Config()
        config.capital.initialCapital = Fixed(random.pick([12_000, 100_000, 1_000_000, 50_000_000]))
        config.capital.positionFraction = Fixed(random.int(20...100)) / 100
        config.capital.maxPositions = random.int(1...3)
        config.entry.candidates = random.int(1...3)
        config.entry.averageWindowMinutes = random.int(1...4)
        config.entry.rsiPeriod = random.int(2...5)
        config.entry.minVolumeRatio = Double(random.int(10...30)) / 10
        config.entry.surgeWindowSeconds = random.pick([10, 30, 60])
        config.entry.requireBidDominance = random.chance(80)
        config.entry.order = random.chance(50) ? .market : .limit
        config.entry.limitTimeoutSeconds = random.int(1...10)
        config.entry.limitFallback = random.chance(50) ? .market : .none
        config.exit.takeProfit = Fixed(random.int(1...10)) / 1_000
        config.exit.stopLoss = -Fixed(random.int(1...20)) / 1_000
        config.exit.partialFraction = random.chance(40) ? Fixed(random.int(2...8)) / 10 : 0
        config.exit.trailingStop = random.chance(40) ? Fixed(random.int(1...5)) / 1_000 : 0
        config.exit.maxHoldMinutes = random.chance(30) ? random.int(1...5) : 0
        config.exit.order = random.chance(50) ? .market : .limitTakeProfit
        config.risk.cooldownMinutes = random.int(0...2)
        config.risk.stopLossPauseMinutes = random.int(0...2)
        config.risk.dailyLossLimit = random.chance(50) ? Fixed(random.int(1...50)) / 1_000 : 0
        config.risk.staleFeedSeconds = random.int(3...10)
        return config
    }

    /// The operator edits the config file while the bot is down: exits, limits, windows (which
    /// restart market history), entry order type, cooldown; always a valid config.
    static func editedConfig(_ config: Config, _ random: inout SplitMix64) -> Config {
        var edited = config
        switch random.int(0...5) {
        case 0: edited.exit.takeProfit = Fixed(random.int(1...10)) / 1_000
        case 1: edited.exit.stopLoss = -Fixed(random.int(1...20)) / 1_000
        case 2: edited.capital.maxPositions = random.int(1...3)
        case 3:
            edited.entry.averageWindowMinutes = random.int(1...4)
            edited.entry.rsiPeriod = random.int(2...5)
            edited.entry.surgeWindowSeconds = random.pick([10, 30, 60])
        case 4: edited.entry.order = random.chance(50) ? .market : .limit
        default:
            edited.risk.cooldownMinutes = random.int(0...2)
            edited.entry.minVolumeRatio = Double(random.int(10...30)) / 10
        }
        return edited
    }

    // MARK: - Driving

    /// The fault phase, then the fault-free phase, then the convergence checks; the store is
    /// removed afterwards. Returns every broken invariant (none: the run passed).
    public mutating func run() -> [String] {
        try? FileManager.default.removeItem(atPath: directory)
        restart()
        for _ in 0..<steps where failures.isEmpty { step() }
        if failures.isEmpty { converge() }
        if failures.isEmpty { failures += convergenceFailures() }
        if failures.isEmpty { failures += ledgerFailures() }
        finish()
        return failures
    }

    mutating func step() {
        if bot == nil {
            clock += Milliseconds(random.int(20...2_500))
            if clock >= downUntil { restart() }
            return
        }
        if armedFault == nil, random.int(0...999) < 25 {
            armedFault = random.pick([.crash, .crashBeforeCommit, .crashAfterCommit, .lostTransaction])
            if armedFault == .crash { return crash() }
        }
        if !pending.isEmpty, random.chance(45), deliverPending() { return }
        clock += Milliseconds(random.int(20...2_500))
        if random.chance(1) { clock += Milliseconds(random.int(1...8)) * 60_000 }
        let roll = random.int(0...99)
        switch roll {
        case 0..<65: trade(in: random.int(0...markets.count - 1))
        case 65..<85: book(in: random.int(0...markets.count - 1))
        case 85..<93: timer()
        case 93: feed(.feedStalled(time: clock))
        case 94: timer(at: clock - Milliseconds(random.int(1...5_000)))  // the wall clock stepped back
        case 95: feed(.closeRequested(market: random.pick(markets).code, time: clock))
        case 96: operatorOrAccountEvent()
        case 97..<99 where !deliveredExchangeEvents.isEmpty:
            feed(random.pick(deliveredExchangeEvents))  // a stale frame from the past
        default: timer()
        }
    }

    /// A myAsset frame with the exchange's balances of now (often ahead of the order updates in
    /// flight), or the operator pausing or resuming entries.
    mutating func operatorOrAccountEvent() {
        switch random.int(0...3) {
        case 0, 1: feed(.balancesPushed(futures?.account ?? UpbitVenue.account(exchange.balances), time: clock))
        case 2: feed(.entriesPaused(time: clock))
        default: feed(.entriesResumed(time: clock))
        }
    }

    /// Fault-free phase: the bot up, every answer delivered, the clock running on with quiet
    /// markets, until nothing is pending.
    mutating func converge() {
        faults = false
        armedFault = nil
        if bot == nil { restart() }
        for _ in 0..<40 {
            clock += 2_000
            deliverAllDue()
            for index in markets.indices where random.chance(50) { book(in: index) }
            timer()
        }
        var rounds = 0
        while !pending.isEmpty && rounds < 50 {
            clock += 1_000
            deliverAllDue()
            timer()
            rounds += 1
        }
    }

    /// The state directory and any backup are removed.
    mutating func finish() {
        bot = nil
        ledger = nil
        try? FileManager.default.removeItem(atPath: directory)
        if let backup { try? FileManager.default.removeItem(atPath: backup.directory) }
        backup = nil
    }

    /// Mixes a line into the digest.
    mutating func mix(_ text: String) {
        for byte in text.utf8 {
            digest ^= UInt64(byte)
            digest = digest &* 0x100_0000_01b3
        }
    }
}
