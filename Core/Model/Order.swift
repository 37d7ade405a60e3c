/// An order the reducer has sent and not yet seen end. Ended orders leave `State.orders`.
public struct Order: Equatable, Codable, Sendable {
    public enum Purpose: String, Equatable, Codable, Sendable {
        case entry, entryFallback, restingTakeProfit, exit
        /// An exchange-side stop that closes the position if the bot is down (margin venues with
        /// `VenueProfile.safetyStopBuffer`): a backstop, not one of the reducer's own exits.
        case safetyStop
    }

    public enum Phase: String, Equatable, Codable, Sendable {
        /// Sent, no answer yet.
        case sent
        /// The send's outcome is unknown: it is being settled by queries.
        case unknown
        /// On the exchange.
        case open
        /// A cancel was sent; waiting for the final state.
        case cancelling
        /// Decided while orders lost in a crash are being looked for: sent once they are found.
        case held
        /// Held, then cancelled before it was sent: it ends without fills when the hold lifts.
        case withdrawn
    }

    public var request: OrderRequest
    public var positionId: Int
    public var purpose: Purpose
    /// The ledger reason of an exit.
    public var exitReason: ExitReason?
    public var phase: Phase
    public var uuid: String?
    /// Quote set aside for an entry (cost or margin, plus fee) not yet spent.
    public var reserved: Fixed
    public var executedQuantity: Fixed = 0
    public var executedQuote: Fixed = 0
    public var paidFee: Fixed = 0
    public var sentAt: Milliseconds
    /// When a `queryOrder` was sent and not answered yet.
    public var queryAskedAt: Milliseconds?
    /// When to ask the exchange about this order next (unknown outcome, slow cancel).
    public var nextQueryAt: Milliseconds?
    /// A resting limit entry is cancelled at this time.
    public var cancelAt: Milliseconds?
    /// Updates that could not be booked (impossible amounts, implausible time): each one delays
    /// the settling query further.
    @Defaulted<Zero> public var distrustedUpdates = 0
    /// Cumulative amounts of an update whose price looked implausible: booked only when the
    /// exchange, asked by query, says the same.
    public var questionedQuantity: Fixed?
    public var questionedQuote: Fixed?
    /// Not-found answers to queries of an order whose send is unknown: the first and the newest.
    public var firstNotFoundAt: Milliseconds?
    public var lastNotFoundAt: Milliseconds?
    /// The open-orders fetch asked after the first not-found, and whether it showed the order absent.
    public var openOrdersCheckId: Int?
    @Defaulted<False> public var absentFromOpenOrders = false

    public init(request: OrderRequest, positionId: Int, purpose: Purpose, exitReason: ExitReason? = nil, phase: Phase,
                uuid: String? = nil, reserved: Fixed, sentAt: Milliseconds, cancelAt: Milliseconds? = nil) {
        self.request = request
        self.positionId = positionId
        self.purpose = purpose
        self.exitReason = exitReason
        self.phase = phase
        self.uuid = uuid
        self.reserved = reserved
        self.sentAt = sentAt
        self.cancelAt = cancelAt
    }

    public var identifier: String { request.identifier }
    public var market: String { request.market }
    public var side: Side { request.side }

    /// The quantity the order asks for (nil for a quote-sized market buy).
    public var requestedQuantity: Fixed? { request.requestedQuantity }

    /// Entries open or add to a position; everything else reduces it.
    public var isEntry: Bool { purpose == .entry || purpose == .entryFallback }

    /// One of the reducer's own exits (not an entry, not the exchange-side safety stop).
    public var isOwnExit: Bool { purpose == .exit || purpose == .restingTakeProfit }
}

/// Why an exit leg happened (the ledger's `reason`).
public enum ExitReason: String, Equatable, Codable, Sendable {
    case takeProfit = "take_profit"
    case partialTakeProfit = "partial_take_profit"
    case trailingStop = "trailing_stop"
    case stopLoss = "stop_loss"
    case timeStop = "time_stop"
    case manual
    case endOfData = "end_of_data"
    /// A sell the journal lost in a crash, found on the exchange and adopted.
    case recovered
    /// The exchange-side safety stop closed the position (margin venues).
    case exchangeStop = "exchange_stop"
    /// The venue liquidated the position.
    case liquidation
    /// Unrealised losses reached `risk.max_unrealized_loss`: everything was closed.
    case emergencyStop = "emergency_stop"
    /// Not an exit: a funding payment of a perpetual position (its own ledger line).
    case funding
}
