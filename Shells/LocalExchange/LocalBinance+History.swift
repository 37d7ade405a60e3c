import Core
import Shells

/// The account's history (§3.2, §3.6): `GET /fapi/v1/allOrders`, `/fapi/v1/userTrades` and
/// `/fapi/v1/income`, oldest first. Without a starting point (startTime, orderId, fromId) the
/// newest `limit` rows are given, else the first `limit` from it; without any time or id, the
/// last 7 days.
extension LocalBinance {
    static let week: Milliseconds = 7 * 86_400_000

    /// The time window asked for: [startTime, endTime], the last 7 days when neither (and no id
    /// to start from) is sent; `maximumSpan`: longer windows are refused (-1127).
    static func window(_ parameters: [String: String], startsFromId: Bool, maximumSpan: Milliseconds?,
                       now: Milliseconds) -> Result<ClosedRange<Milliseconds>, LocalResponse> {
        var bounds: [Milliseconds?] = []
        for key in ["startTime", "endTime"] {
            guard let text = parameters[key] else {
                bounds.append(nil)
                continue
            }
            guard let value = Milliseconds(text), value >= 0 else {
                return .failure(.error(400, -1102, "Parameter '\(key)' was empty/null, or malformed."))
            }
            bounds.append(value)
        }
        switch (bounds[0], bounds[1]) {
        case (nil, nil): return .success(startsFromId ? Milliseconds.min...Milliseconds.max : (now - week)...Milliseconds.max)
        case (let start?, nil): return .success(start...(maximumSpan.map { start + $0 } ?? .max))
        case (nil, let end?): return .success((maximumSpan.map { end - $0 } ?? .min)...end)
        case (let start?, let end?):
            guard start <= end else { return .failure(.error(400, -1102, "startTime must not be after endTime.")) }
            if let maximumSpan, end - start > maximumSpan {
                return .failure(.error(400, -1127, "More than \(maximumSpan / 3_600_000) hours between startTime and endTime."))
            }
            return .success(start...end)
        }
    }

    /// `limit` within 1…`maximum` (`fallback` when absent).
    static func limit(_ parameters: [String: String], fallback: Int, maximum: Int) -> Result<Int, LocalResponse> {
        guard let text = parameters["limit"] else { return .success(fallback) }
        guard let value = Int(text), value > 0 else { return .failure(.error(400, -1102, "Parameter 'limit' was empty/null, or malformed.")) }
        return .success(min(value, maximum))
    }

    static func identifier(_ parameters: [String: String], _ key: String) -> Result<Int64?, LocalResponse> {
        guard let text = parameters[key] else { return .success(nil) }
        guard let value = Int64(text) else { return .failure(.error(400, -1102, "Parameter '\(key)' was empty/null, or malformed.")) }
        return .success(value)
    }

    /// The first `limit` rows when the query has a starting point, else the newest `limit`.
    static func page<Row>(_ rows: [Row], limit: Int, fromStart: Bool) -> [Row] {
        fromStart ? Array(rows.prefix(limit)) : Array(rows.suffix(limit))
    }

    /// The symbol when sent (checked), nil when not.
    func optionalSymbol(_ parameters: [String: String]) -> Result<String?, LocalResponse> {
        guard parameters["symbol"] != nil else { return .success(nil) }
        return symbol(parameters).map { $0 }
    }

    /// `GET /fapi/v1/allOrders`: regular orders (stop children and liquidations included) of one
    /// symbol or, without `symbol`, of all; from `orderId` up when sent.
    func allOrders(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        do throws(LocalResponse) {
            let symbol = try optionalSymbol(parameters).get()
            let fromOrder = try LocalBinance.identifier(parameters, "orderId").get()
            let window = try LocalBinance.window(parameters, startsFromId: fromOrder != nil, maximumSpan: LocalBinance.week, now: time).get()
            let limit = try LocalBinance.limit(parameters, fallback: 500, maximum: 1_000).get()
            let rows = book.orders.values
                .filter { order in
                    (symbol == nil || order.symbol == symbol) && order.orderId >= (fromOrder ?? .min) && window.contains(order.createTime)
                }
                .sorted { $0.orderId < $1.orderId }
            let chosen = LocalBinance.page(rows, limit: limit, fromStart: fromOrder != nil || parameters["startTime"] != nil)
            return LocalResponse(json: "[" + chosen.map { BinanceJSON.order($0) }.joined(separator: ",") + "]")
        } catch {
            return error
        }
    }

    /// `GET /fapi/v1/userTrades`: the symbol's fills, of one order when `orderId` is sent, from
    /// trade `fromId` up when sent (not with a time, -1128).
    func userTrades(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        do throws(LocalResponse) {
            let symbol = try self.symbol(parameters).get()
            let orderId = try LocalBinance.identifier(parameters, "orderId").get()
            let fromId = try LocalBinance.identifier(parameters, "fromId").get()
            if fromId != nil, parameters["startTime"] != nil || parameters["endTime"] != nil {
                return .error(400, -1128, "Combination of optional parameters invalid.")
            }
            let window = try LocalBinance.window(parameters, startsFromId: fromId != nil || orderId != nil,
                                                 maximumSpan: LocalBinance.week, now: time).get()
            let limit = try LocalBinance.limit(parameters, fallback: 500, maximum: 1_000).get()
            let rows = ledger.trades.filter { trade in
                trade.symbol == symbol && (orderId == nil || trade.orderId == orderId) && trade.tradeId >= (fromId ?? .min)
                    && window.contains(trade.time)
            }
            let chosen = LocalBinance.page(rows, limit: limit, fromStart: fromId != nil || parameters["startTime"] != nil)
            return LocalResponse(json: "[" + chosen.map(BinanceJSON.trade).joined(separator: ",") + "]")
        } catch {
            return error
        }
    }

    /// `GET /fapi/v1/income`: REALIZED_PNL, COMMISSION and FUNDING_FEE lines, of a symbol and a
    /// type when sent.
    func income(_ parameters: [String: String], time: Milliseconds) -> LocalResponse {
        do throws(LocalResponse) {
            let symbol = try optionalSymbol(parameters).get()
            let type = parameters["incomeType"]
            let window = try LocalBinance.window(parameters, startsFromId: false, maximumSpan: nil, now: time).get()
            let limit = try LocalBinance.limit(parameters, fallback: 100, maximum: 1_000).get()
            let rows = ledger.income.filter { line in
                (symbol == nil || line.symbol == symbol) && (type == nil || line.type == type) && window.contains(line.time)
            }
            let chosen = LocalBinance.page(rows, limit: limit, fromStart: parameters["startTime"] != nil)
            return LocalResponse(json: "[" + chosen.map(BinanceJSON.income).joined(separator: ",") + "]")
        } catch {
            return error
        }
    }
}
