/// A fact the reducer learns, in the past tense. Every case carries its time.
public enum Event: Equatable, Codable, Sendable {
    /// The exchange's market list (`GET /v1/market/all`): defines the universe.
    case marketsListed([MarketListing], time: Milliseconds)
    /// Tick size, minimum total or fee of one market, from the exchange.
    case marketRulesReceived(MarketRules, time: Milliseconds)
    /// A public trade.
    case tradeReceived(Trade)
    /// The newest orderbook of a market.
    case orderbookReceived(BookTop)
    /// Answer to `fetchCandles`: 1-minute candles, any order.
    case candlesFetched(requestId: Int, market: String, candles: [Candle], time: Milliseconds)
    /// Answer to `fetchCandles` when it failed; the market goes on with the history it builds itself.
    case candlesFetchFailed(requestId: Int, market: String, time: Milliseconds)
    /// The driver's clock ticked (about once a second live; from frame time in backtests).
    case timerFired(time: Milliseconds)
    /// The shell's watchdog saw no market data for too long.
    case feedStalled(time: Milliseconds)
    /// The exchange accepted an order (answer to `placeOrder`).
    case orderAccepted(identifier: String, uuid: String, time: Milliseconds)
    /// The exchange definitely rejected an order (a 4xx with an error name).
    case orderRejected(identifier: String, error: String, time: Milliseconds)
    /// Nobody knows whether the order exists (timeout, 5xx, connection lost after sending).
    case orderOutcomeUnknown(identifier: String, time: Milliseconds)
    /// A myOrder frame, or the answer to `queryOrder`.
    case orderUpdated(OrderUpdate)
    /// Answer to `queryOrder`: the exchange has no order with this identifier.
    case orderNotFound(identifier: String, time: Milliseconds)
    /// Answer to `queryOrder` when the query itself failed.
    case orderQueryFailed(identifier: String, time: Milliseconds)
    /// The exchange accepted a cancel (the final state follows as `orderUpdated`).
    case cancelAccepted(identifier: String, time: Milliseconds)
    /// The exchange refused a cancel (typically: already done).
    case cancelRejected(identifier: String, error: String, time: Milliseconds)
    /// Nobody knows whether the cancel happened.
    case cancelOutcomeUnknown(identifier: String, time: Milliseconds)
    /// Answer to `fetchBalances`: the whole account.
    case balancesFetched(requestId: Int, account: AccountSnapshot, time: Milliseconds)
    /// Answer to `fetchBalances` when it failed.
    case balancesFetchFailed(requestId: Int, error: String, time: Milliseconds)
    /// Answer to `fetchOpenOrders`: the exchange's open orders (all markets).
    case openOrdersFetched(requestId: Int, orders: [OrderUpdate], time: Milliseconds)
    /// Answer to `fetchOpenOrders` when it failed.
    case openOrdersFetchFailed(requestId: Int, error: String, time: Milliseconds)
    /// The driver restarted from storage: reconcile with the exchange before trading.
    case recovered(time: Milliseconds)
    /// The exchange pushed balances (Upbit's myAsset frame: only what changed): when they
    /// disagree with the books, the balances are fetched (now, or once no order of ours works).
    case balancesPushed(AccountSnapshot, time: Milliseconds)
    /// The operator paused new entries (exits go on) until `entriesResumed`.
    case entriesPaused(time: Milliseconds)
    /// The operator resumed entries after `entriesPaused`.
    case entriesResumed(time: Milliseconds)
    /// The operator asked to close the position in a market (ledger reason `manual`).
    case closeRequested(market: String, time: Milliseconds)
    /// A backtest's data ended: open positions are closed at the last price (`end_of_data`).
    case dataEnded(time: Milliseconds)
    /// The shell started with a config other than the journal's (an edited file): the state
    /// takes it (`State.adopt`). Journaled like any event so a replay decides under the same
    /// config as the run did. It does not move the clock and causes no command.
    indirect case configAdopted(Config, time: Milliseconds)
    /// The mark price of a perpetual (it drives unrealised P&L, liquidation and the safety stop).
    case markPriceReceived(market: String, price: Fixed, time: Milliseconds)
    /// A funding payment of a perpetual position settled: `amount` in the quote asset, positive
    /// when received (a short when the rate is positive), negative when paid. `settledAt` is the
    /// venue's time of the settlement, which makes a repeated report of it change nothing.
    case fundingSettled(market: String, amount: Fixed, settledAt: Milliseconds, time: Milliseconds)
    /// The venue liquidated (part of) a position: booked as an exit leg with reason `liquidation`.
    /// `identifier` is the venue's id of the liquidation order (reported twice, booked once).
    case positionLiquidated(market: String, identifier: String, quantity: Fixed, price: Fixed, fee: Fixed, time: Milliseconds)
    /// The venue warned that the account's margin runs low: entries halt until the operator
    /// resumes them.
    case marginCalled(time: Milliseconds)
    /// The venue's private stream is connected again after a loss: what it said meanwhile is
    /// lost, so every working order is asked about and the balances are read again.
    case userStreamRestored(time: Milliseconds)

    /// When the fact happened.
    public var time: Milliseconds {
        switch self {
        case .marketsListed(_, let time), .marketRulesReceived(_, let time): time
        case .tradeReceived(let trade): trade.time
        case .orderbookReceived(let book): book.time
        case .candlesFetched(_, _, _, let time), .candlesFetchFailed(_, _, let time): time
        case .timerFired(let time), .feedStalled(let time), .recovered(let time), .dataEnded(let time): time
        case .orderAccepted(_, _, let time), .orderRejected(_, _, let time), .orderOutcomeUnknown(_, let time): time
        case .orderUpdated(let update): update.time
        case .balancesPushed(_, let time), .entriesPaused(let time), .entriesResumed(let time): time
        case .orderNotFound(_, let time), .orderQueryFailed(_, let time): time
        case .cancelAccepted(_, let time), .cancelRejected(_, _, let time), .cancelOutcomeUnknown(_, let time): time
        case .balancesFetched(_, _, let time), .balancesFetchFailed(_, _, let time): time
        case .openOrdersFetched(_, _, let time), .openOrdersFetchFailed(_, _, let time): time
        case .closeRequested(_, let time), .configAdopted(_, let time): time
        case .markPriceReceived(_, _, let time), .fundingSettled(_, _, _, let time), .positionLiquidated(_, _, _, _, _, let time),
             .marginCalled(let time), .userStreamRestored(let time): time
        }
    }

    /// Whose clock stamped the event's time (see `State.receive`).
    public enum ClockSource: Equatable, Sendable {
        /// The driver's own clock reading: moves the core's clock.
        case driver
        /// Stamped by the exchange (frames): rejected when implausibly far from the driver's clock.
        case exchange
        /// An answer or request stamped by the driver when it arrived: applied, but it moves the
        /// clock at most to the bound past the driver's newest reading.
        case answer
    }

    public var clockSource: ClockSource {
        switch self {
        case .timerFired, .feedStalled, .recovered, .userStreamRestored: .driver
        case .tradeReceived, .orderbookReceived, .orderUpdated, .balancesPushed, .markPriceReceived: .exchange
        case .marketsListed, .marketRulesReceived, .candlesFetched, .candlesFetchFailed, .orderAccepted, .orderRejected,
             .orderOutcomeUnknown, .orderNotFound, .orderQueryFailed, .cancelAccepted, .cancelRejected,
             .cancelOutcomeUnknown, .balancesFetched, .balancesFetchFailed, .openOrdersFetched, .openOrdersFetchFailed,
             .closeRequested, .entriesPaused, .entriesResumed, .dataEnded, .configAdopted, .fundingSettled,
             .positionLiquidated, .marginCalled:
            .answer
        }
    }
}

extension Event {
    /// The same answer stamped at `time` (an answer dated beyond the clock's bound is applied at
    /// the core's own time). Facts the exchange dated keep their time: they are never restamped.
    public func withTime(_ time: Milliseconds) -> Event {
        switch self {
        case .marketsListed(let listings, _): .marketsListed(listings, time: time)
        case .marketRulesReceived(let rules, _): .marketRulesReceived(rules, time: time)
        case .candlesFetched(let requestId, let market, let candles, _):
            .candlesFetched(requestId: requestId, market: market, candles: candles, time: time)
        case .candlesFetchFailed(let requestId, let market, _): .candlesFetchFailed(requestId: requestId, market: market, time: time)
        case .orderAccepted(let identifier, let uuid, _): .orderAccepted(identifier: identifier, uuid: uuid, time: time)
        case .orderRejected(let identifier, let error, _): .orderRejected(identifier: identifier, error: error, time: time)
        case .orderOutcomeUnknown(let identifier, _): .orderOutcomeUnknown(identifier: identifier, time: time)
        case .orderNotFound(let identifier, _): .orderNotFound(identifier: identifier, time: time)
        case .orderQueryFailed(let identifier, _): .orderQueryFailed(identifier: identifier, time: time)
        case .cancelAccepted(let identifier, _): .cancelAccepted(identifier: identifier, time: time)
        case .cancelRejected(let identifier, let error, _): .cancelRejected(identifier: identifier, error: error, time: time)
        case .cancelOutcomeUnknown(let identifier, _): .cancelOutcomeUnknown(identifier: identifier, time: time)
        case .balancesFetched(let requestId, let account, _): .balancesFetched(requestId: requestId, account: account, time: time)
        case .balancesFetchFailed(let requestId, let error, _): .balancesFetchFailed(requestId: requestId, error: error, time: time)
        case .openOrdersFetched(let requestId, let orders, _): .openOrdersFetched(requestId: requestId, orders: orders, time: time)
        case .openOrdersFetchFailed(let requestId, let error, _):
            .openOrdersFetchFailed(requestId: requestId, error: error, time: time)
        case .closeRequested(let market, _): .closeRequested(market: market, time: time)
        case .entriesPaused: .entriesPaused(time: time)
        case .entriesResumed: .entriesResumed(time: time)
        case .dataEnded: .dataEnded(time: time)
        case .configAdopted(let config, _): .configAdopted(config, time: time)
        case .fundingSettled(let market, let amount, let settledAt, _):
            .fundingSettled(market: market, amount: amount, settledAt: settledAt, time: time)
        case .positionLiquidated(let market, let identifier, let quantity, let price, let fee, _):
            .positionLiquidated(market: market, identifier: identifier, quantity: quantity, price: price, fee: fee, time: time)
        case .marginCalled: .marginCalled(time: time)
        case .timerFired, .feedStalled, .recovered, .tradeReceived, .orderbookReceived, .orderUpdated, .balancesPushed,
             .markPriceReceived, .userStreamRestored:
            self
        }
    }
}
