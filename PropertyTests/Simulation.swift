import Core
import Shells
import Foundation

/// One generated run from one seed: random markets (prices on the tick grid, surges, gaps, late
/// and duplicate trades, deep and thin books), a random strategy config, and the simulated
/// exchange of the backtests, whose answers are delayed, duplicated, reordered, lost or stale. Everything fed to `reduce` is logged, so a run
/// can be replayed and compared.
struct Simulation {
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

    let seed: UInt64
    var random: SplitMix64
    var state: State
    var exchange: SimulatedExchange
    var clock: Milliseconds
    var markets: [SimulatedMarket]
    var faults = true
    var pending: [Pending] = []
    var nextSequence = 0
    var deliveredExchangeEvents: [Event] = []
    /// Everything fed to the reducer, and what it answered, step by step.
    var events: [Event] = []
    var outputs: [[Command]] = []
    var failures: [String] = []
    var placedIdentifiers = Set<String>()
    var dustMarkets = Set<String>()
    /// The state after `snapshotStep` events, encoded as a snapshot would be.
    var snapshotStep: Int
    var snapshot: Data?

    init(seed: UInt64, steps: Int) {
        self.seed = seed
        random = SplitMix64(seed: seed)
        let config = Simulation.randomConfig(&random)
        let options = State.Options(identifierPrefix: "s\(seed)", trace: random.chance(20),
                                    backfillCandles: random.chance(30) ? 5 : 0)
        state = State(config: config, options: options)
        exchange = SimulatedExchange(krw: config.capital.initialKRW, feeRate: config.fees.rate)
        // Some runs start shortly before 00:00 KST (15:00 UTC) so the day rolls over.
        clock = 1_767_225_600_000 + (random.chance(30) ? 6 * 3_600_000 - Milliseconds(random.int(0...600_000)) : 0)
        let levels: [Fixed] = [123, 4_990, 9_995, 99_950, 500_000, 1_995_000, Fixed("12.3")!, Fixed("0.0456")!]
        let codes = ["KRW-AAA", "KRW-BBB", "KRW-CCC", "KRW-DDD"]
        var generated: [SimulatedMarket] = []
        for index in 0..<random.int(1...4) { generated.append(SimulatedMarket(code: codes[index], price: random.pick(levels))) }
        markets = generated
        snapshotStep = random.int(1...steps)
    }

    static func randomConfig(_ random: inout SplitMix64) -> Config {
        var config = Config()
        config.capital.initialKRW = Fixed(random.pick([12_000, 100_000, 1_000_000, 50_000_000]))
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

    // MARK: - Driving

    mutating func run(steps: Int) {
        for _ in 0..<steps { step() }
        converge()
    }

    mutating func step() {
        if !pending.isEmpty, random.chance(45), deliverPending() { return }
        clock += Milliseconds(random.int(20...2_500))
        if random.chance(1) { clock += Milliseconds(random.int(1...8)) * 60_000 }
        let roll = random.int(0...99)
        switch roll {
        case 0..<65: trade(in: random.int(0...markets.count - 1))
        case 65..<85: book(in: random.int(0...markets.count - 1))
        case 85..<93: feed(.timerFired(time: clock))
        case 93: feed(.feedStalled(time: clock))
        case 94: feed(.recovered(time: clock))
        case 95: feed(.closeRequested(market: random.pick(markets).code, time: clock))
        case 96..<98 where !deliveredExchangeEvents.isEmpty:
            feed(random.pick(deliveredExchangeEvents))  // a stale frame from the past
        default: feed(.timerFired(time: clock))
        }
    }

    mutating func trade(in index: Int) {
        var market = markets[index]
        let tick = TickGrid.krwTick(for: market.price)
        let moved = market.price + tick * Fixed(random.int(-3...3))
        if moved.isPositive { market.price = TickGrid.roundDown(moved) }
        var value = Fixed(random.int(2_000...60_000))
        if random.chance(6) { value = value * Fixed(random.int(10...40)) }
        let volume = Fixed.max((value / market.price).floored(places: 8), Fixed.unit(places: 8))
        var time = clock
        if random.chance(2) { time -= 70_000 }  // late: its minute has closed
        let trade = Trade(market: market.code, price: market.price, volume: volume, side: random.chance(50) ? .bid : .ask,
                          time: time, sequentialId: market.nextSequentialId)
        market.nextSequentialId += 1
        markets[index] = market
        let fills = exchange.receive(trade)
        feed(.tradeReceived(trade))
        if random.chance(3) { feed(.tradeReceived(trade)) }  // duplicate frame
        for fill in fills { schedule(fill) }
    }

    /// A book around the last price: usually five deep levels, sometimes one thin level (so
    /// market orders fill only in part), more bids than asks 70 % of the time.
    mutating func book(in index: Int) {
        let market = markets[index]
        let tick = TickGrid.krwTick(for: market.price)
        let bidDominant = random.chance(70)
        let thin = random.chance(10)
        var levels: [Orderbook.Level] = []
        var totalBid: Fixed = 0
        var totalAsk: Fixed = 0
        for depth in 0..<(thin ? 1 : 5) {
            // integer multiples of the size unit: no decimal division per level
            let units = Int128(thin ? random.int(1...2) : random.int(5...500))
            let bidPrice = market.price - tick * Fixed(depth + 1)
            let askPrice = market.price + tick * Fixed(depth + 1)
            let bidSize = bidPrice.isPositive ? Fixed(raw: market.sizeUnit.raw * units * (bidDominant ? 2 : 1)) : 0
            let askSize = Fixed(raw: market.sizeUnit.raw * units * (bidDominant ? 1 : 2))
            levels.append(Orderbook.Level(askPrice: askPrice, askSize: askSize, bidPrice: bidPrice.isPositive ? bidPrice : 0,
                                          bidSize: bidSize))
            totalBid += bidSize
            totalAsk += askSize
        }
        let book = Orderbook(market: market.code, time: clock, totalAskSize: totalAsk, totalBidSize: totalBid, levels: levels)
        exchange.receive(book)
        feed(.orderbookReceived(book.top))
    }

    mutating func feed(_ event: Event) {
        let commands = reduce(&state, event)
        events.append(event)
        outputs.append(commands)
        if events.count == snapshotStep { snapshot = try? JSONEncoder().encode(state) }
        let broken = state.checkInvariants()
        if !broken.isEmpty { failures.append("step \(events.count) after \(event): \(broken)") }
        if isExchangeEvent(event) {
            deliveredExchangeEvents.append(event)
            if random.chance(10) { checkDuplicateChangesNothing(event) }
        }
        for command in commands { handle(command) }
    }

    /// A duplicated exchange event must leave the state as it is (counters of ignored events aside).
    mutating func checkDuplicateChangesNothing(_ event: Event) {
        var copy = state
        _ = reduce(&copy, event)
        copy.statistics = state.statistics
        if copy != state { failures.append("duplicate \(event) changed the state") }
    }

    func isExchangeEvent(_ event: Event) -> Bool {
        switch event {
        case .orderAccepted, .orderRejected, .orderOutcomeUnknown, .orderUpdated, .orderNotFound, .orderQueryFailed,
             .cancelAccepted, .cancelRejected, .cancelOutcomeUnknown, .balancesFetched, .balancesFetchFailed,
             .openOrdersFetched, .openOrdersFetchFailed:
            true
        case .marketsListed, .marketRulesReceived, .tradeReceived, .orderbookReceived, .candlesFetched,
             .candlesFetchFailed, .timerFired, .feedStalled, .recovered, .closeRequested, .dataEnded:
            false
        }
    }

    // MARK: - The exchange's side

    mutating func handle(_ command: Command) {
        switch command {
        case .placeOrder(let request): place(request)
        case .cancelOrder(let identifier, _): cancel(identifier)
        case .queryOrder(let identifier): query(identifier)
        case .fetchBalances(let requestId):
            if faults && random.chance(10) {
                schedule(.balancesFetchFailed(requestId: requestId, error: "timeout", time: 0))
            } else {
                schedule(.balancesFetched(requestId: requestId, balances: exchange.balances, time: 0))
            }
        case .fetchCandles(let requestId, let market, let count):
            fetchCandles(requestId: requestId, market: market, count: count)
        case .fetchOpenOrders(let requestId):
            if faults && random.chance(10) {
                schedule(.openOrdersFetchFailed(requestId: requestId, error: "timeout", time: 0))
            } else {
                schedule(.openOrdersFetched(requestId: requestId, orders: exchange.openOrders(time: clock), time: 0))
            }
        case .notify(let notification):
            if notification.text.hasPrefix("left "), let market = notification.market { dustMarkets.insert(market) }
        case .subscribe, .trace:
            break
        }
    }

    /// Rejections that mean the bot asked for something it must never ask for.
    static let forbiddenRejections: Set<String> = [
        "duplicated_identifier", "under_min_total_bid", "invalid_price_bid", "invalid_price_ask",
        "insufficient_funds_bid", "insufficient_funds_ask", "invalid_parameter",
    ]

    mutating func place(_ request: OrderRequest) {
        if !placedIdentifiers.insert(request.identifier).inserted {
            failures.append("identifier \(request.identifier) placed twice")
        }
        let roll = faults ? random.int(0...99) : 99
        if roll < 5 {
            return schedule(.orderRejected(identifier: request.identifier, error: "market_offline", time: 0))
        }
        if roll < 10 {
            // Sent, never arrived: the exchange never sees it and the answer is lost.
            return schedule(.orderOutcomeUnknown(identifier: request.identifier, time: 0))
        }
        for event in exchange.place(request, time: clock) {
            switch event {
            case .orderRejected(_, let error, _) where Simulation.forbiddenRejections.contains(error):
                failures.append("the exchange refused \(request): \(error)")
                schedule(event)
            case .orderAccepted where roll < 20:
                schedule(.orderOutcomeUnknown(identifier: request.identifier, time: 0))  // the answer was lost
            default:
                schedule(event)
            }
        }
    }

    mutating func cancel(_ identifier: String) {
        if faults && random.chance(5) {
            if random.chance(50) {
                // The cancel happened but its answer was lost: only the order's final state arrives.
                for case .orderUpdated(let update) in exchange.cancel(identifier, time: clock) {
                    schedule(.orderUpdated(update))
                }
            }
            return schedule(.cancelOutcomeUnknown(identifier: identifier, time: 0))
        }
        for event in exchange.cancel(identifier, time: clock) { schedule(event) }
    }

    mutating func query(_ identifier: String) {
        if faults && random.chance(10) { return schedule(.orderQueryFailed(identifier: identifier, time: 0)) }
        schedule(exchange.query(identifier, time: clock))
    }

    mutating func fetchCandles(requestId: Int, market: String, count: Int) {
        guard !(faults && random.chance(30)), let price = markets.first(where: { $0.code == market })?.price else {
            return schedule(.candlesFetchFailed(requestId: requestId, market: market, time: 0))
        }
        let minute = Time.minute(of: clock)
        let candles = (1...count).map { back in
            Candle(minute: minute - Int64(back) - Int64(random.int(0...1)), open: price.doubleValue,
                   high: price.doubleValue, low: price.doubleValue, close: price.doubleValue,
                   volume: Double(random.int(0...3)))
        }
        schedule(.candlesFetched(requestId: requestId, market: market, candles: candles, time: 0))
    }

    /// Queues an answer for delivery after a random delay (none without faults); its time is the
    /// delivery time, as the exchange would stamp it.
    mutating func schedule(_ event: Event) {
        let due = clock + (faults ? Milliseconds(random.int(0...3_000)) : 0)
        pending.append(Pending(due: due, sequence: nextSequence, event: event.stamped(due)))
        nextSequence += 1
    }

    /// Delivers one due answer: usually the oldest, sometimes another (reordering), sometimes
    /// twice (duplicate).
    mutating func deliverPending() -> Bool {
        let due = pending.indices.filter { pending[$0].due <= clock }
        guard !due.isEmpty else { return false }
        let index = faults && random.chance(30)
            ? random.pick(due)
            : due.min { (pending[$0].due, pending[$0].sequence) < (pending[$1].due, pending[$1].sequence) }!
        let next = pending.remove(at: index)
        if faults && random.chance(8) {
            pending.append(Pending(due: clock + Milliseconds(random.int(0...2_000)), sequence: nextSequence, event: next.event))
            nextSequence += 1
        }
        feed(next.event)
        return true
    }

    /// Fault-free phase: every answer delivered, the clock runs on with quiet markets, until
    /// nothing is pending. Afterwards the books must agree with the exchange.
    mutating func converge() {
        faults = false
        for _ in 0..<40 {
            clock += 2_000
            deliverAllDue()
            for index in markets.indices where random.chance(50) { book(in: index) }
            feed(.timerFired(time: clock))
        }
        var rounds = 0
        while !pending.isEmpty && rounds < 50 {
            clock += 1_000
            deliverAllDue()
            feed(.timerFired(time: clock))
            rounds += 1
        }
    }

    mutating func deliverAllDue() {
        while deliverPending() {}
    }

    /// The books and the exchange agree once everything is delivered.
    func convergenceFailures() -> [String] {
        var problems: [String] = []
        if !pending.isEmpty { problems.append("\(pending.count) answers still pending") }
        for order in state.orders.values where order.phase != .open {
            problems.append("order \(order.identifier) still \(order.phase) after the quiet phase")
        }
        for (identifier, order) in exchange.orders where !order.state.isFinal && state.orders[identifier] == nil {
            problems.append("exchange order \(identifier) unknown to the bot")
        }
        let reserved = state.orders.values.reduce(Fixed.zero) { $0 + $1.reservedKRW }
        if state.cashKRW != exchange.krw { problems.append("cash \(state.cashKRW) != exchange KRW \(exchange.krw)") }
        if reserved != exchange.lockedKRW { problems.append("reserved \(reserved) != exchange locked \(exchange.lockedKRW)") }
        for market in markets.map(\.code) {
            let held = exchange.coins[market, default: 0] + exchange.lockedCoins[market, default: 0]
            let books = state.positions.filter { $0.market == market }.reduce(Fixed.zero) { $0 + $1.volume }
            if dustMarkets.contains(market) ? held < books : held != books {
                problems.append("\(market): bot holds \(books), exchange \(held)")
            }
        }
        return problems
    }
}

extension Simulation {
    /// Every event and the commands it produced, for debugging one seed (`SURGE_TRACE=1`).
    func printTrace() {
        for (event, commands) in zip(events, outputs) {
            if case .tradeReceived = event, commands.isEmpty { continue }
            if case .orderbookReceived = event, commands.isEmpty { continue }
            print("EVENT \(event)")
            for command in commands { print("   -> \(command)") }
        }
    }
}

extension Event {
    /// The same event with its time set (answers are stamped when they are delivered).
    func stamped(_ time: Milliseconds) -> Event {
        switch self {
        case .orderAccepted(let identifier, let uuid, _): .orderAccepted(identifier: identifier, uuid: uuid, time: time)
        case .orderRejected(let identifier, let error, _): .orderRejected(identifier: identifier, error: error, time: time)
        case .orderOutcomeUnknown(let identifier, _): .orderOutcomeUnknown(identifier: identifier, time: time)
        case .orderNotFound(let identifier, _): .orderNotFound(identifier: identifier, time: time)
        case .orderQueryFailed(let identifier, _): .orderQueryFailed(identifier: identifier, time: time)
        case .cancelAccepted(let identifier, _): .cancelAccepted(identifier: identifier, time: time)
        case .cancelRejected(let identifier, let error, _): .cancelRejected(identifier: identifier, error: error, time: time)
        case .cancelOutcomeUnknown(let identifier, _): .cancelOutcomeUnknown(identifier: identifier, time: time)
        case .balancesFetched(let requestId, let balances, _): .balancesFetched(requestId: requestId, balances: balances, time: time)
        case .balancesFetchFailed(let requestId, let error, _): .balancesFetchFailed(requestId: requestId, error: error, time: time)
        case .candlesFetched(let requestId, let market, let candles, _):
            .candlesFetched(requestId: requestId, market: market, candles: candles, time: time)
        case .candlesFetchFailed(let requestId, let market, _): .candlesFetchFailed(requestId: requestId, market: market, time: time)
        case .openOrdersFetched(let requestId, let orders, _): .openOrdersFetched(requestId: requestId, orders: orders, time: time)
        case .openOrdersFetchFailed(let requestId, let error, _):
            .openOrdersFetchFailed(requestId: requestId, error: error, time: time)
        case .orderUpdated(var update):
            { update.time = time; return .orderUpdated(update) }()
        case .marketsListed, .marketRulesReceived, .tradeReceived, .orderbookReceived, .timerFired, .feedStalled,
             .recovered, .closeRequested, .dataEnded:
            self
        }
    }
}
