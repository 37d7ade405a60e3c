import Core
import Shells
import Foundation
import Logging

/// The one owner of `State` when trading on a live feed, on any venue, paper or live. Market
/// frames, private frames, REST answers and a 1 s timer are merged into one stream of events,
/// handled one at a time on this actor: reduce, commit, then hand the commands to the executor.
/// What is venue-specific (sockets, start-up, decoders, where orders go) is the `VenueAdapter`'s;
/// paper or live is decided once, when the adapter builds the executor.
public actor LiveDriver {
    public enum Mode: String, Sendable { case paper, live }

    public struct Setup: Sendable {
        public var settings: Settings
        public var mode: Mode
        public var credentials: UpbitCredentials?
        /// Binance's keys (live mode on the futures venue).
        public var binanceKeys: BinanceSigner?
        public var identifierPrefix: String
        public var backfillCandles = 200
        /// How long an order request may take before its outcome is unknown.
        public var restTimeoutMilliseconds = 10_000
        /// Where `ledger.jsonl` is kept (nil: nowhere).
        public var stateDirectory: String?
        /// Notifications by e-mail / webhook (nil: logs only).
        public var notifier: Notifier?
        /// The SMTP password for the daily report.
        public var emailPassword: String?
        /// The wall clock, or the clock of a local market played faster (`LocalUpbit.clock`).
        public var clock = DriverClock.wall

        public init(settings: Settings, mode: Mode, credentials: UpbitCredentials?, identifierPrefix: String) {
            self.settings = settings
            self.mode = mode
            self.credentials = credentials
            self.identifierPrefix = identifierPrefix
        }

        /// The adapter of `[venue] name`.
        var adapter: any VenueAdapter {
            switch settings.venue {
            case .upbit:
                UpbitAdapter(settings: settings, paper: mode == .paper, credentials: credentials,
                             restTimeoutMilliseconds: restTimeoutMilliseconds)
            case .binanceFutures:
                BinanceAdapter(settings: settings, paper: mode == .paper, keys: binanceKeys,
                               restTimeoutMilliseconds: restTimeoutMilliseconds)
            }
        }
    }

    /// The state, and the write-ahead journal in live mode with a state directory.
    private var loop: TradingLoop
    public var state: State { loop.state }
    let setup: Setup
    let logger: Logger
    let adapter: any VenueAdapter
    private let executor: any CommandExecutor
    private let marketLinks: [(socket: MarketSocket, link: SocketLink)]
    private let privateLink: SocketLink?
    private var upkeepRunning = false
    private var watchdog: FeedWatchdog
    private var reports: DailyReportSchedule?
    public private(set) var framesRejected = 0
    /// Of those, frames dated too far from the driver's clock.
    public private(set) var framesOutOfTime = 0
    /// Called with every command, for tests and the demo.
    private var observer: (@Sendable (Command) -> Void)?
    /// `ledger.jsonl` (live) or `paper-ledger.jsonl` (paper) in the state directory.
    private var ledger: LedgerWriter?
    /// The exit legs booked since this process started.
    public private(set) var sessionLegs: [LedgerEntry] = []
    private var keysRefusedReported = false
    /// Market frames dated further than `risk.max_clock_skew_seconds` from the driver's clock,
    /// ahead or behind, are refused and counted.
    private var frameSkewMilliseconds: Milliseconds { Milliseconds(setup.settings.strategy.risk.maxClockSkewSeconds) * 1_000 }
    /// Start-up (market list, rules, `recovered`) has run.
    private var startedUp = false

    public init(setup: Setup, logger: Logger) {
        self.setup = setup
        self.logger = logger
        adapter = setup.adapter
        let strategy = setup.settings.strategy
        loop = TradingLoop(state: State(config: strategy, venue: adapter.profile,
                                        options: .init(identifierPrefix: setup.identifierPrefix, trace: logger.logLevel <= .debug,
                                                       backfillCandles: setup.backfillCandles)))
        executor = adapter.makeExecutor()
        var socketLogger = logger
        socketLogger.logLevel = max(logger.logLevel, .info)  // the WebSocket library's debug lines stay out
        marketLinks = adapter.marketSockets.map { socket in
            (socket, SocketLink(url: socket.url, name: socket.name, logger: socketLogger, maximumAge: .seconds(23 * 3_600)))
        }
        privateLink = adapter.privateSocket.map {
            SocketLink(resolveURL: $0.url, name: "private", logger: socketLogger, headers: $0.headers, maximumAge: .seconds(23 * 3_600))
        }
        watchdog = FeedWatchdog(staleAfterSeconds: strategy.risk.staleFeedSeconds)
        if let time = setup.settings.email?.dailyReportTime.flatMap(DailyTime.init) {
            reports = DailyReportSchedule(time: time, offsetMinutes: loop.state.dayStartOffsetMinutes,
                                          zone: loop.state.dayZone, start: DriverClock.wallNow())
        }
    }

    public func observe(_ observer: @escaping @Sendable (Command) -> Void) { self.observer = observer }

    /// Live mode with a state directory: opens the store, recovers the state (newest valid
    /// snapshot + journal), and keeps this directory's identifier prefix. Throws when recovery is
    /// impossible: the bot must not trade on a state it cannot trust.
    public func openStore() throws {
        guard let directory = setup.stateDirectory else { return }
        guard setup.mode == .live else {  // paper legs never reach the live ledger
            ledger = try LedgerWriter(file: LedgerFile(directory: directory, name: LedgerFile.paperName))
            return
        }
        let store = try Store(directory: directory)
        let opened = try TradingLoop.open(store, initial: loop.state, config: setup.settings.strategy, now: now())
        loop = opened.loop
        let recovery = opened.recovery
        for note in recovery.notes { logger.warning("\(note)") }
        if opened.configAdopted { logger.info("config changed since the last run: adopted (journaled)") }
        logger.info("state recovered: snapshot at event \(recovery.snapshotSequence) + \(recovery.replayedEvents) events, \(state.positions.count) positions, \(state.orders.count) orders in flight; identifiers \(opened.meta.identifierPrefix)-…")
        ledger = try LedgerWriter(file: LedgerFile(directory: directory))
        let caughtUp = try ledger!.synchronize(with: store)
        if !caughtUp.isEmpty { logger.warning("\(caughtUp.count) exit legs booked before a crash written to ledger.jsonl now") }
    }

    /// Makes every reduced event durable (one fsynced transaction), with a snapshot when due. The
    /// bot cannot trade without its journal: a failed write stops it.
    func commitJournal(force: Bool = false) {
        do {
            try loop.commit(now: now(), force: force)
        } catch {
            journalFailed(error)
        }
        persistLedger()
    }

    private func journalFailed(_ error: Error) -> Never {
        let what = error is TradingLoop.InvariantViolation ? "state broken" : "cannot write the journal"
        logger.critical("\(what): \(error); stopping")
        fatalError("\(what): \(error)")
    }

    /// Runs until cancelled: sockets, timer, then the start-up sequence.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (_, link) in marketLinks {
                group.addTask { await link.run { await self.marketFrame($0) } }
            }
            if let privateLink {
                if let subscription = adapter.privateSocket?.subscription { await privateLink.subscribe(subscription) }
                await privateLink.whenConnected { connects in
                    if connects > 1 { await self.userStreamRestored() }
                }
                group.addTask { await privateLink.run { await self.privateFrame($0) } }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await self.tick()
                }
            }
            await startUp()
            await group.waitForAll()
        }
        commitJournal(force: true)  // a clean stop leaves a fresh snapshot
    }

    /// The driver's clock: the wall clock, or a local market's faster one.
    nonisolated func now() -> Milliseconds { setup.clock.now() }

    /// Whether the venue lets the bot trade at all (the account's mode, the keys): why not, or nil.
    public func preflight() async -> String? { await adapter.preflight(logger: logger) }

    /// The private stream is connected again: what it said meanwhile is asked for.
    func userStreamRestored() {
        guard startedUp else { return }
        logger.notice("private stream connected again: asking for working orders and balances")
        process(.userStreamRestored(time: now()))
    }

    /// The venue's start-up events (market list, instruments, fees), then `recovered`
    /// (reconciliation).
    func startUp() async {
        let logger = logger
        let clock = setup.clock
        for event in await adapter.startUp(now: { clock.now() }, logger: logger) { process(event) }
        startedUp = true
    }

    /// `surge close / pause / resume` requests waiting in the state directory become events once
    /// start-up is over; each file is removed only after its event is in the journal.
    func applyOperatorRequests() {
        guard startedUp, let directory = setup.stateDirectory else { return }
        for (path, request) in OperatorRequests.pending(stateDirectory: directory) {
            switch request {
            case .success(let request):
                logger.notice("operator request: \(request)")
                if let event = operatorEvent(request) { process(event) }
            case .failure(let problem):
                logger.warning("operator request \(path) ignored: \(problem)")
            }
            commitJournal()
            OperatorRequests.remove(path)
        }
    }

    func operatorEvent(_ request: OperatorRequests.Request) -> Event? {
        switch request {
        case .close(let market): return .closeRequested(market: market, time: now())
        case .pause: return .entriesPaused(time: now())
        case .resume: return .entriesResumed(time: now())
        }
    }

    // MARK: - Inputs

    public func marketFrame(_ bytes: [UInt8]) {
        watchdog.frameArrived()
        switch adapter.decodeMarketFrame(bytes) {
        case .trade(let trade):
            guard isOnTime(trade.time) else { return }
            let fills = executor.observe(trade)
            process(.tradeReceived(trade))
            for fill in fills { process(fill) }
        case .book(let book):
            guard isOnTime(book.time) else { return }
            bytes.withUnsafeBytes { executor.observe(book: book, frame: $0) }
            process(.orderbookReceived(book))
        case .event(let event):
            guard isOnTime(event.time) else { return }
            var fills: [Event] = []
            if case .markPriceReceived(let market, let price, let time) = event {
                fills = executor.observe(markPrice: price, market: market, time: time)
            }
            process(event)
            for fill in fills { process(fill) }
        case .refused(let why):
            rejectFrame(why)
        case .ignored:
            break
        }
    }

    /// A frame dated too far from the driver's clock is refused (and counted).
    private func isOnTime(_ time: Milliseconds) -> Bool {
        let skew = time - now()
        guard abs(skew) > frameSkewMilliseconds else { return true }
        framesOutOfTime += 1
        rejectFrame("frame dated \(ISOTime.string(time)), \(skew / 1_000) s from the driver's clock")
        return false
    }

    /// A private frame's own time is not used: the update is dated by the driver's clock when it
    /// arrives (its timestamp cannot move the strategy's clock).
    public func privateFrame(_ bytes: [UInt8]) {
        switch adapter.decodePrivateFrame(bytes) {
        case .order(var update):
            update.time = now()
            process(.orderUpdated(update))
        case .balances(let account): process(.balancesPushed(account, time: now()))
        case .events(let events):
            for event in events { process(event.withTime(now())) }
        case .notice(let text):
            logger.warning("\(text)")
        case .lookUp(let ask):
            Task {
                let events = await ask()
                await self.applyLookedUp(events)
            }
        case .reconnect(let why):
            logger.notice("private stream: \(why); connecting again")
            if let privateLink { Task { await privateLink.reconnect() } }
        case .refused(let why): rejectFrame(why)
        case .ignored: break
        }
    }

    /// What a private frame's look-up found, dated on arrival like the frame would have been.
    func applyLookedUp(_ events: [Event]) {
        for event in events { process(event.withTime(now())) }
    }

    /// Counts a refused frame; logs the first ten, then every thousandth.
    func rejectFrame(_ why: String) {
        framesRejected += 1
        if framesRejected <= 10 || framesRejected % 1_000 == 0 {
            logger.warning("\(why) (\(framesRejected) frames refused so far)")
        }
    }

    /// Once a second: the clock, and the watchdog that turns silence into `feedStalled` (and
    /// drops a silent socket so it reconnects).
    func tick() async {
        process(.timerFired(time: now()))
        applyOperatorRequests()
        commitJournal()
        if let notifier = setup.notifier { Task { await notifier.flush() } }
        sendDailyReportIfDue()
        if watchdog.check() {
            process(.feedStalled(time: now()))
            for (_, link) in marketLinks { await link.reconnect() }
        }
        if startedUp && !upkeepRunning {
            upkeepRunning = true
            // only the markets leave the actor: a copy of the state held by the task would make
            // the next event copy the whole state
            let resting = Set(state.orders.values.filter { order in
                guard case .limit = order.request.kind else { return false }
                return order.phase != .held && order.phase != .withdrawn
            }.map(\.market)).sorted()
            let (adapter, logger) = (adapter, logger)
            Task {
                let reconnect = await adapter.upkeep(restingOrderMarkets: resting, logger: logger)
                await self.upkeepDone(reconnect: reconnect)
            }
        }
    }

    private func upkeepDone(reconnect: String?) async {
        upkeepRunning = false
        guard let reconnect, let privateLink else { return }
        logger.notice("private stream: \(reconnect); connecting again")
        await privateLink.reconnect()
    }

    // MARK: - The loop

    /// Reduces an event and everything it leads to (paper answers come back at once). Write-ahead:
    /// in live mode the events are committed to the journal before any command leaves the process.
    func process(_ first: Event) {
        let outgoing: [(Command, Milliseconds)]
        do {
            outgoing = try loop.process(first, now: now()) { command, time in
                observer?(command)
                if TradingLoop.leavesProcess(command) && executor.leavesProcess { return nil }
                return dispatch(command, time: time)
            }
        } catch {
            journalFailed(error)
        }
        for (command, time) in outgoing { _ = dispatch(command, time: time) }
        persistLedger()
    }

    /// Exit legs whose commit happened go to the ledger file (each identifier once; a leg not
    /// written here is caught up from the store at the next start).
    func persistLedger() {
        let legs = loop.takeCommittedLegs()
        guard !legs.isEmpty else { return }
        sessionLegs += legs.map(\.leg)
        do {
            try ledger?.write(legs)
        } catch {
            logger.error("cannot write the ledger file: \(error)")
        }
    }

    /// The daily report, when due.
    func sendDailyReportIfDue() {
        guard let email = setup.settings.email, let directory = setup.stateDirectory else { return }
        let now = DriverClock.wallNow()
        guard reports?.due(now: now) != nil, let reports else { return }
        let file = ledger?.file ?? LedgerFile(directory: directory)  // paper-ledger.jsonl in paper mode
        reports.send(now: now, file: file, email: email, password: setup.emailPassword, logger: logger)
    }

    /// Carries out one command; returns the events known at once (paper), else answers later.
    func dispatch(_ command: Command, time: Milliseconds) -> [Event] {
        switch command {
        case .subscribe(let markets):
            logger.info("subscribing to trades and orderbooks of \(markets.count) markets")
            for (socket, link) in marketLinks {
                guard let subscription = socket.subscription(markets) else { continue }
                Task { await link.subscribe(subscription) }
            }
            return []
        case .notify(let notification):
            logger.info("[\(notification.kind.rawValue)] \(notification.market.map { $0 + ": " } ?? "")\(notification.text)")
            if let notifier = setup.notifier { Task { await notifier.enqueue(notification) } }
            return []
        case .trace(let record):
            if case .decision(let decision) = record, decision.action != .skip || logger.logLevel <= .trace {
                logger.debug("decision \(decision.market) \(decision.action.rawValue) (\(decision.reason)) surge \(decision.surgeRatio) rsi \(decision.rsi ?? .nan)")
            }
            return []
        case .fetchCandles:
            let quotation = adapter.quotation
            Task { self.deliver(await quotation.execute(command, at: time)) }
            return []
        case .bookLeg:
            return []  // written by persistLedger once committed
        case .placeOrder(let request):
            logger.info("order \(request.identifier): \(request.market) \(request.side) \(request.kind) \(request.size)")
            fallthrough
        case .cancelOrder, .queryOrder, .fetchBalances, .fetchOpenOrders:
            return executor.execute(command, at: time) { events in await self.deliver(events) }
        }
    }

    func deliver(_ events: [Event]) {
        for event in events {
            if case .orderRejected(let identifier, let error, _) = event { logger.warning("order \(identifier) rejected: \(error)") }
            process(event)
            if let refusal = keyRefusal(event) { keysRefused(refusal) }
        }
    }

    /// The venue's refusal of the API keys themselves, if the event is one.
    func keyRefusal(_ event: Event) -> String? {
        switch event {
        case .orderRejected(_, let error, _), .cancelRejected(_, let error, _), .balancesFetchFailed(_, let error, _),
             .openOrdersFetchFailed(_, let error, _):
            adapter.isKeyRefusal(error) ? error : nil
        default: nil
        }
    }

    /// The exchange refused the keys: said clearly (once), entries halt (as `surge pause`: they
    /// resume with `surge resume` or a restart once the keys are fixed), the operator is notified.
    func keysRefused(_ error: String) {
        guard !keysRefusedReported else { return }
        keysRefusedReported = true
        let text = "\(adapter.profile.name) refused the API keys (\(error)): check the access and secret key, their permissions "
            + "(orders, order queries, balances) and the allowed IP addresses; entries are halted"
        logger.critical("\(text)")
        process(.entriesPaused(time: now()))
        let notification = Notification(kind: .error, market: nil, text: text, time: now())
        if let notifier = setup.notifier { Task { await notifier.enqueue(notification) } }
    }

    /// A one-paragraph account of the session.
    public func summary() -> String {
        SessionSummary.text(state: state, legs: sessionLegs, framesRejected: framesRejected)
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
