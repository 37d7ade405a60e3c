import Core
import Shells

/// Upbit's JSON shapes, written by hand so keys keep Upbit's order and decimals stay exact.
enum LocalJSON {
    static func balances(_ balances: [Balance]) -> String {
        "[" + balances.map {
            #"{"currency":"\#($0.currency)","balance":"\#($0.balance)","locked":"\#($0.locked)","avg_buy_price":"0","avg_buy_price_modified":false,"unit_currency":"KRW"}"#
        }.joined(separator: ",") + "]"
    }

    static func candles(market: String, _ candles: [Candle]) -> String {
        "[" + candles.map { candle in
            let start = candle.minute * Time.minute
            let utc = ISOTime.string(start, milliseconds: false).dropLast()
            let kst = ISOTime.string(start + Milliseconds(UpbitVenue.profile.dayStartOffsetMinutes) * Time.minute, milliseconds: false).dropLast()
            return #"{"market":"\#(market)","candle_date_time_utc":"\#(utc)","candle_date_time_kst":"\#(kst)","opening_price":\#(candle.open),"high_price":\#(candle.high),"low_price":\#(candle.low),"trade_price":\#(candle.close),"timestamp":\#(start + 59_999),"candle_acc_trade_price":\#(candle.close * candle.volume),"candle_acc_trade_volume":\#(candle.volume),"unit":1}"#
        }.joined(separator: ",") + "]"
    }

    static func side(_ order: SimulatedExchange.Order) -> String { order.request.side == .buy ? "bid" : "ask" }

    static func type(_ order: SimulatedExchange.Order) -> String {
        switch order.shape {
        case .marketBuy: "price"
        case .marketSell: "market"
        case .limit: "limit"
        }
    }

    static func priceAndVolume(_ order: SimulatedExchange.Order) -> (price: String, volume: String) {
        switch order.shape {
        case .marketBuy(let amount): ("\"\(amount)\"", "null")
        case .marketSell(let volume): ("null", "\"\(volume)\"")
        case .limit(_, let price, let volume): ("\"\(price)\"", "\"\(volume)\"")
        }
    }

    /// The order object of the REST API. Created orders are shown as Upbit answers at creation
    /// (`wait`, nothing executed): fills follow on the private socket or a query.
    static func order(_ order: SimulatedExchange.Order, asCreated: Bool) -> String {
        let (price, volume) = priceAndVolume(order)
        let state = asCreated ? "wait" : order.state.rawValue
        let executed = asCreated ? Fixed.zero : order.executedQuantity
        let funds = asCreated ? Fixed.zero : order.fundsKRW
        let fee = asCreated ? Fixed.zero : order.feeKRW
        let trades = executed.isPositive
            ? #"[{"market":"\#(order.request.market)","uuid":"\#(order.uuid)-t","price":"\#(funds / executed)","volume":"\#(executed)","funds":"\#(funds)","side":"\#(side(order))"}]"#
            : "[]"
        return #"{"uuid":"\#(order.uuid)","side":"\#(side(order))","ord_type":"\#(type(order))","price":\#(price),"state":"\#(state)","market":"\#(order.request.market)","created_at":"2026-01-01T09:00:00+09:00","volume":\#(volume),"executed_volume":"\#(executed)","executed_funds":"\#(funds)","paid_fee":"\#(fee)","locked":"\#(asCreated ? Fixed.zero : order.locked)","trades_count":\#(executed.isPositive ? 1 : 0),"identifier":"\#(order.request.identifier)","trades":\#(trades)}"#
    }

    static func myOrder(_ order: SimulatedExchange.Order, update: OrderUpdate) -> String {
        let (price, volume) = priceAndVolume(order)
        return #"{"type":"myOrder","code":"\#(order.request.market)","uuid":"\#(order.uuid)","ask_bid":"\#(side(order).uppercased())","order_type":"\#(type(order))","state":"\#(UpbitOrderState(update.state).rawValue)","price":\#(price.replacingOccurrences(of: "\"", with: "")),"volume":\#(volume.replacingOccurrences(of: "\"", with: "")),"executed_volume":\#(update.executedQuantity),"executed_funds":\#(update.executedQuote),"paid_fee":\#(update.paidFee),"identifier":"\#(order.request.identifier)","timestamp":\#(update.time),"stream_type":"REALTIME"}"#
    }

    static func myAsset(_ balances: [Balance], time: Milliseconds) -> String {
        #"{"type":"myAsset","asset_uuid":"local","assets":["# + balances.map {
            #"{"currency":"\#($0.currency)","balance":\#($0.balance),"locked":\#($0.locked)}"#
        }.joined(separator: ",") + #"],"asset_timestamp":\#(time),"timestamp":\#(time),"stream_type":"REALTIME"}"#
    }
}
