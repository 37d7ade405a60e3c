import Core
import Shells
import Foundation
import Logging

/// The one owner of `State` when trading on a live feed (paper or live). Market frames, private
/// frames, REST answers and a 1 s timer all become events, handled one at a time on this actor:
/// reduce, then carry out the commands. Paper mode answers orders at once from a
/// `SimulatedExchange` fed by the live frames (as backtests do); live mode sends them over REST.
public actor LiveDriver {
    public enum Mode: String, Sendable { case paper, live }

    public struct Setup: Sendable {
        public var settings: Settings
        public var mode: Mode
        public var credentials: UpbitCredentials?
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
    }

    /// The state, and the write-ahead journal in live mode with a state directory.
    private var loop: TradingLoop
    public var state: State { loop.state }
    let setup: Setup
    let logger: Logger
    private var paper: SimulatedExchange?
    private let exchange: LiveGateway?
    private let quotation: LiveGateway
    private let publicLink: SocketLink
    private let privateLink: SocketLink?
    private var lastFrameAt = ContinuousClock.now
    private var stallReported = false
    public private(set) var framesRejected = 0
    /// Of those, frames dated too far from the driver's clock.
    public private(set) var framesOutOfTime = 0
    /// Called with every command, for tests and the demo.
    private var observer: (@Sendable (Command) -> Void)?
    /// `ledger.jsonl` (live) or `paper-ledger.jsonl` (paper) in the state directory.
    private var ledger: LedgerWriter?
    /// The exit legs booked since this process started.
    public private(set) var sessionLegs: [LedgerEntry] = []
    private var lastDailyReportDay: Int64?
    private var keysRefusedReported = false
    /// Market frames dated further than `risk.max_clock_skew_seconds` from the driver's clock,
    /// ahead or behind, are refused and counted.
    private var frameSkewMilliseconds: Milliseconds { Milliseconds(setup.settings.strategy.risk.maxClockSkewSeconds) * 1_000 }
    /// Start-up (market list, rules, `recovered`) has run.
    private var startedUp = false

    public init(setup: Setup, logger: Logger) {
        self.setup = setup
        self.logger = logger
        let strategy = setup.settings.strategy
        loop = TradingLoop(state: State(config: strategy, venue: UpbitVenue.profile, options: .init(identifierPrefix: setup.identifierPrefix,
                                                                         trace: logger.logLevel <= .debug,
                                                                         backfillCandles: setup.backfillCandles)))
        let restURL = setup.settings.upbit.restURL
        quotation = LiveGateway(exchange: UpbitREST(baseURL: restURL, credentials: nil),
                                quotation: UpbitREST(baseURL: restURL, credentials: nil))
        var socketLogger = logger
        socketLogger.logLevel = max(logger.logLevel, .info)  // the WebSocket library's debug lines stay out
        publicLink = SocketLink(url: setup.settings.upbit.webSocketURL, name: "public", logger: socketLogger)
        if setup.mode == .live, let credentials = setup.credentials {
            let orders = UpbitREST(baseURL: restURL, credentials: credentials)
            orders.timeoutMilliseconds = setup.restTimeoutMilliseconds
            exchange = LiveGateway(exchange: orders, quotation: UpbitREST(baseURL: restURL, credentials: nil))
            privateLink = SocketLink(url: setup.settings.upbit.webSocketURL + "/private", name: "private", logger: socketLogger) {
                [("Authorization", credentials.authorization(for: UpbitQuery()))]
            }
            paper = nil
        } else {
            exchange = nil
            privateLink = nil
            paper = SimulatedExchange(krw: strategy.capital.initialCapital, feeRate: strategy.fees.rate)
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
            group.addTask { await self.publicLink.run { await self.marketFrame($0) } }
            if let privateLink {
                await privateLink.subscribe(SocketLink.privateSubscription)
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

    /// Market list, tick sizes, the exchange's fee, then `recovered` (reconciliation).
    func startUp() async {
        if let time = setup.settings.email?.dailyReportTime.flatMap(DailyTime.init) {
            let (day, minute) = LiveDriver.kstDayAndMinute(DriverClock.wallNow())
            if minute >= time.minuteOfDay { lastDailyReportDay = day }  // today's time has passed: from tomorrow on
        }
        var listings: [MarketListing] = []
        while !Task.isCancelled {
            let answer = await quotation.markets()
            if case .success(let markets) = answer { listings = markets; break }
            logger.warning("market list unavailable (\(answer)); retrying in 5 s")
            try? await Task.sleep(for: .seconds(5))
        }
        process(.marketsListed(listings, time: now()))
        let codes = listings.map(\.market).filter(UpbitVenue.isKRWMarket)
        for chunk in stride(from: 0, to: codes.count, by: 50).map({ Array(codes[$0..<min($0 + 50, codes.count)]) }) {
            if case .success(let rules) = await quotation.instruments(markets: chunk) {
                for rule in rules { process(.marketRulesReceived(rule, time: now())) }
            }
        }
        if let exchange, let first = codes.first {
            if case .success(let rules) = await exchange.chance(market: first),
               let fee = rules.feeRate {
                logger.info("exchange fee rate \(fee)")
                for code in codes { process(.marketRulesReceived(MarketRules(market: code, feeRate: fee), time: now())) }
            }
        }
        process(.recovered(time: now()))
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
        lastFrameAt = .now
        guard UTF8Check.isValid(bytes) else { return rejectFrame("frame with invalid UTF-8 skipped") }
        let frame: MarketFrame
        do {
            frame = try bytes.withUnsafeBytes { buffer throws(FrameError) in try MarketFrameDecoder.decode(buffer, depth: .best) }
        } catch {
            rejectFrame("malformed frame skipped: \(error)")
            return
        }
        if let time = frame.time, case let skew = time - now(), abs(skew) > frameSkewMilliseconds {
            framesOutOfTime += 1
            rejectFrame("frame dated \(ISOTime.string(time)), \(skew / 1_000) s from the driver's clock")
            return
        }
        switch frame {
        case .trade(let trade):
            let fills = paper?.receive(trade) ?? []
            process(.tradeReceived(trade))
            for fill in fills { process(fill) }
        case .orderbook(let book):
            bytes.withUnsafeBytes { paper?.receive(bookFrame: $0, market: book.market) }
            process(.orderbookReceived(book.top))
        case .error(let name, let message):
            rejectFrame("public socket error \(name): \(message.prefix(200))")
        case .ticker, .status, .other:
            break
        }
    }

    /// A private frame's own time is not used: the update is dated by the driver's clock when it
    /// arrives (its timestamp cannot move the strategy's clock).
    public func privateFrame(_ bytes: [UInt8]) {
        guard UTF8Check.isValid(bytes) else { return rejectFrame("private frame with invalid UTF-8 skipped") }
        do {
            switch try PrivateFrameDecoder.decode(bytes) {
            case .order(var update):
                update.time = now()
                process(.orderUpdated(update))
            case .error(let name, let message): rejectFrame("private socket error \(name): \(message.prefix(200))")
            case .assets(let balances, _): process(.balancesPushed(balances, time: now()))
            case .status, .other: break
            }
        } catch {
            rejectFrame("malformed private frame skipped: \(error)")
        }
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
        let silence = ContinuousClock.now - lastFrameAt
        let stale = Duration.seconds(setup.settings.strategy.risk.staleFeedSeconds)
        if silence >= stale, !stallReported {
            stallReported = true
            process(.feedStalled(time: now()))
            await publicLink.reconnect()
        } else if silence < stale {
            stallReported = false
        }
    }

    // MARK: - The loop

    /// Reduces an event and everything it leads to (paper answers come back at once). Write-ahead:
    /// in live mode the events are committed to the journal before any command leaves the process.
    func process(_ first: Event) {
        let outgoing: [(Command, Milliseconds)]
        do {
            outgoing = try loop.process(first, now: now()) { command, time in
                observer?(command)
                if TradingLoop.leavesProcess(command) && paper == nil { return nil }
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

    /// The KST day whose report is due at `now`, or nil (not yet, or sent already).
    public static func dailyReportDue(now: Milliseconds, at time: DailyTime, lastDay: Int64?) -> Int64? {
        let (day, minute) = kstDayAndMinute(now)
        return minute >= time.minuteOfDay && lastDay != day ? day : nil
    }

    static let dayOffset = Milliseconds(UpbitVenue.profile.dayStartOffsetMinutes) * Time.minute

    static func kstDayAndMinute(_ time: Milliseconds) -> (day: Int64, minute: Int) {
        let day = Time.day(time, offsetMinutes: UpbitVenue.profile.dayStartOffsetMinutes)
        let minute = Int((time + LiveDriver.dayOffset - day * Time.day) / Time.minute)
        return (day, minute)
    }

    /// At `daily_report_time` (KST), the last 24 hours of the ledger go out by e-mail, off the
    /// trading loop; a failure is logged and never stops trading.
    func sendDailyReportIfDue() {
        guard let email = setup.settings.email, let time = email.dailyReportTime.flatMap(DailyTime.init),
              let directory = setup.stateDirectory else { return }
        let now = DriverClock.wallNow()
        guard let day = LiveDriver.dailyReportDue(now: now, at: time, lastDay: lastDailyReportDay) else { return }
        lastDailyReportDay = day
        let password = setup.emailPassword
        let logger = logger
        let file = ledger?.file ?? LedgerFile(directory: directory)  // paper-ledger.jsonl in paper mode
        Thread.detachNewThread {
            do {
                let rows = try file.read()
                let summary = LedgerFile.summary(rows, from: now - Time.day, to: now + 1)
                try ReportMail.send(summary, title: "surge daily report \(ISOTime.date(now + LiveDriver.dayOffset)) (KST)",
                                    settings: email, password: password)
                logger.info("daily report sent to \(email.to.joined(separator: ", "))")
            } catch {
                logger.error("daily report not sent: \(error)")
            }
        }
    }

    /// Carries out one command; returns the events known at once (paper), else answers later.
    func dispatch(_ command: Command, time: Milliseconds) -> [Event] {
        switch command {
        case .subscribe(let markets):
            logger.info("subscribing to trades and orderbooks of \(markets.count) markets")
            let link = publicLink
            Task { await link.subscribe(SocketLink.marketSubscription(markets)) }
            return []
        case .notify(let notification):
            logger.info("[\(notification.kind.rawValue)] \(notification.market.map { $0 + ": " } ?? "")\(notification.text)")
            if let notifier = setup.notifier { Task { await notifier.enqueue(notification) } }
            return []
        case .trace(let record):
            if case .decision(let decision) = record, decision.action == .buy || logger.logLevel <= .trace {
                logger.debug("decision \(decision.market) \(decision.action.rawValue) (\(decision.reason)) surge \(decision.surgeRatio) rsi \(decision.rsi ?? .nan)")
            }
            return []
        case .fetchCandles:
            send(command, through: quotation)
            return []
        case .bookLeg:
            return []  // written by persistLedger once committed
        case .placeOrder(let request):
            logger.info("order \(request.identifier): \(request.market) \(request.kind)")
            fallthrough
        case .cancelOrder, .queryOrder, .fetchBalances, .fetchOpenOrders:
            if paper != nil { return paperAnswer(command, time: time) }
            if let exchange { send(command, through: exchange) }
            return []
        }
    }

    private func paperAnswer(_ command: Command, time: Milliseconds) -> [Event] {
        switch command {
        case .placeOrder(let request): return paper!.place(request, time: time)
        case .cancelOrder(let identifier, _): return paper!.cancel(identifier, time: time)
        case .queryOrder(let identifier): return [paper!.query(identifier, time: time)]
        case .fetchBalances(let requestId): return [.balancesFetched(requestId: requestId, balances: paper!.balances, time: time)]
        case .fetchOpenOrders(let requestId):
            return [.openOrdersFetched(requestId: requestId, orders: paper!.openOrders(time: time), time: time)]
        default: return []
        }
    }

    private func send(_ command: Command, through gateway: LiveGateway) {
        Task {
            let events = await gateway.execute(command, at: now())
            self.deliver(events)
        }
    }

    func deliver(_ events: [Event]) {
        for event in events {
            if case .orderRejected(let identifier, let error, _) = event { logger.warning("order \(identifier) rejected: \(error)") }
            process(event)
            if let refusal = LiveDriver.keyRefusal(event) { keysRefused(refusal) }
        }
    }

    /// Upbit's names for a request it refused because of the API keys themselves.
    static let keyErrors: Set<String> = ["jwt_verification", "invalid_access_key", "expired_access_key",
                                         "no_authorization_ip", "out_of_scope", "no_authorization_token"]

    static func keyRefusal(_ event: Event) -> String? {
        switch event {
        case .orderRejected(_, let error, _), .cancelRejected(_, let error, _), .balancesFetchFailed(_, let error, _),
             .openOrdersFetchFailed(_, let error, _):
            keyErrors.contains(error) ? error : nil
        default: nil
        }
    }

    /// The exchange refused the keys: said clearly (once), entries halt (as `surge pause`: they
    /// resume with `surge resume` or a restart once the keys are fixed), the operator is notified.
    func keysRefused(_ error: String) {
        guard !keysRefusedReported else { return }
        keysRefusedReported = true
        let text = "Upbit refused the API keys (\(error)): check the access and secret key, their permissions "
            + "(orders, order queries, balances) and the allowed IP addresses; entries are halted"
        logger.critical("\(text)")
        process(.entriesPaused(time: now()))
        let notification = Notification(kind: .error, market: nil, text: text, time: now())
        if let notifier = setup.notifier { Task { await notifier.enqueue(notification) } }
    }

    /// A one-paragraph account of the session.
    public func summary() -> String {
        let ledger = sessionLegs
        let net = ledger.reduce(Fixed.zero) { $0 + $1.netPnL }
        return """
            positions open: \(state.positions.map { "\($0.market) \($0.quantity)" }.joined(separator: ", ").ifEmpty("none"))
            exit legs: \(ledger.count), net P&L \(net.rounded(places: 0)) KRW, equity \(state.equity.rounded(places: 0)) KRW
            frames rejected: \(framesRejected), late trades \(state.statistics.lateTrades), duplicate trades \(state.statistics.duplicateTrades)
            """
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
