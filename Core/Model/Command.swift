/// What the reducer asks the shells to do, in the imperative.
///
/// Every command that asks the world something is answered by exactly one event carrying its
/// correlation id: the order `identifier` for order commands, `requestId` for fetches.
public enum Command: Equatable, Codable, Sendable {
    /// Subscribe the market data feed to trades and orderbooks of these markets (sorted).
    case subscribe(markets: [String])
    /// Fetch the newest `count` 1-minute candles of a market, for indicator history.
    case fetchCandles(requestId: Int, market: String, count: Int)
    /// Send a new order. Answered by orderAccepted / orderRejected / orderOutcomeUnknown.
    case placeOrder(OrderRequest)
    /// Cancel an order of `market`. Answered by cancelAccepted / cancelRejected /
    /// cancelOutcomeUnknown.
    case cancelOrder(identifier: String, uuid: String?, market: String)
    /// Ask the exchange about an order by identifier. `market` is the order's when the state knows
    /// it (a venue may need it to look the order up); nil only for a lost entry probed before its
    /// position exists. Answered by orderUpdated / orderNotFound / orderQueryFailed.
    case queryOrder(identifier: String, market: String?)
    /// Fetch account balances. Answered by balancesFetched / balancesFetchFailed.
    case fetchBalances(requestId: Int)
    /// Fetch the exchange's open orders. Answered by openOrdersFetched / openOrdersFetchFailed.
    case fetchOpenOrders(requestId: Int)
    /// Tell the operator something (log line, e-mail, webhook).
    case notify(Notification)
    /// Record a decision or a closed candle for the backtest trace (only when tracing is on).
    case trace(TraceRecord)
    /// Book one exit leg (the exit order `orderIdentifier` ended with fills). Not answered. Live
    /// shells carry it out only after the journal commit that holds the event producing it, and
    /// at most once per order identifier (the ledger file skips identifiers it holds already).
    indirect case bookLeg(LedgerEntry, orderIdentifier: String)
}

/// A message for the operator.
public struct Notification: Equatable, Codable, Sendable {
    public enum Kind: String, Equatable, Codable, Sendable {
        case entry, exit, halt, resume, warning, error
    }

    public var kind: Kind
    public var market: String?
    public var text: String
    public var time: Milliseconds

    public init(kind: Kind, market: String?, text: String, time: Milliseconds) {
        self.kind = kind
        self.market = market
        self.text = text
        self.time = time
    }
}

/// One line of the backtest trace (`trace.jsonl`).
public enum TraceRecord: Equatable, Codable, Sendable {
    case candle(market: String, candle: Candle, rsi: Double?)
    case decision(Decision)
}

/// Why a candidate was or was not bought.
public struct Decision: Equatable, Codable, Sendable {
    /// `buy` opens a long, `sell` a short.
    public enum Action: String, Equatable, Codable, Sendable { case buy, sell, skip }

    public var time: Milliseconds
    public var market: String
    public var surgeRatio: Double
    public var rsi: Double?
    public var bidDominant: Bool?
    public var action: Action
    /// `entry` for an entry, else the first entry rule that failed (README lists them).
    public var reason: String

    public init(time: Milliseconds, market: String, surgeRatio: Double, rsi: Double?, bidDominant: Bool?,
                action: Action, reason: String) {
        self.time = time
        self.market = market
        self.surgeRatio = surgeRatio
        self.rsi = rsi
        self.bidDominant = bidDominant
        self.action = action
        self.reason = reason
    }
}
