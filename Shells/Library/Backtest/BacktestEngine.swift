import Core

/// Recorded public frames through the very same reducer, with the venue's simulated exchange
/// answering its orders at once (`BacktestVenue`). Time comes from the frames. Feed lines in
/// order, then `finish()`.
public struct BacktestEngine {
    public private(set) var state: State
    public private(set) var venue: any BacktestVenue
    public private(set) var framesRead = 0
    public private(set) var framesRejected = 0
    /// The first few rejected lines, for the operator: "line 12: missing field trade_price".
    public private(set) var rejections: [String] = []
    public private(set) var equityCurve: [EquityPoint] = []
    /// Every exit leg booked (`bookLeg` commands), in order.
    public private(set) var ledger: [LedgerEntry] = []
    public private(set) var firstFrameTime: Milliseconds?
    public private(set) var lastFrameTime: Milliseconds?
    /// Receives candle and decision records when tracing.
    private let traceSink: ((TraceRecord) -> Void)?
    private var lineNumber = 0
    private var lastMinute: Int64?

    public static let keptRejections = 10

    /// Upbit's KRW market unless another venue is given.
    public init(config: Config, venue: (any BacktestVenue)? = nil, traceSink: ((TraceRecord) -> Void)? = nil) {
        let venue = venue ?? UpbitBacktestVenue(config: config)
        self.venue = venue
        state = State(config: config, venue: venue.profile,
                      options: .init(identifierPrefix: "bt", trace: traceSink != nil, backfillCandles: 0))
        self.traceSink = traceSink
    }

    /// One line of a recording: one raw frame of the venue. Blank lines are skipped; anything that does
    /// not decode is counted and never stops the run.
    public mutating func feed(line: UnsafeRawBufferPointer) {
        lineNumber += 1
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        framesRead += 1
        do {
            guard let (time, events) = try venue.receive(line: line) else { return }
            advanceClock(time)
            guard let first = events.first else { return }
            run(first)
            for event in events.dropFirst() { run(event) }
        } catch {
            reject("line \(lineNumber): \(error)")
        }
    }

    public mutating func feed(line: String) {
        var copy = line
        copy.withUTF8 { feed(line: UnsafeRawBufferPointer($0)) }
    }

    /// Ends the data: open positions are closed at the last price (`end_of_data`).
    public mutating func finish() -> BacktestSummary {
        if let last = lastFrameTime { run(.dataEnded(time: last)) }
        equityCurve.append(EquityPoint(time: lastFrameTime ?? 0, equity: state.equity))
        var summary = BacktestSummary(ledger: ledger, equityCurve: equityCurve,
                               initialEquity: state.config.capital.initialCapital, finalEquity: state.equity,
                               framesRead: framesRead, framesRejected: framesRejected,
                               firstFrameTime: firstFrameTime, lastFrameTime: lastFrameTime)
        summary.quoteAsset = state.venue.quoteAsset
        summary.directions = state.venue.isMargin
        return summary
    }

    private mutating func reject(_ reason: String) {
        framesRejected += 1
        if rejections.count < BacktestEngine.keptRejections { rejections.append(reason) }
    }

    /// Samples equity once per minute of frame time, before the minute's first frame.
    private mutating func advanceClock(_ time: Milliseconds) {
        if firstFrameTime == nil { firstFrameTime = time }
        lastFrameTime = Swift.max(lastFrameTime ?? time, time)
        let minute = Time.minute(of: time)
        if lastMinute == nil || minute > lastMinute! {
            equityCurve.append(EquityPoint(time: minute * Time.minute, equity: state.equity))
            lastMinute = minute
        }
    }

    /// Feeds an event and every answer the simulated exchange gives to the commands it causes.
    private mutating func run(_ first: Event) {
        var queue = [first]
        var index = 0
        while index < queue.count {
            let event = queue[index]
            index += 1
            for command in reduce(&state, event) {
                queue += execute(command, time: event.time)
            }
        }
    }

    private mutating func execute(_ command: Command, time: Milliseconds) -> [Event] {
        if let answer = venue.answer(command, time: time) { return answer }
        switch command {
        case .placeOrder, .cancelOrder, .queryOrder, .fetchBalances, .fetchOpenOrders: return []  // answered above
        case .fetchCandles(let requestId, let market, _): return [.candlesFetchFailed(requestId: requestId, market: market, time: time)]
        case .trace(let record):
            traceSink?(record)
            return []
        case .bookLeg(let leg, _):
            ledger.append(leg)
            return []
        case .subscribe, .notify:
            return []
        }
    }
}

/// Equity at a moment (minute starts during the run, and the end).
public struct EquityPoint: Equatable, Sendable {
    public var time: Milliseconds
    public var equity: Fixed

    public init(time: Milliseconds, equity: Fixed) {
        self.time = time
        self.equity = equity
    }
}
