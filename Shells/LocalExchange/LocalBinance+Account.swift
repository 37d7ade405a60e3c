import Core
import Foundation
import Shells

/// Account, positions, configuration and the listen key (§3.6, §7.5).
extension LocalBinance {
    /// The simulated exchange has one leverage for the account: a change is taken only while
    /// nothing is open anywhere (the exchange is rebuilt with the same cash and market); with a
    /// position or an open order it is refused (-4161), unless it changes nothing.
    func setLeverage(_ parameters: [String: String]) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard let leverage = parameters["leverage"].flatMap({ Int($0) }), (1...125).contains(leverage) else {
            return .error(400, -4028, "Leverage is not valid.")
        }
        if leverage != settings.leverage {
            let busy = exchange.positions.values.contains { !$0.quantity.isZero }
                || book.orders.values.contains(where: \.isOpen) || book.algos.values.contains { $0.status == .new }
            guard !busy else {
                return .error(400, -4161, "The local server has one leverage per account: close positions and orders first.")
            }
            rebuildExchange(leverage: leverage)
        }
        return LocalResponse(json: #"{"symbol":"\#(symbol)","leverage":\#(leverage),"maxNotionalValue":"1000000"}"#)
    }

    private func rebuildExchange(leverage: Int) {
        let marks = exchange.markPrices
        let rates = exchange.fundingRates
        exchange = FuturesExchange(cash: exchange.available + exchange.locked, leverage: leverage, makerFee: options.makerFee,
                                   takerFee: options.takerFee)
        exchange.fundingRates = rates
        for book in market.books.values { exchange.receive(book) }
        for trade in market.trades.values { _ = exchange.receive(trade) }
        for (symbol, mark) in marks { _ = exchange.receive(markPrice: mark, market: symbol, time: serverNow) }
        settings.leverage = leverage
    }

    /// ISOLATED or CROSSED; -4046 when unchanged, -4047/-4048 when open orders or a position
    /// block it. (The accounting stays isolated whatever is set.)
    func setMarginType(_ parameters: [String: String]) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard let type = parameters["marginType"], type == "ISOLATED" || type == "CROSSED" else {
            return .error(400, -1102, "Parameter 'marginType' must be ISOLATED or CROSSED.")
        }
        if (settings.marginTypes[symbol] ?? "CROSSED") == type { return .error(400, -4046, "No need to change margin type.") }
        if book.orders.values.contains(where: { $0.isOpen && $0.symbol == symbol }) {
            return .error(400, -4047, "Margin type cannot be changed if there exists open orders.")
        }
        if !(exchange.positions[symbol]?.quantity.isZero ?? true) {
            return .error(400, -4048, "Margin type cannot be changed if there exists position.")
        }
        settings.marginTypes[symbol] = type
        return LocalResponse(json: #"{"code":200,"msg":"success"}"#)
    }

    func commissionRate(_ symbol: String?) -> LocalResponse {
        guard let symbol, instruments[symbol] != nil else { return .error(400, -1121, "Invalid symbol.") }
        return LocalResponse(json: #"{"symbol":"\#(symbol)","makerCommissionRate":"\#(options.makerFee)","takerCommissionRate":"\#(options.takerFee)","rpiCommissionRate":"0"}"#)
    }

    /// Symbols with a position or open orders.
    func activeSymbols(_ only: String?) -> [String] {
        var symbols = Set(exchange.positions.filter { !$0.value.quantity.isZero }.keys)
        symbols.formUnion(book.orders.values.filter(\.isOpen).map(\.symbol))
        symbols.formUnion(book.algos.values.filter { $0.status == .new }.map(\.symbol))
        return symbols.filter { only == nil || $0 == only }.sorted()
    }

    func positionRisk(_ symbol: String?, time: Milliseconds) -> LocalResponse {
        if let symbol, instruments[symbol] == nil { return .error(400, -1121, "Invalid symbol.") }
        return LocalResponse(json: "[" + activeSymbols(symbol).map { positionJSON($0, risk: true, time: time) }.joined(separator: ",") + "]")
    }

    func positionJSON(_ symbol: String, risk: Bool, time: Milliseconds) -> String {
        let position = exchange.positions[symbol] ?? FuturesExchange.Position()
        let mark = exchange.markPrices[symbol] ?? market.trades[symbol]?.price ?? 0
        let unrealized = unrealized(symbol, position)
        let notional = position.quantity * mark
        let maintenance = notional.magnitude * exchange.maintenanceMarginRate
        let initial = notional.magnitude / Fixed(settings.leverage)
        let u = BinanceJSON.usdt
        if risk {
            let liquidation = exchange.liquidationPrice(symbol) ?? 0
            return #"{"symbol":"\#(symbol)","positionSide":"BOTH","positionAmt":"\#(position.quantity)","entryPrice":"\#(u(position.entryPrice))","breakEvenPrice":"\#(u(position.entryPrice))","markPrice":"\#(mark)","unRealizedProfit":"\#(u(unrealized))","liquidationPrice":"\#(u(Fixed.max(liquidation, 0)))","isolatedMargin":"\#(u(position.margin + unrealized))","notional":"\#(u(notional))","marginAsset":"USDT","isolatedWallet":"\#(u(position.margin))","initialMargin":"\#(u(initial))","maintMargin":"\#(u(maintenance))","positionInitialMargin":"\#(u(initial))","openOrderInitialMargin":"0","adl":1,"bidNotional":"0","askNotional":"0","updateTime":\#(time)}"#
        }
        return #"{"symbol":"\#(symbol)","positionSide":"BOTH","positionAmt":"\#(position.quantity)","unrealizedProfit":"\#(u(unrealized))","isolatedMargin":"\#(u(position.margin + unrealized))","notional":"\#(u(notional))","isolatedWallet":"\#(u(position.margin))","initialMargin":"\#(u(initial))","maintMargin":"\#(u(maintenance))","updateTime":\#(time)}"#
    }

    /// `GET /fapi/v3/account`: totals, the USDT asset, and the active positions.
    func account(time: Milliseconds) -> LocalResponse {
        let symbols = activeSymbols(nil)
        let unrealizedTotal = symbols.reduce(Fixed.zero) { $0 + unrealized($1, exchange.positions[$1] ?? FuturesExchange.Position()) }
        let margins = exchange.positions.values.reduce(Fixed.zero) { $0 + $1.margin }
        let wallet = walletBalance
        let u = BinanceJSON.usdt
        let asset = #"{"asset":"USDT","walletBalance":"\#(u(wallet))","unrealizedProfit":"\#(u(unrealizedTotal))","marginBalance":"\#(u(wallet + unrealizedTotal))","maintMargin":"0","initialMargin":"\#(u(margins + exchange.locked))","positionInitialMargin":"\#(u(margins))","openOrderInitialMargin":"\#(u(exchange.locked))","crossWalletBalance":"\#(u(exchange.available + exchange.locked))","crossUnPnl":"0","availableBalance":"\#(u(exchange.available))","maxWithdrawAmount":"\#(u(exchange.available))","updateTime":\#(time)}"#
        let positions = symbols.map { positionJSON($0, risk: false, time: time) }.joined(separator: ",")
        return LocalResponse(json: #"{"totalInitialMargin":"\#(u(margins + exchange.locked))","totalMaintMargin":"0","totalWalletBalance":"\#(u(wallet))","totalUnrealizedProfit":"\#(u(unrealizedTotal))","totalMarginBalance":"\#(u(wallet + unrealizedTotal))","totalPositionInitialMargin":"\#(u(margins))","totalOpenOrderInitialMargin":"\#(u(exchange.locked))","totalCrossWalletBalance":"\#(u(exchange.available + exchange.locked))","totalCrossUnPnl":"0","availableBalance":"\#(u(exchange.available))","maxWithdrawAmount":"\#(u(exchange.available))","assets":[\#(asset)],"positions":[\#(positions)]}"#)
    }

    // MARK: - Listen key

    /// One key for the account: POST while it is active returns it, extended.
    func createListenKey(time: Milliseconds) -> LocalResponse {
        let key = listenKey?.key ?? LocalBinance.makeListenKey()
        listenKey = (key, time + options.listenKeyLifetime)
        return LocalResponse(json: #"{"listenKey":"\#(key)"}"#)
    }

    func keepListenKey(time: Milliseconds) -> LocalResponse {
        guard let key = listenKey?.key else { return .error(400, -1125, "This listenKey does not exist.") }
        listenKey = (key, time + options.listenKeyLifetime)
        return LocalResponse(json: #"{"listenKey":"\#(key)"}"#)
    }

    func closeListenKey() -> LocalResponse {
        if let key = listenKey?.key { closeUserSockets(key) }
        listenKey = nil
        return LocalResponse(json: "{}")
    }

    /// 64 letters and digits, as Binance's.
    static func makeListenKey() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<64).map { _ in alphabet.randomElement()! })
    }

    /// An expired key (its time passed, or the fault) tells its sockets and ends them.
    func expireListenKeyIfDue(time: Milliseconds) {
        guard let (key, expires) = listenKey, expires <= time || faults.expireListenKey else { return }
        faults.expireListenKey = false
        sendUser(BinanceJSON.listenKeyExpired(key, time: time), type: "listenKeyExpired")
        closeUserSockets(key)
        listenKey = nil
    }
}
