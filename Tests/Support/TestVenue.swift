import Core
import Testing

/// A generic linear perpetual for venue-neutral scenarios (issue 12): `BTCUSDT` with a fixed tick
/// of 0.1, a quantity step of 0.001, a 5 USDT minimum notional, 2 quote decimals and the day at
/// 00:00 UTC; fees come from the config.
public enum TestVenue {
    public static let instrument = Instrument(
        symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", kind: .perpetual(maximumLeverage: 20),
        tickScheme: .fixed(Fixed("0.1")!), quantityStep: Fixed("0.001")!, minimumQuantity: Fixed("0.001")!,
        minimumNotional: 5, quoteDecimals: 2)

    public static func profile(leverage: Int = 1, safetyStopBuffer: Fixed? = nil) -> VenueProfile {
        VenueProfile(name: "test-perpetual", quoteAsset: "USDT", symbolPrefix: "", symbolSuffix: "USDT",
                     defaultInstrument: instrument, dayStartOffsetMinutes: 0, dayStartZone: "UTC", leverage: leverage,
                     safetyStopBuffer: safetyStopBuffer)
    }
}

/// A fresh state on the test perpetual: 10,000 USDT, shorts by default, fee 0.04 %.
public func perpetualState(_ configure: (inout Config) -> Void = { _ in }, leverage: Int = 1,
                           safetyStopBuffer: Fixed? = nil) -> State {
    var config = Config()
    config.capital.initialCapital = 10_000
    config.entry.direction = .short
    config.fees.rate = Fixed("0.0004")!
    configure(&config)
    return State(config: config, venue: TestVenue.profile(leverage: leverage, safetyStopBuffer: safetyStopBuffer),
                 options: .init(identifierPrefix: "t"))
}

/// Given: BTCUSDT warmed up for 30 minutes around 50,000 (RSI near 50), a book with more asks
/// than bids at 30:04 (best bid 50,000, best ask 50,000.1), and a surge trade at 30:05 that makes
/// the reducer sell 0.1 BTC short at market (half of the 10,000 USDT equity) as order `t-1-b1`.
public func givenShortSent(_ configure: (inout Config) -> Void = { _ in }, leverage: Int = 1, safetyStopBuffer: Fixed? = nil)
    -> (state: State, btc: Market, commands: [Command]) {
    var state = perpetualState(configure, leverage: leverage, safetyStopBuffer: safetyStopBuffer)
    var btc = Market("BTCUSDT")
    run(&state, btc.warmUp(low: 49_950, high: 50_000))
    run(&state, [btc.book(bid: 1, ask: 2, at: at(30, 4), bestBid: 50_000, bestAsk: Fixed("50000.1")!)])
    let commands = run(&state, [btc.trade(50_000, "1", at: at(30, 5), side: .sell)])
    return (state, btc, commands)
}

/// Given `givenShortSent`, then the sell accepted and filled: 0.1 BTC at 50,000, fee 2 USDT.
public func givenShortOpen(_ configure: (inout Config) -> Void = { _ in }, leverage: Int = 1, safetyStopBuffer: Fixed? = nil)
    -> (state: State, btc: Market, commands: [Command]) {
    var (state, btc, _) = givenShortSent(configure, leverage: leverage, safetyStopBuffer: safetyStopBuffer)
    run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))])
    let commands = run(&state, [filled("t-1-b1", "BTCUSDT", quantity: "0.1", quote: "5000", fee: "2", at: at(30, 5, 200))])
    return (state, btc, commands)
}

/// A final order update: everything asked for filled.
public func filled(_ identifier: String, _ market: String, quantity: String, quote: String, fee: String,
                   at time: Milliseconds, status: OrderStatus = .filled) -> Event {
    .orderUpdated(OrderUpdate(identifier: identifier, uuid: nil, market: market, state: status,
                              executedQuantity: fixed(quantity), executedQuote: fixed(quote), paidFee: fixed(fee), time: time))
}
