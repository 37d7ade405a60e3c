import Core
import Foundation
import Logging
import Shells

/// Upbit's KRW market as a `VenueAdapter`: its sockets and subscriptions, its start-up (market
/// list, tick sizes, the account's fee), its frame decoders, and the executor of the mode.
public struct UpbitAdapter: VenueAdapter {
    let settings: Settings
    let credentials: UpbitCredentials?
    let paper: Bool
    let restTimeoutMilliseconds: Int
    let quotationGateway: UpbitGateway
    /// Orders, queries and balances over signed REST (live mode; nil in paper mode).
    let exchange: UpbitGateway?

    public init(settings: Settings, paper: Bool, credentials: UpbitCredentials?, restTimeoutMilliseconds: Int) {
        self.settings = settings
        self.credentials = credentials
        self.paper = paper
        self.restTimeoutMilliseconds = restTimeoutMilliseconds
        let restURL = settings.upbit.restURL
        quotationGateway = UpbitGateway(exchange: UpbitREST(baseURL: restURL, credentials: nil),
                                 quotation: UpbitREST(baseURL: restURL, credentials: nil))
        if !paper {  // without keys every signed request is refused, and said so
            let orders = UpbitREST(baseURL: restURL, credentials: credentials)
            orders.timeoutMilliseconds = restTimeoutMilliseconds
            exchange = UpbitGateway(exchange: orders, quotation: UpbitREST(baseURL: restURL, credentials: nil))
        } else {
            exchange = nil
        }
    }

    public var profile: VenueProfile { UpbitVenue.profile }

    public var quotation: any OrderGateway { quotationGateway }

    /// One socket for trades and orderbooks of every market (a new subscription replaces the old).
    public var marketSockets: [MarketSocket] {
        [MarketSocket(name: "public", url: settings.upbit.webSocketURL) { SocketLink.marketSubscription($0) }]
    }

    public var privateSocket: PrivateSocket? {
        guard exchange != nil, let credentials else { return nil }
        let url = settings.upbit.webSocketURL + "/private"
        return PrivateSocket(url: { url }, headers: { [("Authorization", credentials.authorization(for: UpbitQuery()))] },
                             subscription: SocketLink.privateSubscription)
    }

    public func makeExecutor() -> any CommandExecutor {
        if let exchange { return GatewayExecutor(exchange) }
        let capital = settings.strategy.capital.initialCapital
        return SimulatedExecutor(SimulatedExchange(krw: capital, feeRate: settings.strategy.fees.rate))
    }

    /// Market list (retried every 5 s until it comes), tick sizes, and in live mode the account's
    /// fee rate (`/v1/orders/chance`), then `recovered`.
    public func startUp(now: @escaping @Sendable () -> Milliseconds, logger: Logger) async -> [Event] {
        let quotation = quotationGateway
        var listings: [MarketListing] = []
        while !Task.isCancelled {
            let answer = await quotation.markets()
            if case .success(let markets) = answer { listings = markets; break }
            logger.warning("market list unavailable (\(answer)); retrying in 5 s")
            try? await Task.sleep(for: .seconds(5))
        }
        var events: [Event] = [.marketsListed(listings, time: now())]
        let codes = listings.map(\.market).filter(UpbitVenue.isKRWMarket)
        for chunk in stride(from: 0, to: codes.count, by: 50).map({ Array(codes[$0..<min($0 + 50, codes.count)]) }) {
            if case .success(let rules) = await quotation.instruments(markets: chunk) {
                events += rules.map { .marketRulesReceived($0, time: now()) }
            }
        }
        if let exchange, let first = codes.first, case .success(let rules) = await exchange.chance(market: first),
           let fee = rules.feeRate {
            logger.info("exchange fee rate \(fee)")
            events += codes.map { .marketRulesReceived(MarketRules(market: $0, feeRate: fee), time: now()) }
        }
        return events + [.recovered(time: now())]
    }

    public func decodeMarketFrame(_ bytes: [UInt8]) -> MarketInput {
        guard UTF8Check.isValid(bytes) else { return .refused("frame with invalid UTF-8 skipped") }
        do {
            switch try bytes.withUnsafeBytes({ buffer throws(FrameError) in try MarketFrameDecoder.decode(buffer, depth: .best) }) {
            case .trade(let trade): return .trade(trade)
            case .orderbook(let book): return .book(book.top)
            case .error(let name, let message): return .refused("public socket error \(name): \(message.prefix(200))")
            case .ticker, .status, .other: return .ignored
            }
        } catch {
            return .refused("malformed frame skipped: \(error)")
        }
    }

    public func decodePrivateFrame(_ bytes: [UInt8]) -> PrivateInput {
        guard UTF8Check.isValid(bytes) else { return .refused("private frame with invalid UTF-8 skipped") }
        do {
            switch try PrivateFrameDecoder.decode(bytes) {
            case .order(let update): return .order(update)
            case .assets(let balances, _): return .balances(UpbitVenue.account(balances))
            case .error(let name, let message): return .refused("private socket error \(name): \(message.prefix(200))")
            case .status, .other: return .ignored
            }
        } catch {
            return .refused("malformed private frame skipped: \(error)")
        }
    }

    /// Upbit's names for a request refused because of the API keys themselves.
    static let keyErrors: Set<String> = ["jwt_verification", "invalid_access_key", "expired_access_key",
                                         "no_authorization_ip", "out_of_scope", "no_authorization_token"]

    public func isKeyRefusal(_ error: String) -> Bool { UpbitAdapter.keyErrors.contains(error) }
}
