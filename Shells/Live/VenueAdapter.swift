import Core
import Logging
import Shells

/// A venue behind one seam: what the venue-neutral `LiveDriver` needs to trade it. Adding a venue
/// means adding a folder (`Shells/Library/Venues/<Name>/` for REST, frames, simulator; an adapter
/// here for its sockets) and conforming, not touching the reducer or the driver.
public protocol VenueAdapter: Sendable {
    /// What the core is told of the venue.
    var profile: VenueProfile { get }
    /// The market-data sockets (one on Upbit; Binance splits its streams over routes), each with
    /// the message that subscribes it to its share of `markets`.
    var marketSockets: [MarketSocket] { get }
    /// The private socket of live mode (nil in paper mode).
    var privateSocket: PrivateSocket? { get }
    /// Whether trading can start at all (the account's mode, the keys): a message saying why
    /// not, or nil. Asked once, before anything else.
    func preflight(logger: Logger) async -> String?
    /// The venue's start-up: the events its REST API gives before trading (the market list,
    /// instruments, fees), retrying what trading cannot do without.
    func startUp(now: @escaping @Sendable () -> Milliseconds, logger: Logger) async -> [Event]
    /// A public frame as the driver's input.
    func decodeMarketFrame(_ bytes: [UInt8]) -> MarketInput
    /// A private frame as the driver's input.
    func decodePrivateFrame(_ bytes: [UInt8]) -> PrivateInput
    /// Where orders go: the venue over REST (live) or an in-process simulated exchange (paper).
    func makeExecutor() -> any CommandExecutor
    /// Candle backfills (public REST), whatever the mode.
    var quotation: any OrderGateway { get }
    /// Whether a refusal means the API keys themselves are refused (say so, halt entries).
    func isKeyRefusal(_ error: String) -> Bool
    /// Venue upkeep, called about once a second with the markets where a limit order of ours may
    /// rest (keepalives, heartbeats); never called again before the previous call returned.
    /// Returns why the private stream must be connected anew (its listen key is gone), or nil.
    func upkeep(restingOrderMarkets: [String], logger: Logger) async -> String?
}

extension VenueAdapter {
    public func preflight(logger: Logger) async -> String? { nil }
    public func upkeep(restingOrderMarkets: [String], logger: Logger) async -> String? { nil }
}

/// A market-data socket: its address, and its subscription to a market list (nil: nothing of
/// those markets for it).
public struct MarketSocket: Sendable {
    public var name: String
    public var url: String
    public var subscription: @Sendable ([String]) -> String?

    public init(name: String, url: String, subscription: @escaping @Sendable ([String]) -> String?) {
        self.name = name
        self.url = url
        self.subscription = subscription
    }
}

public struct PrivateSocket: Sendable {
    /// The address of the next connection (Binance's holds a listen key made for it); nil when
    /// it cannot be had now (tried again with back-off).
    public var url: @Sendable () async -> String?
    public var headers: @Sendable () -> [(String, String)]
    public var subscription: String?

    public init(url: @escaping @Sendable () async -> String?, headers: @escaping @Sendable () -> [(String, String)] = { [] },
                subscription: String?) {
        self.url = url
        self.headers = headers
        self.subscription = subscription
    }
}

/// A public frame, decoded.
public enum MarketInput {
    case trade(Trade)
    /// A book, and its raw frame (a simulated exchange walks its depth).
    case book(BookTop)
    /// Any other fact of the market (a perpetual's mark price).
    case event(Event)
    /// Nothing for the strategy (tickers, status frames, unknown types).
    case ignored
    /// Refused: the reason, for the log.
    case refused(String)
}

/// A private frame, decoded.
public enum PrivateInput {
    case order(OrderUpdate)
    case balances(AccountSnapshot)
    /// Other facts of the account (funding, liquidation, margin call), stamped on arrival.
    case events([Event])
    /// The stream is dead on this connection (an expired listen key): connect again.
    case reconnect(String)
    /// Something the operator should know (a setting changed outside the bot): logged.
    case notice(String)
    /// A fact the frame announces without stating it (Binance's funding update with `bc` 0): the
    /// venue is asked, off the driver, and what it answers is applied when it comes.
    case lookUp(@Sendable () async -> [Event])
    case ignored
    case refused(String)
}
