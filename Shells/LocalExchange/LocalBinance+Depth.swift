import Core
import Shells

/// `GET /fapi/v1/depth` (§3.1) from the newest depth20 payload the market streamed (prices
/// after a drop included): at most 20 levels a side, whatever larger limit is asked.
extension LocalBinance {
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
        guard let book = market.depths[symbol] else {
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
