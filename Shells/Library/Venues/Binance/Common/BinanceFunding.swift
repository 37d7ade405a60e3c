import Core

/// One funding settlement of a symbol, as `GET /fapi/v1/income` lists it: what the account paid
/// (negative) or received, and when.
public struct BinanceFunding: Equatable, Sendable {
    public var symbol: String
    public var amount: Fixed
    public var time: Milliseconds

    public init(symbol: String, amount: Fixed, time: Milliseconds) {
        self.symbol = symbol
        self.amount = amount
        self.time = time
    }
}
