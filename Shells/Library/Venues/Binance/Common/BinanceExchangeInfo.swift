import Core

/// `GET /fapi/v1/exchangeInfo`, read (binance-futures.md §6): the USDT perpetuals that trade, each
/// with its instrument, and the rate limits. A symbol whose rules are implausible is left out (and
/// named in `skipped`), never guessed.
public struct BinanceExchangeInfo: Equatable, Sendable {
    public var listings: [MarketListing]
    public var rateLimits: BinanceRateLimits
    /// Tradable-looking symbols left out because their rules could not be trusted.
    public var skipped: [String]

    /// More symbols than any real answer lists (about 700 in 2026): the answer is refused.
    static let maximumSymbols = 10_000
    static let maximumFilters = 64
    /// No tick, step or quantity limit of a real contract comes near this.
    static let maximumRule: Fixed = 1_000_000_000_000

    /// `maximumLeverage`: per symbol, from the leverage brackets when known; otherwise 125.
    public static func parse(_ json: JSONValue, maximumLeverage: [String: Int] = [:]) throws -> BinanceExchangeInfo {
        guard let symbols = json["symbols"]?.array else { throw MissingField(description: "missing field symbols") }
        guard symbols.count <= maximumSymbols else { throw MissingField(description: "implausible symbols: \(symbols.count)") }
        var info = BinanceExchangeInfo(listings: [], rateLimits: BinanceRateLimits.parse(json["rateLimits"]), skipped: [])
        for item in symbols {
            guard item["contractType"]?.string == "PERPETUAL", item["quoteAsset"]?.string == BinanceVenue.quoteAsset,
                  item["status"]?.string == "TRADING" else { continue }
            let name = item["symbol"]?.string ?? ""
            do {
                let leverage = maximumLeverage[name] ?? BinanceVenue.defaultMaximumLeverage
                info.listings.append(MarketListing(market: name, instrument: try instrument(item, maximumLeverage: leverage)))
            } catch {
                info.skipped.append(String(name.prefix(40)))
            }
        }
        return info
    }

    /// One symbol's instrument from its filters. Quantities obey both LOT_SIZE (limit orders) and
    /// MARKET_LOT_SIZE (market orders): the coarser step, the larger minimum and the smaller
    /// maximum, so any quantity the core sizes is valid for both.
    static func instrument(_ item: JSONValue, maximumLeverage: Int) throws -> Instrument {
        let profile = BinanceVenue.profile(leverage: 1)
        let symbol = try BinanceChecks.symbol(item["symbol"]?.string)
        guard profile.accepts(symbol), item["baseAsset"]?.string == profile.baseAsset(of: symbol) else {
            throw FrameError.malformed("symbol \(symbol) is not base + USDT")
        }
        guard let filters = item["filters"]?.array, filters.count <= maximumFilters else { throw FrameError.missing("filters") }
        func filter(_ type: String) -> JSONValue? { filters.first { $0["filterType"]?.string == type } }
        func rule(_ filter: JSONValue?, _ key: String) throws -> Fixed {
            let value = try BinanceChecks.positive(filter?[key]?.decimal, field: key)
            guard value <= maximumRule else { throw FrameError.malformed("implausible \(key)") }
            return value
        }
        guard let priceFilter = filter("PRICE_FILTER"), let lotSize = filter("LOT_SIZE") else { throw FrameError.missing("filters") }
        let tick = try rule(priceFilter, "tickSize")
        var step = try rule(lotSize, "stepSize")
        var minimumQuantity = try rule(lotSize, "minQty")
        var maximumQuantity = try rule(lotSize, "maxQty")
        if let market = filter("MARKET_LOT_SIZE") {
            step = Fixed.max(step, try rule(market, "stepSize"))
            minimumQuantity = Fixed.max(minimumQuantity, try rule(market, "minQty"))
            maximumQuantity = Fixed.min(maximumQuantity, try rule(market, "maxQty"))
        }
        guard minimumQuantity <= maximumQuantity else { throw FrameError.malformed("minQty above maxQty") }
        let minimumNotional = try filter("MIN_NOTIONAL").map { try rule($0, "notional") }
            ?? BinanceVenue.perpetualInstrument.minimumNotional
        let quotePrecision = item["quotePrecision"]?.integer.map(Int.init)
        let quoteDecimals = quotePrecision.flatMap { (0...Fixed.fractionDigits).contains($0) ? $0 : nil }
            ?? BinanceVenue.perpetualInstrument.quoteDecimals
        return Instrument(symbol: symbol, baseAsset: profile.baseAsset(of: symbol), quoteAsset: BinanceVenue.quoteAsset,
                          kind: .perpetual(maximumLeverage: max(1, min(maximumLeverage, 1_000))), tickScheme: .fixed(tick),
                          quantityStep: step, minimumQuantity: minimumQuantity, maximumQuantity: maximumQuantity,
                          minimumNotional: minimumNotional, quoteDecimals: quoteDecimals, quoteSizedMarketBuys: false)
    }
}
