import Core
import Shells

/// The market-data routes (§3.1): exchangeInfo, klines, premiumIndex, and the depth from the
/// newest depth20 payload the market streamed (prices after a drop included: at most 20 levels a
/// side, whatever larger limit is asked).
extension LocalBinance {
    func exchangeInfo(time: Milliseconds) -> LocalResponse {
        let line = generator.exchangeInfoLine()
        guard let symbols = line.range(of: #""symbols":"#) else { return .error(500, -1000, "no exchangeInfo") }
        let limits = options.limits
        let rateLimits = #"[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":\#(limits.weightPerMinute)},{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":\#(limits.ordersPerMinute)},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":\#(limits.ordersPerTenSeconds)}]"#
        return LocalResponse(json: #"{"timezone":"UTC","serverTime":\#(time),"rateLimits":\#(rateLimits),"assets":[{"asset":"USDT","marginAvailable":true}],"# + line[symbols.lowerBound...])
    }

    /// 1-minute klines of the generated history and the live market, oldest first.
    func klines(_ parameters: [String: String]) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard parameters["interval"] == "1m" else { return .error(400, -1120, "Invalid interval (the local server has 1m only).") }
        let limit = min(max(parameters["limit"].flatMap { Int($0) } ?? 500, 1), 1_500)
        let start = parameters["startTime"].flatMap { Milliseconds($0) } ?? .min
        let end = parameters["endTime"].flatMap { Milliseconds($0) } ?? .max
        let rows = (market.klines[symbol] ?? []).filter { $0.openTime >= start && $0.openTime <= end }
        let chosen = parameters["startTime"] != nil ? Array(rows.prefix(limit)) : Array(rows.suffix(limit))
        return LocalResponse(json: "[" + chosen.map(\.row).joined(separator: ",") + "]")
    }

    func premiumIndex(_ symbol: String?, time: Milliseconds) -> LocalResponse {
        if let symbol {
            guard instruments[symbol] != nil else { return .error(400, -1121, "Invalid symbol.") }
            guard let mark = market.marks[symbol] else { return .error(400, -1121, "No mark price yet.") }
            return LocalResponse(json: premiumIndexJSON(symbol, mark, time: time))
        }
        return LocalResponse(json: "[" + market.marks.keys.sorted().map { premiumIndexJSON($0, market.marks[$0]!, time: time) }
            .joined(separator: ",") + "]")
    }

    private func premiumIndexJSON(_ symbol: String, _ mark: JSONValue, time: Milliseconds) -> String {
        func text(_ key: String) -> String { mark[key]?.string ?? "0" }
        return #"{"symbol":"\#(symbol)","markPrice":"\#(text("p"))","indexPrice":"\#(text("i"))","estimatedSettlePrice":"\#(text("P"))","lastFundingRate":"\#(text("r"))","interestRate":"0.00010000","nextFundingTime":\#(mark["T"]?.integer ?? 0),"time":\#(mark["E"]?.integer ?? time)}"#
    }

    static let depthLimits = [5, 10, 20, 50, 100, 500, 1_000]

    /// 2 up to 50 levels, 5 for 100, 10 for 500, 20 for 1000.
    static func depthWeight(limit: Int) -> Int { limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20 }

    static func depthLimit(_ parameters: [String: String]) -> Int? {
        guard let text = parameters["limit"] else { return 500 }
        return Int(text)
    }

    func depth(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        let symbol: String
        switch self.symbol(parameters) {
        case .success(let name): symbol = name
        case .failure(let refusal): return refusal
        }
        guard let limit = LocalBinance.depthLimit(parameters), LocalBinance.depthLimits.contains(limit) else {
            return .error(400, -1130, "Data sent for parameter 'limit' is not valid.")
        }
        guard let line = market.depthLines[symbol], let (_, original) = LocalBinance.split(line),
              let book = try? JSONValue.parse(market.priceFactor == 1 ? original : scaled(original)) else {
            return LocalResponse(json: #"{"lastUpdateId":0,"E":\#(time),"T":\#(time),"bids":[],"asks":[]}"#)
        }
        func levels(_ key: String) -> String {
            "[" + (book[key]?.array ?? []).prefix(limit).map(LocalBinance.render).joined(separator: ",") + "]"
        }
        let update = book["u"]?.integer ?? 0
        let transaction = book["T"]?.integer ?? time
        return LocalResponse(json: #"{"lastUpdateId":\#(update),"E":\#(time),"T":\#(transaction),"bids":\#(levels("b")),"asks":\#(levels("a"))}"#)
    }
}
