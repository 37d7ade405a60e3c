import Core

/// Carries out the reducer's commands against a venue over the network and answers with events
/// (exactly one answer per command that asks something).
public protocol OrderGateway: Sendable {
    func execute(_ command: Command, at time: Milliseconds) async -> [Event]
}

/// Where the reducer's venue commands (orders, cancels, queries, balances, open orders) go. The
/// driver hands every such command to its executor and never asks which kind it has: paper or
/// live is decided once, where the executor is chosen (`SimulatedExecutor` or a venue's gateway).
public protocol CommandExecutor: AnyObject {
    /// True when commands reach a venue outside the process: then they are carried out only
    /// after the journal holds the events that decided them (write-ahead).
    var leavesProcess: Bool { get }

    /// Carries out a venue command. Answers known at once come back as the result (a simulated
    /// exchange); answers that take a round trip are handed to `deliver` later.
    func execute(_ command: Command, at time: Milliseconds, deliver: @escaping @Sendable ([Event]) async -> Void) -> [Event]

    /// A public trade, seen before the reducer sees it: a simulated exchange fills resting limit
    /// orders it reaches (their updates follow the trade's event).
    func observe(_ trade: Trade) -> [Event]

    /// A book and its raw frame, which a simulated exchange walks for market orders.
    func observe(book: BookTop, frame: UnsafeRawBufferPointer)

    /// A perpetual's mark price: a simulated futures exchange triggers stops, liquidates and
    /// settles funding on it (their events follow the mark's).
    func observe(markPrice: Fixed, market: String, time: Milliseconds) -> [Event]
}

extension CommandExecutor {
    public func observe(markPrice: Fixed, market: String, time: Milliseconds) -> [Event] { [] }
}

/// Paper mode: orders are answered at once, in process, by the backtests' simulated exchange
/// fed by the live frames.
public final class SimulatedExecutor: CommandExecutor {
    public private(set) var exchange: SimulatedExchange

    public init(_ exchange: SimulatedExchange) { self.exchange = exchange }

    public var leavesProcess: Bool { false }

    public func execute(_ command: Command, at time: Milliseconds,
                        deliver: @escaping @Sendable ([Event]) async -> Void) -> [Event] {
        exchange.answer(command, time: time) ?? []
    }

    public func observe(_ trade: Trade) -> [Event] { exchange.receive(trade) }

    public func observe(book: BookTop, frame: UnsafeRawBufferPointer) {
        exchange.receive(bookFrame: frame, market: book.market)
    }
}

/// Paper mode on a futures venue: the backtests' simulated futures exchange, fed by the live
/// trades, books and mark prices.
public final class FuturesPaperExecutor: CommandExecutor {
    public private(set) var exchange: FuturesExchange
    /// The funding rate the venue's mark frames last announced for a symbol (nil: the default).
    let fundingRate: @Sendable (String) -> Fixed?

    public init(_ exchange: FuturesExchange, fundingRate: @escaping @Sendable (String) -> Fixed? = { _ in nil }) {
        self.exchange = exchange
        self.fundingRate = fundingRate
    }

    public var leavesProcess: Bool { false }

    public func execute(_ command: Command, at time: Milliseconds,
                        deliver: @escaping @Sendable ([Event]) async -> Void) -> [Event] {
        exchange.answer(command, time: time) ?? []
    }

    public func observe(_ trade: Trade) -> [Event] { exchange.receive(trade) }

    public func observe(book: BookTop, frame: UnsafeRawBufferPointer) { exchange.receive(book) }

    public func observe(markPrice: Fixed, market: String, time: Milliseconds) -> [Event] {
        if let rate = fundingRate(market) { exchange.fundingRates[market] = rate }  // paid at the rate announced
        return exchange.receive(markPrice: markPrice, market: market, time: time)
    }
}

/// Live mode: commands go to the venue through its gateway, off the driver's thread; the answers
/// come back through `deliver`.
public final class GatewayExecutor: CommandExecutor {
    let gateway: any OrderGateway

    public init(_ gateway: any OrderGateway) { self.gateway = gateway }

    public var leavesProcess: Bool { true }

    public func execute(_ command: Command, at time: Milliseconds,
                        deliver: @escaping @Sendable ([Event]) async -> Void) -> [Event] {
        let gateway = gateway
        Task { await deliver(await gateway.execute(command, at: time)) }
        return []
    }

    public func observe(_ trade: Trade) -> [Event] { [] }

    public func observe(book: BookTop, frame: UnsafeRawBufferPointer) {}
}
