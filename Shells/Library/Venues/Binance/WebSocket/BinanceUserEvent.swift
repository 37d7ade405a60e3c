import Core

/// One event of Binance's user data stream (binance-futures.md §7.5, §7.6).
public enum BinanceUserEvent: Equatable, Sendable {
    /// ORDER_TRADE_UPDATE.
    case order(BinanceOrderEvent)
    /// TRADE_LITE: a fill, sooner and with fewer fields (dedupe with `order` by symbol + trade id).
    case tradeLite(BinanceTradeLite)
    /// ACCOUNT_UPDATE.
    case account(BinanceAccountUpdate)
    /// ALGO_UPDATE: the protective stop's life.
    case algo(BinanceAlgoOrder)
    /// MARGIN_CALL.
    case marginCall(BinanceMarginCall)
    /// ACCOUNT_CONFIG_UPDATE: a symbol's leverage, or the multi-assets mode.
    case configuration(symbol: String?, leverage: Int?, multiAssetsMode: Bool?, time: Milliseconds)
    /// listenKeyExpired: no more events on this key; create a new one and reconnect.
    case listenKeyExpired(time: Milliseconds)
    case other(type: String)
}

/// ORDER_TRADE_UPDATE: the order's cumulative state, and this event's own fill and commission.
///
/// The cumulative commission is not in the event: `update.paidFee` is 0 here, and `commission`
/// is this fill's (`n`, in `commissionAsset`). `BinanceFeeTally` keeps the per-order running sum
/// (deduplicated by trade id) and fills `paidFee` in.
public struct BinanceOrderEvent: Equatable, Sendable {
    /// Cumulative quantity `z`, quote `ap × z` (exact), fee 0 (see above), state from `X`.
    public var update: OrderUpdate
    /// `x`: NEW, TRADE, CANCELED, CALCULATED (liquidation), EXPIRED, AMENDMENT.
    public var executionType: String
    public var orderId: Int64
    /// `t`: 0 when the event is not a fill.
    public var tradeId: Int64
    public var lastQuantity: Fixed
    public var lastPrice: Fixed
    public var commission: Fixed
    public var commissionAsset: String?
    /// `rp`: realized profit of this fill (before fees).
    public var realizedProfit: Fixed
    public var isMaker: Bool
    public var reduceOnly: Bool
    /// `o`: LIMIT, MARKET, LIQUIDATION, …
    public var orderType: String
    /// `er`: why an order expired (0 none, 4 reduce-only knocked out, 5 liquidation, …).
    public var expiryReason: Int?
}

/// TRADE_LITE.
public struct BinanceTradeLite: Equatable, Sendable {
    public var symbol: String
    public var clientOrderId: String
    public var orderId: Int64
    public var tradeId: Int64
    public var side: Side
    public var lastPrice: Fixed
    public var lastQuantity: Fixed
    public var isMaker: Bool
    public var time: Milliseconds

    public init(symbol: String, clientOrderId: String, orderId: Int64, tradeId: Int64, side: Side, lastPrice: Fixed,
                lastQuantity: Fixed, isMaker: Bool, time: Milliseconds) {
        self.symbol = symbol
        self.clientOrderId = clientOrderId
        self.orderId = orderId
        self.tradeId = tradeId
        self.side = side
        self.lastPrice = lastPrice
        self.lastQuantity = lastQuantity
        self.isMaker = isMaker
        self.time = time
    }
}

/// ACCOUNT_UPDATE: why (`m`), the balances and the positions that changed.
public struct BinanceAccountUpdate: Equatable, Sendable {
    public struct Balance: Equatable, Sendable {
        public var asset: String
        public var walletBalance: Fixed
        public var crossWalletBalance: Fixed
        /// Excluding PnL and commission.
        public var balanceChange: Fixed

        public init(asset: String, walletBalance: Fixed, crossWalletBalance: Fixed, balanceChange: Fixed) {
            self.asset = asset
            self.walletBalance = walletBalance
            self.crossWalletBalance = crossWalletBalance
            self.balanceChange = balanceChange
        }
    }

    /// ORDER, FUNDING_FEE, DEPOSIT, …
    public var reason: String
    /// `a.S`: the symbol of a FUNDING_FEE update.
    public var symbol: String?
    public var balances: [Balance]
    public var positions: [BinancePosition]
    public var time: Milliseconds

    public init(reason: String, symbol: String?, balances: [Balance], positions: [BinancePosition], time: Milliseconds) {
        self.reason = reason
        self.symbol = symbol
        self.balances = balances
        self.positions = positions
        self.time = time
    }

    /// The positions it names as a push: sizes only, cash not stated (the wallet balance is not
    /// the free cash).
    public var snapshot: AccountSnapshot {
        var holdings: [String: Fixed] = [:]
        for position in positions { holdings[position.symbol, default: 0] += position.amount }  // signed
        return AccountSnapshot(cash: nil, lockedCash: nil, holdings: holdings)
    }
}

/// MARGIN_CALL: positions close to liquidation.
public struct BinanceMarginCall: Equatable, Sendable {
    /// Only for cross margin.
    public var crossWalletBalance: Fixed?
    /// With `markPrice`; `maintenanceMargins` by symbol.
    public var positions: [BinancePosition]
    public var maintenanceMargins: [String: Fixed]
    public var time: Milliseconds
}
