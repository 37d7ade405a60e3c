import Core
import Shells

/// One fill as `GET /fapi/v1/userTrades` reports it; `tradeId` is the `t` of the
/// ORDER_TRADE_UPDATE (and TRADE_LITE) that told of it.
struct BinanceTradeRecord {
    let tradeId: Int64
    let orderId: Int64
    let symbol: String
    let side: Side
    let price: Fixed
    let quantity: Fixed
    let realizedProfit: Fixed
    let commission: Fixed
    let isMaker: Bool
    let time: Milliseconds
}

/// One line of `GET /fapi/v1/income`: REALIZED_PNL, COMMISSION (negative) or FUNDING_FEE.
struct BinanceIncomeRecord {
    let transactionId: Int64
    let symbol: String
    let type: String
    let income: Fixed
    /// The fill's trade id; nil for funding.
    let tradeId: Int64?
    let time: Milliseconds
}

/// The account's fills and income lines, oldest first.
struct BinanceLedger {
    var trades: [BinanceTradeRecord] = []
    var income: [BinanceIncomeRecord] = []
    var nextTransactionId: Int64 = 9_689_322_001

    /// A fill: its trade, its commission and, when it realized something, its P&L.
    mutating func record(_ order: BinanceOrderRecord, _ fill: BinanceJSON.Fill, time: Milliseconds) {
        trades.append(BinanceTradeRecord(
            tradeId: fill.tradeId, orderId: order.orderId, symbol: order.symbol, side: order.side, price: fill.price,
            quantity: fill.quantity, realizedProfit: fill.realizedProfit, commission: fill.fee, isMaker: fill.isMaker, time: time))
        if !fill.realizedProfit.isZero {
            addIncome(order.symbol, "REALIZED_PNL", fill.realizedProfit, tradeId: fill.tradeId, time: time)
        }
        if !fill.fee.isZero { addIncome(order.symbol, "COMMISSION", -fill.fee, tradeId: fill.tradeId, time: time) }
    }

    mutating func addIncome(_ symbol: String, _ type: String, _ amount: Fixed, tradeId: Int64?, time: Milliseconds) {
        income.append(BinanceIncomeRecord(transactionId: nextTransactionId, symbol: symbol, type: type, income: amount,
                                          tradeId: tradeId, time: time))
        nextTransactionId += 1
    }
}
