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
    public var phase: Phase
    /// KRW the entry meant to spend (limit fallback spends what is left of it).
    public var entryAmountKRW: Fixed
    public var openedAt: Milliseconds?
    public var boughtVolume: Fixed = 0
    public var boughtFundsKRW: Fixed = 0
    public var entryFeeKRW: Fixed = 0
    public var soldVolume: Fixed = 0
    /// Volume too small to sell (below the minimum order total) that the bot stopped tracking.
    public var writtenOffVolume: Fixed = 0
    /// Volume held now: bought minus sold minus written off.
    public var volume: Fixed = 0
    /// Volume and entry fee already written to the ledger.
    public var recordedVolume: Fixed = 0
    public var recordedEntryFeeKRW: Fixed = 0
    /// The reason of the newest exit leg booked (a stop-loss close pauses entries).
    public var lastExitReason: ExitReason?
    public var takeProfitPrice: Fixed?
    public var stopPrice: Fixed?
    /// Highest price since the trailing stop armed; nil while unarmed.
    public var trailingHigh: Fixed?
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
    /// Next attempt number for identifiers; never reused.
    public var nextAttempt = 1
    /// Identifiers of this position's live orders, oldest first.
    public var orderIdentifiers: [String] = []

    /// Volume-weighted average entry price.
    public var entryPrice: Fixed? {
        boughtVolume.isPositive ? boughtFundsKRW / boughtVolume : nil
    }
}

/// One exit leg (strategy.md §7).
public struct LedgerEntry: Equatable, Codable, Sendable {
    public var positionId: Int
    public var market: String
    public var entryTime: Milliseconds
    public var entryPrice: Fixed
    public var exitTime: Milliseconds
    public var exitPrice: Fixed
    public var volume: Fixed
    public var grossPnLKRW: Fixed
    public var feeKRW: Fixed
    public var netPnLKRW: Fixed
    /// Net P&L in percent of the leg's entry cost.
    public var returnPercent: Fixed
    public var reason: ExitReason

    public init(positionId: Int, market: String, entryTime: Milliseconds, entryPrice: Fixed, exitTime: Milliseconds,
                exitPrice: Fixed, volume: Fixed, grossPnLKRW: Fixed, feeKRW: Fixed, netPnLKRW: Fixed,
                returnPercent: Fixed, reason: ExitReason) {
        self.positionId = positionId
        self.market = market
        self.entryTime = entryTime
        self.entryPrice = entryPrice
        self.exitTime = exitTime
        self.exitPrice = exitPrice
        self.volume = volume
        self.grossPnLKRW = grossPnLKRW
        self.feeKRW = feeKRW
        self.netPnLKRW = netPnLKRW
        self.returnPercent = returnPercent
        self.reason = reason
    }
}
