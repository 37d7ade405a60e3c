import Core

/// The futures venue's recordings (combined-stream frames of `aggTrade`, `depth20`/`bookTicker`
/// and `markPrice`, after an `exchangeInfo` line that lists the symbols and their rules) against
/// the in-process `FuturesExchange`: fills on trades, stops, liquidations and funding on marks.
public struct FuturesBacktestVenue: BacktestVenue {
    public private(set) var exchange: FuturesExchange
    public let profile: VenueProfile

    public init(config: Config, profile: VenueProfile) {
        self.profile = profile
        exchange = FuturesExchange(cash: config.capital.initialCapital, leverage: profile.leverage,
                                   makerFee: config.fees.rate, takerFee: config.fees.rate)
    }

    public mutating func receive(line: UnsafeRawBufferPointer) throws -> (time: Milliseconds, events: [Event])? {
        if FuturesBacktestVenue.isExchangeInfo(line) {
            let json = try JSONValue.parse(Array(line))
            let info = try BinanceExchangeInfo.parse(json)
            let time = json["serverTime"]?.integer ?? 0
            return (time, [.marketsListed(info.listings, time: time)])
        }
        switch try BinanceMarketFrameDecoder.decode(line) {
        case .trade(let trade):
            return (trade.time, [.tradeReceived(trade)] + exchange.receive(trade))
        case .book(let book):
            exchange.receive(book)
            return (book.time, [.orderbookReceived(book)])
        case .markPrice(let mark):
            exchange.fundingRates[mark.symbol] = mark.fundingRate
            let events = exchange.receive(markPrice: mark.markPrice, market: mark.symbol, time: mark.time)
            return (mark.time, [.markPriceReceived(market: mark.symbol, price: mark.markPrice, time: mark.time)] + events)
        case .subscriptionAnswer, .other:
            return nil
        }
    }

    public mutating func answer(_ command: Command, time: Milliseconds) -> [Event]? { exchange.answer(command, time: time) }

    /// An `exchangeInfo` answer starts with its `timezone` key (a market frame never has one).
    static func isExchangeInfo(_ line: UnsafeRawBufferPointer) -> Bool {
        let marker = Array(#"{"timezone""#.utf8)
        return line.count > marker.count && line.prefix(marker.count).elementsEqual(marker)
    }
}
