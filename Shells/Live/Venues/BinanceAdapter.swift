import Core
import Foundation
import Logging
import Shells
import Synchronization

/// Binance USDⓈ-M perpetual futures as a `VenueAdapter` (binance-futures.md): the split WebSocket
/// routes (`/market` for trades and mark prices, `/public` for books, `/private` for the user
/// stream behind a listen key), the start-up (server clock, position mode, exchangeInfo,
/// commission), the frame decoders, the executor of the mode, and the upkeep (listen-key
/// keepalive, the `countdownCancelAll` dead-man switch).
public final class BinanceAdapter: VenueAdapter {
    let settings: Settings
    let paper: Bool
    /// Signed REST for orders, account and the user stream (live mode; nil in paper mode).
    let rest: BinanceREST?
    /// Public REST: exchangeInfo, klines, server time.
    let publicREST: BinanceREST
    let gateway: BinanceGateway?
    let quotationGateway: BinanceGateway
    let stream = Mutex(BinanceStreamState())
    let upkeepState = Mutex(BinanceUpkeep())
    /// The funding rate each symbol's mark frames announce (paper mode settles funding at it).
    let fundingRates = Mutex([String: Fixed]())
    private let queue = DispatchQueue(label: "surge.binance.upkeep")

    /// At most this many symbols per `/market` connection (an aggTrade and a markPrice stream
    /// each: 1,000 of Binance's 1,024 streams per connection).
    static let symbolsPerMarketSocket = 500
    /// The user-stream events the bot reads (TRADE_LITE is not asked for: its fills carry no
    /// commission, ORDER_TRADE_UPDATE's do).
    static let userEvents = "ORDER_TRADE_UPDATE/ACCOUNT_UPDATE/ALGO_UPDATE/MARGIN_CALL/ACCOUNT_CONFIG_UPDATE/listenKeyExpired"

    public init(settings: Settings, paper: Bool, keys: BinanceSigner?, restTimeoutMilliseconds: Int) {
        self.settings = settings
        self.paper = paper
        let binance = settings.binance
        publicREST = BinanceREST(baseURL: binance.restURL, signer: nil)
        quotationGateway = BinanceGateway(rest: publicREST, quotation: publicREST, leverage: binance.leverage,
                                          isolated: binance.isolatedMargin)
        if !paper {  // without keys every signed request is refused, and said so
            let signed = BinanceREST(baseURL: binance.restURL, signer: keys, clock: publicREST.clock)
            signed.timeoutMilliseconds = restTimeoutMilliseconds
            signed.recvWindowMilliseconds = binance.recvWindowMilliseconds
            rest = signed
            gateway = BinanceGateway(rest: signed, quotation: publicREST, leverage: binance.leverage, isolated: binance.isolatedMargin)
        } else {
            rest = nil
            gateway = nil
        }
    }

    public var profile: VenueProfile { settings.venueProfile }

    public var quotation: any OrderGateway { quotationGateway }

    func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: work()) } }
    }

    // MARK: - Sockets

    /// Trades and marks on `/market` (two connections, 500 symbols each), books on `/public`.
    public var marketSockets: [MarketSocket] {
        let base = settings.binance.webSocketURL
        let size = BinanceAdapter.symbolsPerMarketSocket
        let market = (0..<2).map { slice in
            MarketSocket(name: slice == 0 ? "market" : "market-\(slice + 1)", url: base + "/market/stream") { markets in
                let mine = markets.dropFirst(slice * size).prefix(size)
                return BinanceAdapter.subscription(mine.flatMap { ["\($0.lowercased())@aggTrade", "\($0.lowercased())@markPrice@1s"] })
            }
        }
        let books = MarketSocket(name: "public", url: base + "/public/stream") { markets in
            BinanceAdapter.subscription(markets.prefix(2 * size).map { "\($0.lowercased())@depth20@100ms" })
        }
        return market + [books]
    }

    static func subscription(_ streams: [String]) -> String? {
        guard !streams.isEmpty else { return nil }
        let list = streams.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"method":"SUBSCRIBE","params":[\#(list)],"id":1}"#
    }

    /// `/private/ws?listenKey=…`: a listen key is asked for before each connection (the same key
    /// while it lives, a new one after it expired).
    public var privateSocket: PrivateSocket? {
        guard let rest else { return nil }
        let base = settings.binance.webSocketURL
        return PrivateSocket(url: { [self] in
            guard case .success(let key) = await offload({ rest.createListenKey() }) else { return nil }
            upkeepState.withLock { $0.keptAliveAt = ContinuousClock.now }
            return base + "/private/ws?listenKey=\(key)&events=\(BinanceAdapter.userEvents)"
        }, subscription: nil)
    }

    // MARK: - Start-up

    /// Live mode: the server clock, then one-way position mode (hedge mode is refused). What
    /// may pass (throttling, a clock out of the window, no answer) is tried again for a minute.
    public func preflight(logger: Logger) async -> String? {
        guard let rest else { return nil }
        for attempt in 1...20 {
            _ = await offload { rest.synchronizeClock() }
            switch await offload({ rest.isHedgeMode() }) {
            case .success(false):
                return nil
            case .success(true):
                return "the Binance account is in hedge mode (dualSidePosition=true): surge trades one-way mode only; "
                    + "switch Position Mode to One-way in the futures settings (no open positions) and start again"
            case .rejected(let error):
                switch error.disposition {
                case .fatalConfiguration: return "Binance refused the API keys: \(error)"
                case .rejected: return "cannot read the position mode: \(error)"
                default: logger.warning("position mode not read (\(error)); attempt \(attempt)")
                }
            case .unknown(let reason):
                logger.warning("position mode unavailable (\(reason)); attempt \(attempt)")
            }
            try? await Task.sleep(for: .seconds(3))
        }
        return "cannot read the Binance account's position mode: no answer for a minute"
    }

    /// The symbols (retried every 5 s until they come) with their rules, the account's commission
    /// in live mode, then `recovered`.
    public func startUp(now: @escaping @Sendable () -> Milliseconds, logger: Logger) async -> [Event] {
        let publicREST = publicREST
        var info: BinanceExchangeInfo?
        while !Task.isCancelled {
            let answer = await offload { publicREST.exchangeInfo() }
            if case .success(let read) = answer { info = read; break }
            logger.warning("exchangeInfo unavailable (\(answer)); retrying in 5 s")
            try? await Task.sleep(for: .seconds(5))
        }
        guard let info else { return [] }
        if !info.skipped.isEmpty { logger.warning("symbols left out, their rules unreadable: \(info.skipped.prefix(20))") }
        var brackets: [String: [BinanceBracket]] = [:]
        if let rest {
            switch await offload({ rest.leverageBrackets() }) {
            case .success(let read): brackets = read
            case let failed: logger.warning("leverage brackets unavailable (\(failed)): maximum leverage taken as 125, liquidation prices estimated at 0.4 %")
            }
        }
        let listings = BinanceBracket.apply(brackets, to: info.listings)
        let instruments = listings.compactMap(\.instrument)
        gateway?.adopt(instruments)
        quotationGateway.adopt(instruments)
        var events: [Event] = [.marketsListed(listings, time: now())]
        if let rest, let first = info.listings.first?.market,
           case .success(let commission) = await offload({ rest.commissionRate(symbol: first) }) {
            logger.info("commission: maker \(commission.maker), taker \(commission.taker)")
            events += listings.map { .marketRulesReceived(MarketRules(market: $0.market, feeRate: commission.taker), time: now()) }
        }
        return events + [.recovered(time: now())]
    }

    // MARK: - Frames

    public func decodeMarketFrame(_ bytes: [UInt8]) -> MarketInput {
        do {
            switch try bytes.withUnsafeBytes({ buffer throws(FrameError) in try BinanceMarketFrameDecoder.decode(buffer) }) {
            case .trade(let trade): return .trade(trade)
            case .book(let book): return .book(book)
            case .markPrice(let mark):
                if paper { fundingRates.withLock { $0[mark.symbol] = mark.fundingRate } }
                return .event(.markPriceReceived(market: mark.symbol, price: mark.markPrice, time: mark.time))
            case .subscriptionAnswer, .other: return .ignored
            }
        } catch {
            return .refused("malformed frame skipped: \(error)")
        }
    }

    public func decodePrivateFrame(_ bytes: [UInt8]) -> PrivateInput {
        do {
            let event = try BinanceUserFrameDecoder.decode(bytes)
            if case .configuration(let symbol?, let leverage?, _, _) = event, leverage != settings.binance.leverage {
                gateway?.forgetConfiguration(symbol)  // set again before the symbol's next entry
                return .notice("\(symbol)'s leverage was set to \(leverage) outside the bot: "
                               + "it is set back to \(settings.binance.leverage) before the symbol's next entry")
            }
            if case .account(let account) = event, let lookUp = fundingLookUp(account) { return lookUp }
            return stream.withLock { $0.input(event) }
        } catch {
            return .refused("malformed private frame skipped: \(error)")
        }
    }

    /// A FUNDING_FEE update whose USDT change (`bc`) is 0, as in Binance's own example: the
    /// amount is asked of `GET /fapi/v1/income` (settlements of the symbol in the 10 minutes up to
    /// the update); the core books each settlement once, by its time. Unanswered, the funding is
    /// still caught by the balance read a minute after each funding time.
    func fundingLookUp(_ account: BinanceAccountUpdate) -> PrivateInput? {
        guard account.reason == "FUNDING_FEE", let rest,
              let symbol = account.symbol ?? account.positions.first?.symbol,
              account.balances.first(where: { $0.asset == BinanceVenue.quoteAsset })?.balanceChange.isZero ?? true else {
            return nil
        }
        let time = account.time
        return .lookUp { [weak self] in
            guard let self else { return [] }
            switch await self.offload({ rest.funding(symbol: symbol, from: time - 600_000, to: time + 60_000) }) {
            case .success(let lines):
                return lines.filter { $0.symbol == symbol }.map {
                    .fundingSettled(market: symbol, amount: $0.amount, settledAt: $0.time, time: $0.time)
                }
            default:
                return []
            }
        }
    }

    // MARK: - Orders

    public func makeExecutor() -> any CommandExecutor {
        if let gateway { return GatewayExecutor(gateway) }
        let strategy = settings.strategy
        return FuturesPaperExecutor(FuturesExchange(cash: strategy.capital.initialCapital, leverage: settings.binance.leverage,
                                                    makerFee: strategy.fees.rate, takerFee: strategy.fees.rate),
                                    fundingRate: { [weak self] symbol in self?.fundingRates.withLock { $0[symbol] } })
    }

    /// Binance's names for a request refused because of the keys, their permissions or the account.
    static let keyErrors: Set<String> = ["bad_api_key_format", "rejected_api_key", "account_inactive", "invalid_signature",
                                         "no_credentials"]

    public func isKeyRefusal(_ error: String) -> Bool { BinanceAdapter.keyErrors.contains(error) }
}
