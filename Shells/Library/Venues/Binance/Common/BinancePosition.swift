import Core

/// One position as Binance reports it (`GET /fapi/v3/positionRisk`, ACCOUNT_UPDATE's `P`).
public struct BinancePosition: Equatable, Sendable {
    public var symbol: String
    /// `BOTH` in one-way mode.
    public var positionSide: String
    /// Signed: negative is short.
    public var amount: Fixed
    public var entryPrice: Fixed
    public var unrealizedProfit: Fixed
    /// The isolated position's own wallet (0 when cross-margined).
    public var isolatedWallet: Fixed
    /// Only in positionRisk answers.
    public var markPrice: Fixed?
    public var liquidationPrice: Fixed?
    /// Only in ACCOUNT_UPDATE (`isolated` / `cross`).
    public var marginType: String?

    public init(symbol: String, positionSide: String, amount: Fixed, entryPrice: Fixed, unrealizedProfit: Fixed,
                isolatedWallet: Fixed, markPrice: Fixed? = nil, liquidationPrice: Fixed? = nil, marginType: String? = nil) {
        self.symbol = symbol
        self.positionSide = positionSide
        self.amount = amount
        self.entryPrice = entryPrice
        self.unrealizedProfit = unrealizedProfit
        self.isolatedWallet = isolatedWallet
        self.markPrice = markPrice
        self.liquidationPrice = liquidationPrice
        self.marginType = marginType
    }
}
