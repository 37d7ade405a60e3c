import Core

/// Decodes the user data stream's events (binance-futures.md §7.6), bare or in the combined
/// wrapper. They are few (one per order change), so the frame is read into a `JSONValue` on the
/// same depth-bounded scanner as the market frames. Unknown fields are ignored, unknown event
/// types are `.other`; decimals are strings, ids Int64; `E` may be a string (listenKeyExpired).
public enum BinanceUserFrameDecoder {
    public static let maximumFrameBytes = 1 << 20
    static let maximumItems = 1_000

    public static func decode(_ bytes: [UInt8]) throws(FrameError) -> BinanceUserEvent {
        guard bytes.count <= maximumFrameBytes else { throw .malformed("frame larger than \(maximumFrameBytes) bytes") }
        var json = try JSONValue.parse(bytes)
        if json["e"] == nil, let data = json["data"] { json = data }
        guard let type = json["e"]?.string else { throw .missing("e") }
        let time = try BinanceChecks.time(json["E"]?.integer, field: "E")
        switch type {
        case "ORDER_TRADE_UPDATE": return .order(try orderEvent(try object(json["o"], "o"), eventTime: time))
        case "TRADE_LITE": return .tradeLite(try tradeLite(json))
        case "ACCOUNT_UPDATE": return .account(try accountUpdate(try object(json["a"], "a"), time: time))
        case "ALGO_UPDATE": return .algo(try algoUpdate(try object(json["o"], "o"), time: time))
        case "MARGIN_CALL": return .marginCall(try marginCall(json, time: time))
        case "ACCOUNT_CONFIG_UPDATE":
            let leverage = json["ac"]?["l"]?.integer
            guard leverage.map({ (1...1_000).contains($0) }) ?? true else { throw .malformed("implausible leverage") }
            return .configuration(symbol: try json["ac"]?["s"].map { value throws(FrameError) in try BinanceChecks.symbol(value.string, field: "ac.s") },
                                  leverage: leverage.map(Int.init), multiAssetsMode: json["ai"]?["j"]?.bool, time: time)
        case "listenKeyExpired": return .listenKeyExpired(time: time)
        default: return .other(type: String(type.prefix(64)))
        }
    }

    public static func decode(_ text: String) throws(FrameError) -> BinanceUserEvent { try decode(Array(text.utf8)) }

    static func object(_ value: JSONValue?, _ field: String) throws(FrameError) -> JSONValue {
        guard let value, case .object = value else { throw .missing(field) }
        return value
    }

    static func orderEvent(_ order: JSONValue, eventTime: Milliseconds) throws(FrameError) -> BinanceOrderEvent {
        guard let statusText = order["X"]?.string, let status = BinanceOrderStatus(rawValue: statusText) else { throw .missing("X") }
        guard let identifier = order["c"]?.string, (1...64).contains(identifier.utf8.count) else { throw .missing("c") }
        guard let orderId = order["i"]?.integer else { throw .missing("i") }
        let quantity = try BinanceChecks.amount(order["z"]?.decimal, field: "z")
        let average = try BinanceChecks.amount(order["ap"]?.decimal ?? 0, field: "ap")
        let quote = try BinanceChecks.amount(average * quantity, field: "ap × z")
        let time = try order["T"]?.integer.map { value throws(FrameError) in try BinanceChecks.time(value, field: "T") } ?? eventTime
        let update = OrderUpdate(identifier: identifier, uuid: "\(orderId)", market: try BinanceChecks.symbol(order["s"]?.string, field: "s"),
                                 state: status.status, executedQuantity: quantity, executedQuote: quote, paidFee: 0, time: time,
                                 side: BinanceSide.parse(order["S"]?.string))
        return BinanceOrderEvent(
            update: update, executionType: String((order["x"]?.string ?? "").prefix(32)), orderId: orderId,
            tradeId: order["t"]?.integer ?? 0,
            lastQuantity: try BinanceChecks.amount(order["l"]?.decimal ?? 0, field: "l"),
            lastPrice: try BinanceChecks.amount(order["L"]?.decimal ?? 0, field: "L"),
            commission: try BinanceChecks.amount(order["n"]?.decimal ?? 0, field: "n"),
            commissionAsset: order["N"]?.string.map { String($0.prefix(16)) },
            realizedProfit: try BinanceChecks.signedAmount(order["rp"]?.decimal ?? 0, field: "rp"),
            isMaker: order["m"]?.bool ?? false, reduceOnly: order["R"]?.bool ?? false,
            orderType: String((order["o"]?.string ?? "").prefix(32)),
            expiryReason: order["er"]?.integer.flatMap { Int(exactly: $0) })
    }

    static func tradeLite(_ json: JSONValue) throws(FrameError) -> BinanceTradeLite {
        guard let identifier = json["c"]?.string, (1...64).contains(identifier.utf8.count) else { throw .missing("c") }
        guard let orderId = json["i"]?.integer else { throw .missing("i") }
        guard let tradeId = json["t"]?.integer else { throw .missing("t") }
        guard let side = BinanceSide.parse(json["S"]?.string) else { throw .missing("S") }
        return BinanceTradeLite(
            symbol: try BinanceChecks.symbol(json["s"]?.string, field: "s"), clientOrderId: identifier, orderId: orderId,
            tradeId: tradeId, side: side, lastPrice: try BinanceChecks.amount(json["L"]?.decimal, field: "L"),
            lastQuantity: try BinanceChecks.amount(json["l"]?.decimal, field: "l"), isMaker: json["m"]?.bool ?? false,
            time: try BinanceChecks.time(json["T"]?.integer, field: "T"))
    }

    static func accountUpdate(_ account: JSONValue, time: Milliseconds) throws(FrameError) -> BinanceAccountUpdate {
        let balanceItems = account["B"]?.array ?? []
        let positionItems = account["P"]?.array ?? []
        guard balanceItems.count <= maximumItems, positionItems.count <= maximumItems else { throw .malformed("too many items") }
        var balances: [BinanceAccountUpdate.Balance] = []
        for item in balanceItems {
            guard let asset = item["a"]?.string, (1...16).contains(asset.utf8.count) else { throw .missing("B.a") }
            balances.append(BinanceAccountUpdate.Balance(
                asset: asset, walletBalance: try BinanceChecks.signedAmount(item["wb"]?.decimal, field: "wb"),
                crossWalletBalance: try BinanceChecks.signedAmount(item["cw"]?.decimal ?? 0, field: "cw"),
                balanceChange: try BinanceChecks.signedAmount(item["bc"]?.decimal ?? 0, field: "bc")))
        }
        var positions: [BinancePosition] = []
        for item in positionItems { positions.append(try position(item, amountKey: "pa", unrealizedKey: "up")) }
        return BinanceAccountUpdate(reason: String((account["m"]?.string ?? "").prefix(32)),
                                    symbol: try account["S"].map { value throws(FrameError) in try BinanceChecks.symbol(value.string, field: "a.S") },
                                    balances: balances, positions: positions, time: time)
    }

    static func position(_ item: JSONValue, amountKey: String, unrealizedKey: String) throws(FrameError) -> BinancePosition {
        BinancePosition(
            symbol: try BinanceChecks.symbol(item["s"]?.string, field: "P.s"),
            positionSide: String((item["ps"]?.string ?? "BOTH").prefix(8)),
            amount: try BinanceChecks.signedAmount(item[amountKey]?.decimal, field: amountKey),
            entryPrice: try BinanceChecks.amount(item["ep"]?.decimal ?? 0, field: "ep"),
            unrealizedProfit: try BinanceChecks.signedAmount(item[unrealizedKey]?.decimal ?? 0, field: unrealizedKey),
            isolatedWallet: try BinanceChecks.amount(item["iw"]?.decimal ?? 0, field: "iw"),
            markPrice: try item["mp"].map { value throws(FrameError) in try BinanceChecks.amount(value.decimal, field: "mp") },
            marginType: item["mt"]?.string.map { String($0.prefix(16)) })
    }

    static func algoUpdate(_ algo: JSONValue, time: Milliseconds) throws(FrameError) -> BinanceAlgoOrder {
        guard let algoId = algo["aid"]?.integer else { throw .missing("aid") }
        guard let clientAlgoId = algo["caid"]?.string, (1...64).contains(clientAlgoId.utf8.count) else { throw .missing("caid") }
        guard let statusText = algo["X"]?.string, let status = BinanceAlgoOrder.Status(rawValue: statusText) else { throw .missing("X") }
        func optional(_ key: String) throws(FrameError) -> Fixed? {
            guard let text = algo[key]?.string, !text.isEmpty else { return nil }
            return try BinanceChecks.amount(Fixed(text), field: key)
        }
        var actualOrderId: Int64?
        if let text = algo["ai"]?.string, !text.isEmpty {
            guard let identifier = algo["ai"]?.integer, identifier >= 0 else { throw .malformed("implausible ai") }
            actualOrderId = identifier
        }
        return BinanceAlgoOrder(
            algoId: algoId, clientAlgoId: clientAlgoId, symbol: try BinanceChecks.symbol(algo["s"]?.string, field: "s"),
            side: BinanceSide.parse(algo["S"]?.string), orderType: String((algo["o"]?.string ?? "").prefix(32)), status: status,
            triggerPrice: try optional("tp"), actualOrderId: actualOrderId, averagePrice: try optional("ap"),
            executedQuantity: try optional("aq"), time: time)
    }

    static func marginCall(_ json: JSONValue, time: Milliseconds) throws(FrameError) -> BinanceMarginCall {
        let items = json["p"]?.array ?? []
        guard items.count <= maximumItems else { throw .malformed("too many positions") }
        var positions: [BinancePosition] = []
        var maintenance: [String: Fixed] = [:]
        for item in items {
            let position = try position(item, amountKey: "pa", unrealizedKey: "up")
            positions.append(position)
            maintenance[position.symbol] = try BinanceChecks.amount(item["mm"]?.decimal ?? 0, field: "mm")
        }
        return BinanceMarginCall(
            crossWalletBalance: try json["cw"].map { value throws(FrameError) in try BinanceChecks.signedAmount(value.decimal, field: "cw") },
            positions: positions, maintenanceMargins: maintenance, time: time)
    }
}
