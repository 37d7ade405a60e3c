import Core

/// Decodes Upbit's public WebSocket frames (DEFAULT and SIMPLE keys), as sent, binary or text.
/// Unknown keys, nulls and exponent numbers are fine; a frame that is not JSON or lacks a field
/// the bot needs throws, and the caller logs, counts and skips it.
public enum MarketFrameDecoder {
    /// How much of an orderbook to decode: every level, or only the best one (what the strategy
    /// needs; the rest is checked for well-formed JSON but not converted).
    public enum BookDepth: Sendable { case full, best }

    public static func decode(_ bytes: UnsafeRawBufferPointer, depth: BookDepth = .full) throws(FrameError) -> MarketFrame {
        var fields = Fields()
        fields.depth = depth
        var scanner = JSONScanner(bytes)
        try scanner.object { scanner, key throws(FrameError) in try fields.read(key, from: &scanner) }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw .malformed("trailing bytes after the frame") }
        return try fields.frame()
    }

    public static func decode(_ text: String) throws(FrameError) -> MarketFrame {
        var copy = text
        let result = copy.withUTF8 { buffer in
            Result { () throws(FrameError) in try decode(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}

/// The fields of every frame type, gathered in one pass.
private struct Fields {
    enum Kind { case trade, orderbook, ticker, other }

    var depth = MarketFrameDecoder.BookDepth.full
    var kind: Kind?
    var typeName: String?
    var code: String?
    var tradePrice: Fixed?
    var tradeVolume: Fixed?
    var askBid: Side?
    var tradeTimestamp: Int64?
    var timestamp: Int64?
    var sequentialId: Int64?
    var totalAskSize: Fixed?
    var totalBidSize: Fixed?
    var levels: [Orderbook.Level]?
    var accumulatedTradeVolume24h: Fixed?
    var status: String?
    var errorName: String?
    var errorMessage: String?

    // `KeyHash` of each key, as literals so that reading them costs nothing (a computed
    // static would be initialised lazily, checked on every access). `KeyHashTests` checks them.
    static let type: UInt64 = 0x78DDE6E598598920 /* type */, typeShort: UInt64 = 0x3C6EF372FE94815E /* ty */
    static let code: UInt64 = 0x78DDE6E5984D9F37 /* code */, codeShort: UInt64 = 0x3C6EF372FE949C49 /* cd */
    static let tradePrice: UInt64 = 0x744D4C037A58C787 /* trade_price */, tradePriceShort: UInt64 = 0x3C6EF372FE94885E /* tp */
    static let tradeVolume: UInt64 = 0xC34AFDEFB8623D69 /* trade_volume */, tradeVolumeShort: UInt64 = 0x3C6EF372FE948E5E /* tv */
    static let askBid: UInt64 = 0x53E03D70246217F2 /* ask_bid */, askBidShort: UInt64 = 0x3C6EF372FE949A4B /* ab */
    static let tradeTimestamp: UInt64 = 0x54A0E43979D73E5A /* trade_timestamp */, tradeTimestampShort: UInt64 = 0x78DDE6E58E448420 /* ttms */
    static let timestamp: UInt64 = 0x9A06A97474183CDC /* timestamp */, timestampShort: UInt64 = 0xDAA66D2C7DAC194B /* tms */
    static let sequentialId: UInt64 = 0x3D14E231281D4C74 /* sequential_id */, sequentialIdShort: UInt64 = 0xDAA66D2C7DBB1D4C /* sid */
    static let totalAsk: UInt64 = 0x6B4D10CFDF3FD6FF /* total_ask_size */, totalAskShort: UInt64 = 0xDAA66D2C7DAC154B /* tas */
    static let totalBid: UInt64 = 0x70DA5D8B93F55D28 /* total_bid_size */, totalBidShort: UInt64 = 0xDAA66D2C7DAC164B /* tbs */
    static let units: UInt64 = 0x94C503AD8B3D8CB7 /* orderbook_units */, unitsShort: UInt64 = 0xDAA66D2C7DAA1650 /* obu */
    static let volume24h: UInt64 = 0xFD7D0694A308C5B9 /* acc_trade_volume_24h */, volume24hShort: UInt64 = 0xB54CB26CC9C89C1F /* atv24h */
    static let status: UInt64 = 0xB54CA92D8FDF9C0D /* status */
    static let error: UInt64 = 0x171560ED13061E0C /* error */
    static let askPrice: UInt64 = 0x46DDB32069AFC0CB /* ask_price */, askPriceShort: UInt64 = 0x3C6EF372FE94884B /* ap */
    static let bidPrice: UInt64 = 0x99DDF51D95D3E1CA /* bid_price */, bidPriceShort: UInt64 = 0x3C6EF372FE948848 /* bp */
    static let askSize: UInt64 = 0x2BE5433FED61E364 /* ask_size */, askSizeShort: UInt64 = 0x3C6EF372FE948B4B /* as */
    static let bidSize: UInt64 = 0x2A710E7BA1A472B0 /* bid_size */, bidSizeShort: UInt64 = 0x3C6EF372FE948B48 /* bs */
    static let name: UInt64 = 0x78DDE6E59844913A /* name */, message: UInt64 = 0x53E13373087A01FE /* message */

    mutating func read(_ key: JSONScanner.Key, from scanner: inout JSONScanner) throws(FrameError) {
        switch key.hash {
        case Fields.type, Fields.typeShort: try readType(&scanner)
        case Fields.code, Fields.codeShort: code = try scanner.string()
        case Fields.tradePrice, Fields.tradePriceShort: tradePrice = try scanner.decimal()
        case Fields.tradeVolume, Fields.tradeVolumeShort: tradeVolume = try scanner.decimal()
        case Fields.askBid, Fields.askBidShort:
            askBid = try scanner.stringEquals("BID") ? .buy : .sell
        case Fields.tradeTimestamp, Fields.tradeTimestampShort: tradeTimestamp = try scanner.integer()
        case Fields.timestamp, Fields.timestampShort: timestamp = try scanner.integer()
        case Fields.sequentialId, Fields.sequentialIdShort: sequentialId = try scanner.integer()
        case Fields.totalAsk, Fields.totalAskShort: totalAskSize = try scanner.decimal()
        case Fields.totalBid, Fields.totalBidShort: totalBidSize = try scanner.decimal()
        case Fields.units, Fields.unitsShort: levels = try Fields.readLevels(&scanner, depth: depth)
        case Fields.volume24h, Fields.volume24hShort: accumulatedTradeVolume24h = try scanner.decimal()
        case Fields.status: status = try scanner.string()
        case Fields.error: try readError(&scanner)
        default: try scanner.skipValue()
        }
    }

    mutating func readType(_ scanner: inout JSONScanner) throws(FrameError) {
        let start = scanner.position
        if try scanner.stringEquals("trade") { kind = .trade; return }
        scanner.position = start
        if try scanner.stringEquals("orderbook") { kind = .orderbook; return }
        scanner.position = start
        if try scanner.stringEquals("ticker") { kind = .ticker; return }
        scanner.position = start
        kind = .other
        typeName = try scanner.string()
    }

    mutating func readError(_ scanner: inout JSONScanner) throws(FrameError) {
        var name: String?
        var message: String?
        try scanner.object { scanner, key throws(FrameError) in
            switch key.hash {
            case Fields.name:
                // Upbit's quotation errors carry an integer name.
                let start = scanner.position
                if let text = try? scanner.string() { name = text } else {
                    scanner.position = start
                    name = try scanner.integer().map(String.init)
                }
            case Fields.message: message = try scanner.string()
            default: try scanner.skipValue()
            }
        }
        errorName = name ?? "unknown"
        errorMessage = message ?? ""
    }

    static func readLevels(_ scanner: inout JSONScanner, depth: MarketFrameDecoder.BookDepth) throws(FrameError)
        -> [Orderbook.Level] {
        var levels: [Orderbook.Level] = []
        levels.reserveCapacity(depth == .full ? 30 : 1)
        try scanner.expect(UInt8(ascii: "["))
        if scanner.consume(UInt8(ascii: "]")) { return levels }
        repeat {
            levels.append(try readLevel(&scanner))
            if depth == .best, scanner.consume(UInt8(ascii: ",")) {
                try scanner.skipRestOfFlatArray()
                return levels
            }
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
        return levels
    }

    static func readLevel(_ scanner: inout JSONScanner) throws(FrameError) -> Orderbook.Level {
        var level = Orderbook.Level(askPrice: 0, askSize: 0, bidPrice: 0, bidSize: 0)
        try scanner.object { scanner, key throws(FrameError) in
            switch key.hash {
            case askPrice, askPriceShort: level.askPrice = try scanner.decimal() ?? 0
            case bidPrice, bidPriceShort: level.bidPrice = try scanner.decimal() ?? 0
            case askSize, askSizeShort: level.askSize = try scanner.decimal() ?? 0
            case bidSize, bidSizeShort: level.bidSize = try scanner.decimal() ?? 0
            default: try scanner.skipValue()
            }
        }
        return level
    }

    func frame() throws(FrameError) -> MarketFrame {
        if let errorName { return .error(name: errorName, message: errorMessage ?? "") }
        if let status, kind == nil { return .status(status) }
        guard let kind else { throw .missing("type") }
        switch kind {
        case .trade:
            let code = try FrameChecks.market(code)
            guard let tradePrice else { throw .missing("trade_price") }
            guard let tradeVolume else { throw .missing("trade_volume") }
            guard let askBid else { throw .missing("ask_bid") }
            let time = try FrameChecks.time(tradeTimestamp ?? timestamp, field: "trade_timestamp")
            guard let sequentialId else { throw .missing("sequential_id") }
            return .trade(Trade(market: code, price: tradePrice, volume: tradeVolume, side: askBid, time: time,
                                sequentialId: sequentialId))
        case .orderbook:
            let code = try FrameChecks.market(code)
            let timestamp = try FrameChecks.time(timestamp, field: "timestamp")
            guard let levels else { throw .missing("orderbook_units") }
            return .orderbook(Orderbook(market: code, time: timestamp, totalAskSize: totalAskSize ?? 0,
                                        totalBidSize: totalBidSize ?? 0, levels: levels))
        case .ticker:
            let code = try FrameChecks.market(code)
            guard let tradePrice else { throw .missing("trade_price") }
            let time = try FrameChecks.time(tradeTimestamp ?? timestamp, field: "timestamp")
            return .ticker(Ticker(market: code, tradePrice: tradePrice, accumulatedTradeVolume24h: accumulatedTradeVolume24h,
                                  time: time))
        case .other:
            return .other(type: typeName ?? "")
        }
    }
}

