import Core

/// A venue as a backtest replays it: its recorded frames become events, and a simulated venue
/// in the process answers the reducer's commands. One per venue (`UpbitBacktestVenue`, …).
public protocol BacktestVenue {
    /// What the core is told of the venue.
    var profile: VenueProfile { get }
    /// One recorded line: its time and the events it leads to, in order (the market event first,
    /// then what the simulated venue did because of it: fills, triggered stops, funding). Throws
    /// for a line that does not decode; nil for a frame the strategy does not use.
    mutating func receive(line: UnsafeRawBufferPointer) throws -> (time: Milliseconds, events: [Event])?
    /// The simulated venue's answer to a command (nil: not a venue command).
    mutating func answer(_ command: Command, time: Milliseconds) -> [Event]?
}

/// Upbit's public frames (DEFAULT or SIMPLE) against the in-process `SimulatedExchange`.
public struct UpbitBacktestVenue: BacktestVenue {
    public private(set) var exchange: SimulatedExchange

    public init(config: Config) {
        exchange = SimulatedExchange(krw: config.capital.initialCapital, feeRate: config.fees.rate)
    }

    public var profile: VenueProfile { UpbitVenue.profile }

    public mutating func receive(line: UnsafeRawBufferPointer) throws -> (time: Milliseconds, events: [Event])? {
        switch try MarketFrameDecoder.decode(line, depth: .best) {
        case .trade(let trade):
            let fills = exchange.receive(trade)
            return (trade.time, [.tradeReceived(trade)] + fills)
        case .orderbook(let book):
            exchange.receive(bookFrame: line, market: book.market)
            return (book.time, [.orderbookReceived(book.top)])
        case .ticker, .status, .other:
            return nil
        case .error(let name, let message):
            throw BacktestLineError(description: "error frame \(name): \(message)")
        }
    }

    public mutating func answer(_ command: Command, time: Milliseconds) -> [Event]? { exchange.answer(command, time: time) }
}

/// A recorded line the backtest refuses (counted, never fatal).
public struct BacktestLineError: Error, CustomStringConvertible {
    public var description: String
}
