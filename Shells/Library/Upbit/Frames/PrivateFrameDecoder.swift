import Core

/// One frame of Upbit's private WebSocket (`/websocket/v1/private`).
public enum PrivateFrame: Equatable, Sendable {
    /// `myOrder`: what happened to one of our orders (cumulative amounts).
    case order(OrderUpdate)
    /// `myAsset`: balances after a change.
    case assets([Balance], time: Milliseconds)
    case status(String)
    case error(name: String, message: String)
    case other(type: String)
}

/// Decodes myOrder and myAsset frames, DEFAULT or SIMPLE keys (seeds upbit-ws-myorder.md,
/// upbit-ws-myasset.md). Private frames are rare, so this reads a JSON tree: simple over fast.
public enum PrivateFrameDecoder {
    public static func decode(_ bytes: [UInt8]) throws(FrameError) -> PrivateFrame {
        let json = try JSONValue.parse(bytes)
        guard case .object = json else { throw .malformed("not an object") }
        func field(_ long: String, _ short: String) -> JSONValue? { json[long] ?? json[short] }
        if let error = json["error"] {
            return .error(name: error["name"]?.string ?? "unknown", message: error["message"]?.string ?? "")
        }
        if let status = json["status"]?.string, field("type", "ty") == nil { return .status(status) }
        guard let type = field("type", "ty")?.string else { throw .missing("type") }
        switch type {
        case "myOrder":
            guard let code = field("code", "cd")?.string else { throw .missing("code") }
            guard let identifier = field("identifier", "id")?.string else { throw .missing("identifier") }
            guard let stateText = field("state", "s")?.string, let state = ExchangeOrderState(rawValue: stateText) else {
                throw .missing("state")
            }
            guard let time = (field("timestamp", "tms") ?? field("trade_timestamp", "ttms"))?.integer else {
                throw .missing("timestamp")
            }
            return .order(OrderUpdate(
                identifier: identifier, uuid: field("uuid", "uid")?.string, market: code, state: state,
                executedVolume: field("executed_volume", "ev")?.decimal ?? 0,
                executedFundsKRW: field("executed_funds", "ef")?.decimal ?? 0,
                paidFeeKRW: field("paid_fee", "pf")?.decimal ?? 0, time: time))
        case "myAsset":
            guard let assets = field("assets", "ast")?.array else { throw .missing("assets") }
            var balances: [Balance] = []
            for asset in assets {
                guard let currency = (asset["currency"] ?? asset["cu"])?.string,
                      let balance = (asset["balance"] ?? asset["b"])?.decimal else { throw .missing("assets.balance") }
                balances.append(Balance(currency: currency, balance: balance, locked: (asset["locked"] ?? asset["l"])?.decimal ?? 0))
            }
            return .assets(balances, time: field("timestamp", "tms")?.integer ?? 0)
        default:
            return .other(type: type)
        }
    }
}
