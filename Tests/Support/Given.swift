import Core
import Shells
import Testing

/// Given: a market warmed up for 30 minutes (RSI near 50, 0.1 BTC a minute), a book with more
/// bids than asks at 30:04, and a surge trade of 1 BTC at 30:05 that makes the reducer buy
/// 500,000 KRW at market (half of the 1,000,000 KRW equity) as order `t-1-b1`.
public func givenEntrySent(_ config: Config = Config(), options: State.Options = .init(identifierPrefix: "t"))
    -> (state: State, btc: Market, commands: [Command]) {
    var state = upbitState(config, options: options)
    var btc = Market("KRW-BTC")
    run(&state, btc.warmUp(low: 500_000, high: 500_500))
    run(&state, [btc.book(bid: 2, ask: 1, at: at(30, 4), bestBid: 500_000, bestAsk: 500_500)])
    let commands = run(&state, [btc.trade(500_000, "1", at: at(30, 5))])
    return (state, btc, commands)
}

/// Given `givenEntrySent`, then the buy accepted and filled: 1 BTC at 500,000 KRW, fee 250 KRW,
/// ending in Upbit's `cancel` state as market buys do.
public func givenPositionOpen(_ config: Config = Config(), options: State.Options = .init(identifierPrefix: "t"))
    -> (state: State, btc: Market, commands: [Command]) {
    var (state, btc, _) = givenEntrySent(config, options: options)
    run(&state, [.orderAccepted(identifier: "t-1-b1", uuid: "u-b1", time: at(30, 5, 100))])
    let commands = run(&state, [update("t-1-b1", "KRW-BTC", .cancel, volume: "1", funds: "500000", fee: "250",
                                       at: at(30, 5, 200))])
    return (state, btc, commands)
}

/// A fresh state on Upbit's KRW market.
public func upbitState(_ config: Config = Config(), options: State.Options = .init(identifierPrefix: "t")) -> State {
    State(config: config, venue: UpbitVenue.profile, options: options)
}
