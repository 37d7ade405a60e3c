import Core
import Logging
import Shells

/// A venue behind one seam: what the venue-neutral `LiveDriver` needs to trade it. Adding a venue
/// means adding a folder (`Shells/Library/Venues/<Name>/` for REST, frames, simulator; an adapter
/// here for its sockets) and conforming, not touching the reducer or the driver.
public protocol VenueAdapter: Sendable {
    /// What the core is told of the venue.
    var profile: VenueProfile { get }
    /// The market-data socket, and the message that subscribes it to `markets`.
    var marketSocketURL: String { get }
    func marketSubscription(_ markets: [String]) -> String
    /// The private socket of live mode (nil in paper mode): URL, headers of its handshake, and
    /// the subscription message.
    var privateSocket: PrivateSocket? { get }
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
}

public struct PrivateSocket: Sendable {
    public var url: String
    public var headers: @Sendable () -> [(String, String)]
    public var subscription: String

    public init(url: String, headers: @escaping @Sendable () -> [(String, String)], subscription: String) {
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
    /// Nothing for the strategy (tickers, status frames, unknown types).
    case ignored
    /// Refused: the reason, for the log.
    case refused(String)
}

/// A private frame, decoded.
public enum PrivateInput {
    case order(OrderUpdate)
    case balances(AccountSnapshot)
    case ignored
    case refused(String)
}
