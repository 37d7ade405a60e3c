import Core
import Shells

/// Binance's JSON shapes (binance-futures.md §3.7, §7.6), written by hand so decimals stay exact
/// strings and ids stay integers.
enum BinanceJSON {
    static func side(_ side: Side) -> String { side == .buy ? "BUY" : "SELL" }

    /// USDT amounts with at most 8 decimals.
    static func usdt(_ value: Fixed) -> String { "\(value.rounded(places: 8))" }

    static func order(_ order: BinanceOrderRecord, asAcknowledged: Bool = false) -> String {
        let status = asAcknowledged ? BinanceOrderStatus.new : order.status
        let executed = asAcknowledged ? Fixed.zero : order.executedQuantity
        let quote = asAcknowledged ? Fixed.zero : order.executedQuote
        let average = asAcknowledged ? Fixed.zero : order.averagePrice
        return #"{"orderId":\#(order.orderId),"symbol":"\#(order.symbol)","status":"\#(status.rawValue)","clientOrderId":"\#(order.clientOrderId)","price":"\#(order.price)","avgPrice":"\#(usdt(average))","origQty":"\#(order.quantity)","executedQty":"\#(executed)","cumQty":"\#(executed)","cumQuote":"\#(usdt(quote))","timeInForce":"GTC","type":"\#(order.type)","reduceOnly":\#(order.reduceOnly),"closePosition":\#(order.closePosition),"side":"\#(side(order.side))","positionSide":"BOTH","stopPrice":"0","workingType":"CONTRACT_PRICE","priceProtect":false,"origType":"\#(order.originalType)","priceMatch":"NONE","selfTradePreventionMode":"EXPIRE_MAKER","goodTillDate":0,"time":\#(order.createTime),"updateTime":\#(order.updateTime)}"#
    }

    /// An algo order; `detailed` (GET) adds the child's fields once triggered.
    static func algo(_ algo: BinanceAlgoRecord, detailed: Bool) -> String {
        var text = #"{"algoId":\#(algo.algoId),"clientAlgoId":"\#(algo.clientAlgoId)","algoType":"CONDITIONAL","orderType":"STOP_MARKET","symbol":"\#(algo.symbol)","side":"\#(side(algo.side))","positionSide":"BOTH","timeInForce":"GTC","quantity":"0","algoStatus":"\#(algo.status.rawValue)","triggerPrice":"\#(algo.triggerPrice)","price":"0","icebergQuantity":null,"selfTradePreventionMode":"EXPIRE_MAKER","workingType":"MARK_PRICE","priceMatch":"NONE","closePosition":true,"priceProtect":false,"reduceOnly":false,"activatePrice":"","callbackRate":"","createTime":\#(algo.createTime),"updateTime":\#(algo.updateTime),"triggerTime":\#(algo.triggerTime),"goodTillDate":0"#
        if detailed {
            let actual = algo.actualOrderId.map { "\"\($0)\"" } ?? "\"\""
            text += #","actualOrderId":\#(actual),"actualPrice":"\#(usdt(algo.actualPrice))","actualType":"MARKET","actualQty":"\#(algo.actualQuantity)""#
        }
        return text + "}"
    }

    /// A row of `GET /fapi/v1/userTrades`.
    static func trade(_ trade: BinanceTradeRecord) -> String {
        #"{"symbol":"\#(trade.symbol)","id":\#(trade.tradeId),"orderId":\#(trade.orderId),"side":"\#(side(trade.side))","price":"\#(trade.price)","qty":"\#(trade.quantity)","realizedPnl":"\#(usdt(trade.realizedProfit))","quoteQty":"\#(usdt(trade.price * trade.quantity))","commission":"\#(usdt(trade.commission))","commissionAsset":"USDT","time":\#(trade.time),"positionSide":"BOTH","buyer":\#(trade.side == .buy),"maker":\#(trade.isMaker)}"#
    }

    /// A row of `GET /fapi/v1/income` (`tradeId` is a string, "" for funding).
    static func income(_ line: BinanceIncomeRecord) -> String {
        let trade = line.tradeId.map { "\($0)" } ?? ""
        return #"{"symbol":"\#(line.symbol)","incomeType":"\#(line.type)","income":"\#(usdt(line.income))","asset":"USDT","info":"\#(line.type)","time":\#(line.time),"tranId":\#(line.transactionId),"tradeId":"\#(trade)"}"#
    }

    struct Fill {
        var quantity: Fixed
        var price: Fixed
        var fee: Fixed
        var tradeId: Int64
        var realizedProfit: Fixed
        var isMaker: Bool
    }

    /// ORDER_TRADE_UPDATE: `execution` NEW, TRADE, CANCELED, EXPIRED or CALCULATED.
    static func orderTradeUpdate(_ order: BinanceOrderRecord, execution: String, fill: Fill?, time: Milliseconds) -> String {
        let last = fill ?? Fill(quantity: 0, price: 0, fee: 0, tradeId: 0, realizedProfit: 0, isMaker: false)
        let commission = fill.map { #","N":"USDT","n":"\#(usdt($0.fee))""# } ?? ""
        return #"{"e":"ORDER_TRADE_UPDATE","E":\#(time + 1),"T":\#(time),"o":{"s":"\#(order.symbol)","c":"\#(order.clientOrderId)","S":"\#(side(order.side))","o":"\#(order.type)","f":"GTC","q":"\#(order.quantity)","p":"\#(order.price)","ap":"\#(usdt(order.averagePrice))","sp":"0","x":"\#(execution)","X":"\#(order.status.rawValue)","i":\#(order.orderId),"l":"\#(last.quantity)","z":"\#(order.executedQuantity)","L":"\#(last.price)"\#(commission),"T":\#(time),"t":\#(last.tradeId),"b":"0","a":"0","m":\#(last.isMaker),"R":\#(order.reduceOnly),"wt":"CONTRACT_PRICE","ot":"\#(order.originalType)","ps":"BOTH","cp":\#(order.closePosition),"rp":"\#(usdt(last.realizedProfit))","pP":false,"si":0,"ss":0,"V":"EXPIRE_MAKER","pm":"NONE","gtd":0,"er":"0"}}"#
    }

    static func tradeLite(_ order: BinanceOrderRecord, fill: Fill, time: Milliseconds) -> String {
        #"{"e":"TRADE_LITE","E":\#(time + 1),"T":\#(time),"s":"\#(order.symbol)","q":"\#(order.quantity)","p":"\#(order.price)","m":\#(fill.isMaker),"c":"\#(order.clientOrderId)","S":"\#(side(order.side))","L":"\#(fill.price)","l":"\#(fill.quantity)","t":\#(fill.tradeId),"i":\#(order.orderId)}"#
    }

    /// ACCOUNT_UPDATE with the USDT balance and, when given, one isolated position.
    static func accountUpdate(reason: String, symbol: String?, wallet: Fixed, change: Fixed,
                              position: (symbol: String, position: FuturesExchange.Position, unrealized: Fixed)?,
                              time: Milliseconds) -> String {
        let named = symbol.map { #","S":"\#($0)""# } ?? ""
        let positions = position.map { item in
            #"{"s":"\#(item.symbol)","pa":"\#(item.position.quantity)","ep":"\#(usdt(item.position.entryPrice))","bep":"\#(usdt(item.position.entryPrice))","cr":"0","up":"\#(usdt(item.unrealized))","mt":"isolated","iw":"\#(usdt(item.position.margin))","ps":"BOTH"}"#
        } ?? ""
        return #"{"e":"ACCOUNT_UPDATE","E":\#(time + 1),"T":\#(time),"a":{"m":"\#(reason)"\#(named),"B":[{"a":"USDT","wb":"\#(usdt(wallet))","cw":"\#(usdt(wallet))","bc":"\#(usdt(change))"}],"P":[\#(positions)]}}"#
    }

    static func algoUpdate(_ algo: BinanceAlgoRecord, time: Milliseconds) -> String {
        let actual = algo.actualOrderId.map { "\($0)" } ?? ""
        let child = algo.actualOrderId == nil ? "" : #","ap":"\#(usdt(algo.actualPrice))","aq":"\#(algo.actualQuantity)","act":"MARKET""#
        return #"{"e":"ALGO_UPDATE","T":\#(time),"E":\#(time + 2),"o":{"caid":"\#(algo.clientAlgoId)","aid":\#(algo.algoId),"at":"CONDITIONAL","o":"STOP_MARKET","s":"\#(algo.symbol)","S":"\#(side(algo.side))","ps":"BOTH","f":"GTC","q":"0","X":"\#(algo.status.rawValue)","ai":"\#(actual)"\#(child),"tp":"\#(algo.triggerPrice)","p":"0","V":"EXPIRE_MAKER","wt":"MARK_PRICE","pm":"NONE","cp":true,"pP":false,"R":false,"tt":\#(algo.triggerTime),"gtd":0}}"#
    }

    static func marginCall(symbol: String, position: FuturesExchange.Position, mark: Fixed, unrealized: Fixed,
                           maintenance: Fixed, time: Milliseconds) -> String {
        #"{"e":"MARGIN_CALL","E":\#(time),"p":[{"s":"\#(symbol)","ps":"BOTH","pa":"\#(position.quantity)","mt":"ISOLATED","iw":"\#(usdt(position.margin))","mp":"\#(mark)","up":"\#(usdt(unrealized))","mm":"\#(usdt(maintenance))"}]}"#
    }

    static func listenKeyExpired(_ key: String, time: Milliseconds) -> String {
        #"{"e":"listenKeyExpired","E":"\#(time)","listenKey":"\#(key)"}"#
    }
}
