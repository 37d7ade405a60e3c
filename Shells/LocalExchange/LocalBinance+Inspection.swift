import Core
import Shells

/// What tests and the demo read of the server's books.
extension LocalBinance {
    public struct OrderSummary: Sendable, Equatable {
        public var clientId: String
        public var symbol: String
        /// Binance's status (`FILLED`, `CANCELED`, …; for algo orders `NEW`, `FINISHED`, …).
        public var status: String
        public var executedQuantity: Fixed
        public var isAlgo: Bool
    }

    /// Every regular and algo order, in the order they were taken.
    public func orderSummaries() -> [OrderSummary] {
        let regular = book.orders.values.sorted { $0.orderId < $1.orderId }.map {
            OrderSummary(clientId: $0.clientOrderId, symbol: $0.symbol, status: $0.status.rawValue,
                         executedQuantity: $0.executedQuantity, isAlgo: false)
        }
        let algos = book.algos.values.sorted { $0.algoId < $1.algoId }.map {
            OrderSummary(clientId: $0.clientAlgoId, symbol: $0.symbol, status: $0.status.rawValue,
                         executedQuantity: $0.actualQuantity, isAlgo: true)
        }
        return regular + algos
    }

    /// Signed position sizes by symbol (flat symbols left out).
    public func positionSizes() -> [String: Fixed] {
        exchange.positions.filter { !$0.value.quantity.isZero }.mapValues(\.quantity)
    }

    /// Books a funding line in the account's income history, as a settlement does (for readers
    /// of `GET /fapi/v1/income` tested without waiting for 00:00, 08:00 or 16:00 UTC).
    public func recordFunding(_ symbol: String, amount: Fixed, time: Milliseconds) {
        ledger.addIncome(symbol, "FUNDING_FEE", amount, tradeId: nil, time: time)
    }

    /// The mark price the server holds for a symbol.
    public func markPrice(_ symbol: String) -> Fixed? { market.marks[symbol].flatMap { $0["p"]?.decimal } }
}
