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
/// upbit-ws-myasset.md), on the same byte-level scanner as the market frames.
public enum PrivateFrameDecoder {
    public static func decode(_ bytes: [UInt8]) throws(FrameError) -> PrivateFrame {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FrameError) -> PrivateFrame in
                var fields = PrivateFields()
                var scanner = JSONScanner(buffer)
                try scanner.object { scanner, key throws(FrameError) in try fields.read(key, from: &scanner) }
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw .malformed("trailing bytes after the frame") }
                return try fields.frame()
            }
        }
        return try result.get()
    }
}

private struct PrivateFields {
    var type: String?
    var code: String?
    var uuid: String?
    var state: String?
    var identifier: String?
    var executedQuantity: Fixed?
    var executedFunds: Fixed?
    var paidFee: Fixed?
    var timestamp: Int64?
    var tradeTimestamp: Int64?
    var assets: [Balance]?
    var status: String?
    var error: (name: String, message: String)?

    // `KeyHash` of each key, as literals (checked by `KeyHashTests`).
    static let type: UInt64 = 0x78DDE6E598598920 /* type */, typeShort: UInt64 = 0x3C6EF372FE94815E /* ty */
    static let code: UInt64 = 0x78DDE6E5984D9F37 /* code */, codeShort: UInt64 = 0x3C6EF372FE949C49 /* cd */
    static let uuid: UInt64 = 0x78DDE6E599408521 /* uuid */, uuidShort: UInt64 = 0xDAA66D2C7DBB1D4A /* uid */
    static let state: UInt64 = 0x171560FA0815181A /* state */, stateShort: UInt64 = 0x9E3779B97F4A7C66 /* s */
    static let identifier: UInt64 = 0xD7E35017D1A91E5A /* identifier */, identifierShort: UInt64 = 0x3C6EF372FE949C43 /* id */
    static let executedQuantity: UInt64 = 0xE67633C828112E4A /* executed_volume */, executedVolumeShort: UInt64 = 0x3C6EF372FE948E4F /* ev */
    static let executedFunds: UInt64 = 0xFC248D3E6EA411A2 /* executed_funds */, executedFundsShort: UInt64 = 0x3C6EF372FE949E4F /* ef */
    static let paidFee: UInt64 = 0x2283DB1B8DE6C768 /* paid_fee */, paidFeeShort: UInt64 = 0x3C6EF372FE949E5A /* pf */
    static let timestamp: UInt64 = 0x9A06A97474183CDC /* timestamp */, timestampShort: UInt64 = 0xDAA66D2C7DAC194B /* tms */
    static let tradeTimestamp: UInt64 = 0x54A0E43979D73E5A /* trade_timestamp */, tradeTimestampShort: UInt64 = 0x78DDE6E58E448420 /* ttms */
    static let assets: UInt64 = 0xB54CA92C9ECD9B1F /* assets */, assetsShort: UInt64 = 0xDAA66D2C7DAB075E /* ast */
    static let currency: UInt64 = 0xCD8CB80B5698B18C /* currency */, currencyShort: UInt64 = 0x3C6EF372FE948D49 /* cu */
    static let balance: UInt64 = 0x53E1377C1A6505F1 /* balance */, balanceShort: UInt64 = 0x9E3779B97F4A7C77 /* b */
    static let locked: UInt64 = 0xB54CBE3D90DD8712 /* locked */, lockedShort: UInt64 = 0x9E3779B97F4A7C79 /* l */
    static let status: UInt64 = 0xB54CA92D8FDF9C0D /* status */
    static let error: UInt64 = 0x171560ED13061E0C /* error */
    static let name: UInt64 = 0x78DDE6E59844913A /* name */
    static let message: UInt64 = 0x53E13373087A01FE /* message */

    mutating func read(_ key: JSONScanner.Key, from scanner: inout JSONScanner) throws(FrameError) {
        switch key.hash {
        case PrivateFields.type, PrivateFields.typeShort: type = try scanner.string()
        case PrivateFields.code, PrivateFields.codeShort: code = try scanner.string()
        case PrivateFields.uuid, PrivateFields.uuidShort: uuid = try scanner.string()
        case PrivateFields.state, PrivateFields.stateShort: state = try scanner.string()
        case PrivateFields.identifier, PrivateFields.identifierShort: identifier = try scanner.string()
        case PrivateFields.executedQuantity, PrivateFields.executedVolumeShort: executedQuantity = try scanner.decimal()
        case PrivateFields.executedFunds, PrivateFields.executedFundsShort: executedFunds = try scanner.decimal()
        case PrivateFields.paidFee, PrivateFields.paidFeeShort: paidFee = try scanner.decimal()
        case PrivateFields.timestamp, PrivateFields.timestampShort: timestamp = try scanner.integer()
        case PrivateFields.tradeTimestamp, PrivateFields.tradeTimestampShort: tradeTimestamp = try scanner.integer()
        case PrivateFields.assets, PrivateFields.assetsShort: assets = try PrivateFields.readAssets(&scanner)
        case PrivateFields.status: status = try scanner.string()
        case PrivateFields.error: error = try PrivateFields.readError(&scanner)
        default: try scanner.skipValue()
        }
    }

    static func readAssets(_ scanner: inout JSONScanner) throws(FrameError) -> [Balance] {
        var balances: [Balance] = []
        try scanner.array { scanner throws(FrameError) in
            var currency: String?
            var balance: Fixed?
            var locked: Fixed = 0
            try scanner.object { scanner, key throws(FrameError) in
                switch key.hash {
                case PrivateFields.currency, PrivateFields.currencyShort: currency = try scanner.string()
                case PrivateFields.balance, PrivateFields.balanceShort: balance = try scanner.decimal()
                case PrivateFields.locked, PrivateFields.lockedShort: locked = try scanner.decimal() ?? 0
                default: try scanner.skipValue()
                }
            }
            guard let currency, let balance else { throw .missing("assets.balance") }
            balances.append(Balance(currency: currency, balance: balance, locked: locked))
        }
        return balances
    }

    static func readError(_ scanner: inout JSONScanner) throws(FrameError) -> (name: String, message: String) {
        var name = "unknown"
        var message = ""
        try scanner.object { scanner, key throws(FrameError) in
            switch key.hash {
            case PrivateFields.name:
                let start = scanner.position
                if let text = try? scanner.string() { name = text } else {
                    scanner.position = start
                    name = try scanner.integer().map(String.init) ?? "unknown"
                }
            case PrivateFields.message: message = try scanner.string() ?? ""
            default: try scanner.skipValue()
            }
        }
        return (name, message)
    }

    func frame() throws(FrameError) -> PrivateFrame {
        if let error { return .error(name: error.name, message: error.message) }
        if let status, type == nil { return .status(status) }
        guard let type else { throw .missing("type") }
        switch type {
        case "myOrder":
            let code = try FrameChecks.market(code)
            guard let identifier, (1...64).contains(identifier.utf8.count) else { throw .missing("identifier") }
            guard let stateText = state, let state = UpbitOrderState(rawValue: stateText) else { throw .missing("state") }
            let time = try FrameChecks.time(timestamp ?? tradeTimestamp, field: "timestamp")
            return .order(OrderUpdate(identifier: identifier, uuid: uuid, market: code, state: state.status,
                                      executedQuantity: try FrameChecks.amount(executedQuantity, field: "executed_volume"),
                                      executedQuote: try FrameChecks.amount(executedFunds, field: "executed_funds"),
                                      paidFee: try FrameChecks.amount(paidFee, field: "paid_fee"), time: time))
        case "myAsset":
            guard let assets else { throw .missing("assets") }
            for asset in assets {
                _ = try FrameChecks.currency(asset.currency)
                _ = try FrameChecks.amount(asset.balance, field: "balance")
                _ = try FrameChecks.amount(asset.locked, field: "locked")
            }
            return .assets(assets, time: try FrameChecks.time(timestamp, field: "timestamp"))
        default:
            return .other(type: type)
        }
    }
}
