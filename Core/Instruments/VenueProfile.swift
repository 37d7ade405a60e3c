/// What the core must know of the venue it trades, supplied by the venue's adapter ("the
/// environment is a parameter, not a branch"): the instrument a symbol gets until the venue
/// lists it, how its symbols look, where its trading day starts and the leverage it trades at.
public struct VenueProfile: Equatable, Codable, Sendable {
    /// The venue's name, for messages (`upbit`).
    public var name: String
    /// The quote asset every traded symbol settles in (`KRW`).
    public var quoteAsset: String
    /// A symbol is the base asset between these (`KRW-` + `BTC` + ``; `` + `BTC` + `USDT`).
    public var symbolPrefix: String
    public var symbolSuffix: String
    /// The instrument of every symbol the venue has not described (its symbol and base asset are
    /// filled in per symbol).
    public var defaultInstrument: Instrument
    /// Minutes east of UTC where the trading day starts, unless `risk.day_start` says otherwise,
    /// and the name of that time zone in messages (`KST`).
    public var dayStartOffsetMinutes: Int
    public var dayStartZone: String
    /// Leverage of every position (1 on spot venues).
    public var leverage: Int
    /// Margin venues that keep an exchange-side stop per position (Binance's `STOP_MARKET` with
    /// `closePosition`): the strategy's stop moved this fraction further away. nil = none.
    public var safetyStopBuffer: Fixed?
    /// Perpetual venues: funding is settled every this many minutes from 00:00 UTC. A settlement
    /// the bot did not hear of (paid while it was down, a lost frame) is caught by reading the
    /// balances a minute after each settlement time. nil = no funding.
    public var fundingIntervalMinutes: Int?

    public init(name: String, quoteAsset: String, symbolPrefix: String, symbolSuffix: String, defaultInstrument: Instrument,
                dayStartOffsetMinutes: Int, dayStartZone: String, leverage: Int = 1, safetyStopBuffer: Fixed? = nil,
                fundingIntervalMinutes: Int? = nil) {
        self.name = name
        self.quoteAsset = quoteAsset
        self.symbolPrefix = symbolPrefix
        self.symbolSuffix = symbolSuffix
        self.defaultInstrument = defaultInstrument
        self.dayStartOffsetMinutes = dayStartOffsetMinutes
        self.dayStartZone = dayStartZone
        self.leverage = leverage
        self.safetyStopBuffer = safetyStopBuffer
        self.fundingIntervalMinutes = fundingIntervalMinutes
    }

    /// Whether a symbol has this venue's shape: prefix, 1-16 upper-case letters or digits, suffix.
    public func accepts(_ symbol: String) -> Bool {
        guard symbol.hasPrefix(symbolPrefix), symbol.hasSuffix(symbolSuffix),
              symbol.utf8.count > symbolPrefix.utf8.count + symbolSuffix.utf8.count else { return false }
        let base = baseAsset(of: symbol).utf8
        return base.count <= 16 && base.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
    }

    /// The base asset of a symbol of this venue's shape (`BTC` of `KRW-BTC`).
    public func baseAsset(of symbol: String) -> String {
        String(symbol.dropFirst(symbolPrefix.count).dropLast(symbolSuffix.count))
    }

    /// The venue's default instrument for a symbol.
    public func instrument(for symbol: String) -> Instrument {
        var instrument = defaultInstrument
        instrument.symbol = symbol
        instrument.baseAsset = baseAsset(of: symbol)
        instrument.quoteAsset = quoteAsset
        return instrument
    }

    /// Whether positions are margined (shorts possible).
    public var isMargin: Bool { defaultInstrument.kind != .spot }
}
