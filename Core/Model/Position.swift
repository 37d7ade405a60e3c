/// Which way a position bets: a long gains when the price rises, a short when it falls.
public enum Direction: String, Equatable, Codable, Sendable {
    case long, short

    /// The side of the orders that open the position, and of those that close it.
    public var entrySide: Side { self == .long ? .buy : .sell }
    public var exitSide: Side { self == .long ? .sell : .buy }

    /// +1 for a long, -1 for a short: P&L = sign × (exit − entry) × quantity.
    public var sign: Fixed { self == .long ? .one : -.one }
}

public enum Long: DecodingDefault { public static var value: Direction { .long } }

/// A position from its entry order to its last exit leg.
public struct Position: Equatable, Codable, Sendable {
    public enum Phase: String, Equatable, Codable, Sendable {
        /// Entry order(s) still working.
        case opening
        /// Holding; exits are watched on every trade.
        case open
        /// Exits failed repeatedly: nothing more is sent, the operator must act.
        case stuck
    }

    public let id: Int
    public let market: String
    public var direction: Direction
    public var phase: Phase
    /// Notional the entry meant to open, in the quote asset (limit fallback opens what is left).
    public var entryAmount: Fixed
    public var openedAt: Milliseconds?
    public var enteredQuantity: Fixed = 0
    public var enteredQuote: Fixed = 0
    public var entryFee: Fixed = 0
    public var exitedQuantity: Fixed = 0
    /// Quantity too small to close (below the minimum order total) that the bot stopped tracking.
    public var writtenOffQuantity: Fixed = 0
    /// Quantity held now (positive for either direction): entered minus exited minus written off.
    public var quantity: Fixed = 0
    /// Margin venues: the quote set aside for what is held (notional / leverage), released pro
    /// rata as the position is closed. Zero on spot venues, where cash paid for the coins.
    public var margin: Fixed = 0
    /// Quantity and entry fee already written to the ledger.
    public var recordedQuantity: Fixed = 0
    public var recordedEntryFee: Fixed = 0
    /// The reason of the newest exit leg booked (a stop-loss close pauses entries).
    public var lastExitReason: ExitReason?
    public var takeProfitPrice: Fixed?
    public var stopPrice: Fixed?
    /// The best price since the trailing stop armed (highest for a long, lowest for a short);
    /// nil while unarmed.
    public var trailingExtreme: Fixed?
    public var partialTaken = false
    /// The resting take-profit could not be placed; exits are emulated at market.
    public var restingTakeProfitFailed = false
    /// An exit decided but waiting (for a cancel to finish, or a retry after a rejection).
    public var pendingExit: ExitReason?
    public var exitRetryAt: Milliseconds?
    public var exitRejections = 0
    /// Times the position became stuck; a stuck position is tried again at `stuckRetryAt`
    /// (1 min doubling to 30 min) and says so every time.
    @Defaulted<Zero> public var stuckCount = 0
    public var stuckRetryAt: Milliseconds?
    /// The safety stop is placed again at this time after it was refused, cancelled or expired
    /// while the position was open (nil: not waiting).
    public var safetyStopRetryAt: Milliseconds?
    /// Margin venues: the venue may hold less of it than the books (a reduce-only order was
    /// refused, or a balance read came up short). Its orders are cancelled, nothing new is sent
    /// for it, and the venue's holding is read and adopted once none of them works.
    @Defaulted<False> public var holdingInDoubt = false
    /// The venue's ids of the liquidations booked (a repeated report books nothing).
    @Defaulted<NoStrings> public var liquidations: [String] = []
    /// Next attempt number for identifiers; never reused.
    public var nextAttempt = 1
    /// Identifiers of this position's live orders, oldest first.
    public var orderIdentifiers: [String] = []

    public init(id: Int, market: String, direction: Direction, phase: Phase, entryAmount: Fixed) {
        self.id = id
        self.market = market
        self.direction = direction
        self.phase = phase
        self.entryAmount = entryAmount
    }

    /// Volume-weighted average entry price.
    public var entryPrice: Fixed? {
        enteredQuantity.isPositive ? enteredQuote / enteredQuantity : nil
    }
}

/// One exit leg (strategy.md §7).
///
/// Its JSON keys are those of the ledger files (`ledger.jsonl`, the store's legs) since the first
/// release: `volume`, `grossPnLKRW`, `feeKRW`, `netPnLKRW` name the quantity and the quote amounts.
public struct LedgerEntry: Equatable, Codable, Sendable {
    public var positionId: Int
    public var market: String
    @Defaulted<Long> public var direction = .long
    public var entryTime: Milliseconds
    public var entryPrice: Fixed
    public var exitTime: Milliseconds
    public var exitPrice: Fixed
    public var quantity: Fixed
    /// In the quote asset.
    public var grossPnL: Fixed
    public var fee: Fixed
    public var netPnL: Fixed
    /// Net P&L in percent of the leg's entry notional.
    public var returnPercent: Fixed
    public var reason: ExitReason

    enum CodingKeys: String, CodingKey {
        case positionId, market, direction, entryTime, entryPrice, exitTime, exitPrice, returnPercent, reason
        case quantity = "volume", grossPnL = "grossPnLKRW", fee = "feeKRW", netPnL = "netPnLKRW"
    }

    public init(positionId: Int, market: String, direction: Direction = .long, entryTime: Milliseconds, entryPrice: Fixed,
                exitTime: Milliseconds, exitPrice: Fixed, quantity: Fixed, grossPnL: Fixed, fee: Fixed, netPnL: Fixed,
                returnPercent: Fixed, reason: ExitReason) {
        self.positionId = positionId
        self.market = market
        self.direction = direction
        self.entryTime = entryTime
        self.entryPrice = entryPrice
        self.exitTime = exitTime
        self.exitPrice = exitPrice
        self.quantity = quantity
        self.grossPnL = grossPnL
        self.fee = fee
        self.netPnL = netPnL
        self.returnPercent = returnPercent
        self.reason = reason
    }
}

extension Position {
    /// Margin venues: the price at which an isolated position is liquidated (binance-futures.md
    /// §8), with the maintenance bracket of its notional, recomputed once with the bracket the
    /// price itself falls in when that is another. Nil without quantity or margin.
    public func isolatedLiquidationPrice(_ instrument: Instrument) -> Fixed? {
        guard let entry = entryPrice else { return nil }
        let tier = instrument.maintenanceTier(notional: quantity * entry)
        guard let price = isolatedLiquidationPrice(tier) else { return nil }
        let other = instrument.maintenanceTier(notional: quantity * price)
        return other == tier ? price : isolatedLiquidationPrice(other) ?? price
    }

    /// Long (Q·E − M − cum) / (Q·(1 − r)), short (Q·E + M + cum) / (Q·(1 + r)) for quantity Q,
    /// entry E, margin M (the isolated wallet), and the bracket's rate r and amount cum.
    public func isolatedLiquidationPrice(_ tier: MaintenanceTier) -> Fixed? {
        guard quantity.isPositive, margin.isPositive, let entry = entryPrice else { return nil }
        let price = direction == .long ? (quantity * entry - margin - tier.amount) / (quantity * (Fixed.one - tier.rate))
                                       : (quantity * entry + margin + tier.amount) / (quantity * (Fixed.one + tier.rate))
        return price.isPositive ? price : .zero
    }
}
