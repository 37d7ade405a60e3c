import Core
import Foundation
import Shells
import Testing
import TestSupport

/// A generated market for direct reducer properties: one perpetual (`BTCUSDT` on the test venue)
/// whose price walks on a 10-tick grid around 50,000 with bursts of volume. Each second brings a
/// timer (entries are decided on it, against the book of the second before), maybe a trade, and
/// a book whose best bid and ask are that trade's price (so a market order's reference price and
/// its fill price agree). `reflected(around:)` is the same market upside down.
struct GeneratedTape {
    var events: [Event]

    init(seed: UInt64, seconds: Int = 2_700) {
        var random = SplitMix64(seed: seed)
        var btc = Market("BTCUSDT")
        var steps = 0  // price = 50,000 + steps × 1
        var surgeUntil = -1
        events = []
        for second in 0..<seconds {
            let time = t0 + Milliseconds(second) * 1_000
            events.append(.timerFired(time: time))
            if second >= 1_800, random.chance(2) { surgeUntil = second + random.int(20...90) }
            let surging = second < surgeUntil
            guard surging || random.chance(35) else { continue }
            steps += random.int(-3...3) * (surging ? 2 : 1)
            let price = Fixed(50_000 + steps)
            let volume = Fixed(random.int(1...(surging ? 400 : 20))) * Fixed("0.001")!
            events.append(btc.trade(price, "\(volume)", at: time + 100, side: random.chance(50) ? .buy : .sell))
            let bids = Double(random.int(1...100)), asks = Double(random.int(1...100))
            events.append(btc.book(bid: bids, ask: asks, at: time + 200, bestBid: price, bestAsk: price))
        }
    }

    /// Prices reflected around `pivot` (p → 2 × pivot − p), the book's sides swapped, and each
    /// trade's aggressor side too.
    func reflected(around pivot: Fixed) -> GeneratedTape {
        var copy = self
        copy.events = events.map { event in
            switch event {
            case .tradeReceived(var trade):
                trade.price = pivot + pivot - trade.price
                trade.side = trade.side == .buy ? .sell : .buy
                return .tradeReceived(trade)
            case .orderbookReceived(let book):
                return .orderbookReceived(BookTop(
                    market: book.market, time: book.time, totalBidSize: book.totalAskSize, totalAskSize: book.totalBidSize,
                    bestBidPrice: book.bestAskPrice.map { pivot + pivot - $0 }, bestAskPrice: book.bestBidPrice.map { pivot + pivot - $0 }))
            default:
                return event
            }
        }
        return copy
    }
}

/// The reducer with an exchange that accepts every order and fills market orders at once at the
/// last trade price (fee at the config's rate), recording every fill per order identifier.
struct ReducerRun {
    var state: State
    var steps: [(event: Event, commands: [Command])] = []
    var filled: [String: Fixed] = [:]
    var legs: [LedgerEntry] = []
    var lastPrice: Fixed?

    init(_ state: State) { self.state = state }

    mutating func feed(_ event: Event) {
        if case .tradeReceived(let trade) = event { lastPrice = trade.price }
        let (next, commands) = reduced(state, event)
        state = next
        steps.append((event, commands))
        legs += TestSupport.legs(commands)
        for command in commands {
            guard case .placeOrder(let request) = command, request.kind == .market, let price = lastPrice else { continue }
            let quantity: Fixed
            switch request.size {
            case .quantity(let asked): quantity = asked
            case .quote(let amount): quantity = state.instrument(for: request.market).flooredQuantity(amount / price)
            }
            let quote = quantity * price
            let fee = quote * state.config.fees.rate
            filled[request.identifier, default: 0] += quantity
            feed(.orderAccepted(identifier: request.identifier, uuid: "u-" + request.identifier, time: event.time))
            feed(.orderUpdated(OrderUpdate(identifier: request.identifier, uuid: nil, market: request.market, state: .filled,
                                           executedQuantity: quantity, executedQuote: quote, paidFee: fee, time: event.time)))
        }
    }
}

@Suite struct ReducerRunProperties {
    static let seeds: [UInt64] = Array(1...60)

    static func config(_ seed: UInt64, _ direction: Config.EntryDirection, fee: Fixed) -> Config {
        var random = SplitMix64(seed: seed ^ 0xC0FFEE)
        var config = Config()
        config.capital.initialCapital = 10_000
        config.capital.maxPositions = 1
        config.entry.direction = direction
        config.entry.averageWindowMinutes = 10
        config.exit.takeProfit = random.pick([Fixed("0.0005")!, Fixed("0.001")!, Fixed("0.002")!])
        config.exit.stopLoss = random.pick([Fixed("-0.0005")!, Fixed("-0.001")!, Fixed("-0.003")!])
        config.exit.partialFraction = random.pick([0, Fixed("0.5")!])
        config.exit.maxHoldMinutes = random.pick([0, 2, 10])
        config.risk.cooldownMinutes = random.pick([0, 1])
        config.fees.rate = fee
        return config
    }

    static func run(_ tape: GeneratedTape, _ config: Config) -> ReducerRun {
        var run = ReducerRun(State(config: config, venue: TestVenue.profile(), options: .init(identifierPrefix: "p")))
        for event in tape.events { run.feed(event) }
        return run
    }

    /// A long run and the same market reflected around the first entry price with
    /// `direction = "short"` give mirrored first positions: the same exits at the same times for
    /// the same quantities, at reflected prices, with the same P&L (fees zero; the trailing stop
    /// is left out: a percentage of a reflected extreme is not the reflection of the percentage).
    @Test func aReflectedMarketGivesAMirroredShort() {
        var compared = 0
        var reasons = Set<ExitReason>()
        for seed in ReducerRunProperties.seeds {
            let tape = GeneratedTape(seed: seed)
            let long = ReducerRunProperties.run(tape, ReducerRunProperties.config(seed, .long, fee: 0))
            let longLegs = long.legs.filter { $0.positionId == 1 }
            guard let pivot = longLegs.first?.entryPrice else { continue }
            let short = ReducerRunProperties.run(tape.reflected(around: pivot), ReducerRunProperties.config(seed, .short, fee: 0))
            let shortLegs = short.legs.filter { $0.positionId == 1 }
            compared += 1
            reasons.formUnion(longLegs.map(\.reason))
            #expect(shortLegs.map(\.direction).allSatisfy { $0 == .short }, "seed \(seed)")
            #expect(shortLegs.map(\.reason) == longLegs.map(\.reason), "seed \(seed)")
            #expect(shortLegs.map(\.exitTime) == longLegs.map(\.exitTime), "seed \(seed)")
            #expect(shortLegs.map(\.quantity) == longLegs.map(\.quantity), "seed \(seed)")
            #expect(shortLegs.map(\.entryPrice) == longLegs.map(\.entryPrice), "seed \(seed)")
            #expect(shortLegs.map(\.exitPrice) == longLegs.map { pivot + pivot - $0.exitPrice }, "seed \(seed)")
            #expect(shortLegs.map(\.netPnL) == longLegs.map(\.netPnL), "seed \(seed)")
        }
        #expect(compared >= 30)
        #expect(reasons.isSuperset(of: [.takeProfit, .stopLoss, .partialTakeProfit, .timeStop]), "\(reasons)")
    }

    /// Snapshot (encoded and decoded) at step k, then the rest replayed, equals the full run:
    /// the same final state and the same commands after k.
    @Test func aSnapshotPlusTheRestReplayedEqualsTheFullRun() throws {
        for seed in ReducerRunProperties.seeds.prefix(20) {
            let direction: Config.EntryDirection = seed % 2 == 0 ? .both : .short
            let full = ReducerRunProperties.run(GeneratedTape(seed: seed), ReducerRunProperties.config(seed, direction, fee: Fixed("0.0004")!))
            var random = SplitMix64(seed: seed)
            let k = random.int(1...(full.steps.count - 1))
            var state = State(config: ReducerRunProperties.config(seed, direction, fee: Fixed("0.0004")!), venue: TestVenue.profile(),
                              options: .init(identifierPrefix: "p"))
            for step in full.steps.prefix(k) { state = reduced(state, step.event).0 }
            state = try JSONDecoder().decode(State.self, from: JSONEncoder().encode(state))
            for (index, step) in full.steps.enumerated().dropFirst(k) {
                let (next, commands) = reduced(state, step.event)
                #expect(commands == step.commands, "seed \(seed), step \(index)")
                state = next
            }
            #expect(state == full.state, "seed \(seed), snapshot at \(k)")
        }
    }

    /// At every step, each position's entered and exited quantities are the sums of the fills of
    /// its entry and exit orders.
    @Test func aPositionsQuantityIsTheSumOfItsFills() {
        var positionsSeen = 0
        for seed in ReducerRunProperties.seeds.prefix(30) {
            var run = ReducerRun(State(config: ReducerRunProperties.config(seed, .both, fee: Fixed("0.0004")!),
                                       venue: TestVenue.profile(leverage: 3), options: .init(identifierPrefix: "p")))
            for event in GeneratedTape(seed: seed).events {
                run.feed(event)
                for position in run.state.positions {
                    positionsSeen += 1
                    let prefix = "p-\(position.id)-"
                    func sum(_ legs: Set<Character>) -> Fixed {
                        run.filled.filter { $0.key.hasPrefix(prefix) && legs.contains($0.key.dropFirst(prefix.count).first!) }
                            .reduce(Fixed.zero) { $0 + $1.value }
                    }
                    #expect(position.enteredQuantity == sum(["b", "f"]), "seed \(seed)")
                    #expect(position.exitedQuantity == sum(["s", "t"]), "seed \(seed)")
                    #expect(position.quantity == position.enteredQuantity - position.exitedQuantity - position.writtenOffQuantity)
                }
                #expect(run.state.checkInvariants() == [], "seed \(seed)")
            }
        }
        #expect(positionsSeen > 1_000)
    }
}

/// The reducer trading the simulated futures venue (leverage 3, safety stops on, marks at the
/// trade prices), as paper mode and backtests run it.
struct FuturesRun {
    var state: State
    var exchange: FuturesExchange
    var refusals: [String] = []
    var legs: [LedgerEntry] = []

    mutating func feed(_ event: Event) {
        var queue: [Event] = []
        switch event {
        case .tradeReceived(let trade):
            let fills = exchange.receive(trade)
            queue = [event, .markPriceReceived(market: trade.market, price: trade.price, time: trade.time)] + fills
            queue += exchange.receive(markPrice: trade.price, market: trade.market, time: trade.time)
        case .orderbookReceived(let book):
            exchange.receive(book)
            queue = [event]
        default:
            queue = [event]
        }
        var index = 0
        while index < queue.count {
            let next = queue[index]
            index += 1
            let (reduced, commands) = Core.reduced(state, next)
            state = reduced
            legs += TestSupport.legs(commands)
            for command in commands {
                let answers = exchange.answer(command, time: next.time) ?? []
                for case .orderRejected(_, let error, _) in answers { refusals.append(error) }
                queue += answers
            }
        }
    }
}

extension ReducerRunProperties {
    /// Cash, positions and the ledger of the reducer agree with the simulated futures venue after
    /// every run (no order but safety stops left working), the venue never refuses an order, and
    /// the runs reach entries of both directions and exits through the safety stop's life cycle.
    @Test func theReducerAndTheSimulatedFuturesVenueAgree() {
        var directions = Set<Direction>()
        var compared = 0
        for seed in ReducerRunProperties.seeds.prefix(40) {
            var config = ReducerRunProperties.config(seed, .both, fee: Fixed("0.0005")!)
            config.capital.maxPositions = 2
            let venue = TestVenue.profile(leverage: 3, safetyStopBuffer: Fixed("0.002")!)
            var run = FuturesRun(state: State(config: config, venue: venue, options: .init(identifierPrefix: "f")),
                                 exchange: FuturesExchange(cash: 10_000, leverage: 3, takerFee: Fixed("0.0005")!))
            for event in GeneratedTape(seed: seed).events {
                run.feed(event)
                #expect(run.state.checkInvariants() == [], "seed \(seed)")
            }
            #expect(run.refusals == [], "seed \(seed)")
            directions.formUnion(run.legs.map(\.direction))
            guard run.state.orders.values.allSatisfy({ $0.purpose == .safetyStop }) else { continue }
            compared += 1
            #expect(run.state.cash == run.exchange.available, "seed \(seed)")
            for position in run.state.positions {
                #expect(position.direction.sign * position.quantity == run.exchange.positions[position.market]?.quantity,
                        "seed \(seed)")
            }
            let held = run.exchange.positions.values.filter { !$0.quantity.isZero }.count
            #expect(held == run.state.positions.count, "seed \(seed)")
        }
        #expect(compared >= 30)
        #expect(directions == [.long, .short])
    }
}
