import Core
import Shells

/// A regular order as Binance reports it: the request's terms, Binance's id, and what it did.
struct BinanceOrderRecord {
    let orderId: Int64
    let clientOrderId: String
    let symbol: String
    let side: Side
    /// MARKET or LIMIT (a triggered stop's child is MARKET with `originalType` STOP_MARKET).
    let type: String
    var originalType: String
    let price: Fixed
    let quantity: Fixed
    let reduceOnly: Bool
    var closePosition = false
    var status = BinanceOrderStatus.new
    var executedQuantity: Fixed = 0
    var executedQuote: Fixed = 0
    var fee: Fixed = 0
    let createTime: Milliseconds
    var updateTime: Milliseconds

    var averagePrice: Fixed { executedQuantity.isPositive ? executedQuote / executedQuantity : 0 }
    var isOpen: Bool { status == .new || status == .partiallyFilled }
}

/// A conditional (algo) order: a STOP_MARKET with closePosition on the mark price.
struct BinanceAlgoRecord {
    let algoId: Int64
    let clientAlgoId: String
    let symbol: String
    let side: Side
    let triggerPrice: Fixed
    var status = BinanceAlgoOrder.Status.new
    let createTime: Milliseconds
    var updateTime: Milliseconds
    var triggerTime: Milliseconds = 0
    var actualOrderId: Int64?
    var actualPrice: Fixed = 0
    var actualQuantity: Fixed = 0
}

/// Every order the server has taken, by Binance id, and what each exchange identifier (a client
/// id: `FuturesExchange` keys its orders by it) stands for now.
struct BinanceOrderBook {
    enum Live { case order(Int64), algo(Int64) }

    var orders: [Int64: BinanceOrderRecord] = [:]
    var algos: [Int64: BinanceAlgoRecord] = [:]
    var live: [String: Live] = [:]
    /// Above 2^53, as Binance's are (ids must be read as Int64, never Double).
    var nextOrderId: Int64 = 8_389_765_739_703_600_001
    var nextAlgoId: Int64 = 1_000_000_033_225_001
    var nextTradeId: Int64 = 109_100_001
    var nextGeneratedClientId = 1

    /// The newest order with this client id (ids are unique among open orders only).
    func order(clientOrderId: String) -> BinanceOrderRecord? {
        orders.values.filter { $0.clientOrderId == clientOrderId }.max { $0.orderId < $1.orderId }
    }

    func algo(clientAlgoId: String) -> BinanceAlgoRecord? {
        algos.values.filter { $0.clientAlgoId == clientAlgoId }.max { $0.algoId < $1.algoId }
    }

    mutating func takeOrderId() -> Int64 {
        defer { nextOrderId += 1 }
        return nextOrderId
    }

    mutating func takeTradeId() -> Int64 {
        defer { nextTradeId += 1 }
        return nextTradeId
    }
}

/// Per-symbol settings the bot configures: margin type, the dead-man switch; leverage is one
/// for the account (the simulated exchange has one).
struct BinanceAccountSettings {
    var leverage = 20
    /// Binance's default is CROSSED; the simulation's accounting is isolated whatever is set.
    var marginTypes: [String: String] = [:]
    /// countdownCancelAll: when each symbol's open orders are cancelled, and the countdown.
    var countdowns: [String: (deadline: Milliseconds, length: Milliseconds)] = [:]
    /// Positions told of a margin call (told once until the ratio recovers).
    var marginCalled = Set<String>()
}
