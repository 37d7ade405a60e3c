/// What the venue says the account holds: the cash of the quote asset (free, and locked by
/// working orders) and, per market, what the account holds for a position there (a spot venue's
/// coins, free and locked; a margin venue's position size). The adapter builds it from the
/// venue's own answer (Upbit's currency balances, a futures account's positions).
public struct AccountSnapshot: Equatable, Codable, Sendable {
    /// Free cash; nil when the snapshot does not say (a push of other assets only).
    public var cash: Fixed?
    /// Cash locked by working orders; nil when the snapshot does not say.
    public var lockedCash: Fixed?
    /// By market symbol. A snapshot lists the markets it knows of: a market it leaves out holds
    /// nothing in a full snapshot (`balancesFetched`) and is not compared in a push. On a margin
    /// venue the size is signed: a short position is negative.
    public var holdings: [String: Fixed]

    public init(cash: Fixed?, lockedCash: Fixed?, holdings: [String: Fixed] = [:]) {
        self.cash = cash
        self.lockedCash = lockedCash
        self.holdings = holdings
    }
}
