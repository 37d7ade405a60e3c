import Core

/// Decodes Upbit's public WebSocket frames (DEFAULT and SIMPLE keys), as sent, binary or text.
/// Unknown keys, nulls and exponent numbers are fine; a frame that is not JSON or lacks a field
/// the bot needs throws, and the caller logs, counts and skips it.
public enum MarketFrameDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> MarketFrame {
        var fields = Fields()
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

    static let type = JSONScanner.hash("type"), typeShort = JSONScanner.hash("ty")
    static let code = JSONScanner.hash("code"), codeShort = JSONScanner.hash("cd")
    static let tradePrice = JSONScanner.hash("trade_price"), tradePriceShort = JSONScanner.hash("tp")
    static let tradeVolume = JSONScanner.hash("trade_volume"), tradeVolumeShort = JSONScanner.hash("tv")
    static let askBid = JSONScanner.hash("ask_bid"), askBidShort = JSONScanner.hash("ab")
    static let tradeTimestamp = JSONScanner.hash("trade_timestamp"), tradeTimestampShort = JSONScanner.hash("ttms")
    static let timestamp = JSONScanner.hash("timestamp"), timestampShort = JSONScanner.hash("tms")
    static let sequentialId = JSONScanner.hash("sequential_id"), sequentialIdShort = JSONScanner.hash("sid")
    static let totalAsk = JSONScanner.hash("total_ask_size"), totalAskShort = JSONScanner.hash("tas")
    static let totalBid = JSONScanner.hash("total_bid_size"), totalBidShort = JSONScanner.hash("tbs")
    static let units = JSONScanner.hash("orderbook_units"), unitsShort = JSONScanner.hash("obu")
    static let volume24h = JSONScanner.hash("acc_trade_volume_24h"), volume24hShort = JSONScanner.hash("atv24h")
    static let status = JSONScanner.hash("status")
    static let error = JSONScanner.hash("error")
    static let askPrice = JSONScanner.hash("ask_price"), askPriceShort = JSONScanner.hash("ap")
    static let bidPrice = JSONScanner.hash("bid_price"), bidPriceShort = JSONScanner.hash("bp")
    static let askSize = JSONScanner.hash("ask_size"), askSizeShort = JSONScanner.hash("as")
    static let bidSize = JSONScanner.hash("bid_size"), bidSizeShort = JSONScanner.hash("bs")
    static let name = JSONScanner.hash("name"), message = JSONScanner.hash("message")

    mutating func read(_ key: JSONScanner.Key, from scanner: inout JSONScanner) throws(FrameError) {
        switch key.hash {
        case Fields.type, Fields.typeShort: try readType(&scanner)
        case Fields.code, Fields.codeShort: code = try scanner.string()
        case Fields.tradePrice, Fields.tradePriceShort: tradePrice = try scanner.decimal()
        case Fields.tradeVolume, Fields.tradeVolumeShort: tradeVolume = try scanner.decimal()
        case Fields.askBid, Fields.askBidShort:
            askBid = try scanner.stringEquals("BID") ? .bid : .ask
        case Fields.tradeTimestamp, Fields.tradeTimestampShort: tradeTimestamp = try scanner.integer()
        case Fields.timestamp, Fields.timestampShort: timestamp = try scanner.integer()
        case Fields.sequentialId, Fields.sequentialIdShort: sequentialId = try scanner.integer()
        case Fields.totalAsk, Fields.totalAskShort: totalAskSize = try scanner.decimal()
        case Fields.totalBid, Fields.totalBidShort: totalBidSize = try scanner.decimal()
        case Fields.units, Fields.unitsShort: levels = try Fields.readLevels(&scanner)
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

    static func readLevels(_ scanner: inout JSONScanner) throws(FrameError) -> [Orderbook.Level] {
        var levels: [Orderbook.Level] = []
        levels.reserveCapacity(30)
        try scanner.array { scanner throws(FrameError) in
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
            levels.append(level)
        }
        return levels
    }

    func frame() throws(FrameError) -> MarketFrame {
        if let errorName { return .error(name: errorName, message: errorMessage ?? "") }
        if let status, kind == nil { return .status(status) }
        guard let kind else { throw .missing("type") }
        switch kind {
        case .trade:
            guard let code else { throw .missing("code") }
            guard let tradePrice else { throw .missing("trade_price") }
            guard let tradeVolume else { throw .missing("trade_volume") }
            guard let askBid else { throw .missing("ask_bid") }
            guard let time = tradeTimestamp ?? timestamp else { throw .missing("trade_timestamp") }
            guard let sequentialId else { throw .missing("sequential_id") }
            return .trade(Trade(market: code, price: tradePrice, volume: tradeVolume, side: askBid, time: time,
                                sequentialId: sequentialId))
        case .orderbook:
            guard let code else { throw .missing("code") }
            guard let timestamp else { throw .missing("timestamp") }
            guard let levels else { throw .missing("orderbook_units") }
            return .orderbook(Orderbook(market: code, time: timestamp, totalAskSize: totalAskSize ?? 0,
                                        totalBidSize: totalBidSize ?? 0, levels: levels))
        case .ticker:
            guard let code else { throw .missing("code") }
            guard let tradePrice else { throw .missing("trade_price") }
            guard let time = tradeTimestamp ?? timestamp else { throw .missing("timestamp") }
            return .ticker(Ticker(market: code, tradePrice: tradePrice, accumulatedTradeVolume24h: accumulatedTradeVolume24h,
                                  time: time))
        case .other:
            return .other(type: typeName ?? "")
        }
    }
}
