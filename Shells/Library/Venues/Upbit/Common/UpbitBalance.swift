import Core

/// One currency of `GET /v1/accounts` or of a myAsset frame (free and locked).
public struct Balance: Equatable, Codable, Sendable {
    public var currency: String
    public var balance: Fixed
    public var locked: Fixed

    public init(currency: String, balance: Fixed, locked: Fixed) {
        self.currency = currency
        self.balance = balance
        self.locked = locked
    }
}

extension UpbitVenue {
    /// Upbit's currency balances as the core's account: KRW is the cash, a coin `X` (free +
    /// locked) what the account holds in market `KRW-X`.
    public static func account(_ balances: [Balance]) -> AccountSnapshot {
        var account = AccountSnapshot(cash: nil, lockedCash: nil)
        for balance in balances {
            if balance.currency == profile.quoteAsset {
                account.cash = balance.balance
                account.lockedCash = balance.locked
            } else {
                account.holdings[profile.symbolPrefix + balance.currency] = balance.balance + balance.locked
            }
        }
        return account
    }
}
