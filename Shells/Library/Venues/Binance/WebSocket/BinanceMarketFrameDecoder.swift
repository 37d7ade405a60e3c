import Core

/// Decodes Binance's market payloads (binance-futures.md §7.3) on the depth-bounded byte scanner,
/// bare or in the combined-stream wrapper `{"stream":…,"data":{…}}`. One pass records where each
/// known key's value lies; the event type (`e`) then says what the keys mean (`a` is an id in
/// aggTrade, the best ask in bookTicker, the asks in a depth update). Unknown keys are skipped;
/// decimals are strings, ids Int64; a frame that is not JSON, too big, or lacks a field throws.
public enum BinanceMarketFrameDecoder {
    /// Larger frames are refused unread (a depth20 frame is about 1 KB).
    public static let maximumFrameBytes = 1 << 20
    /// More levels than any partial book sends (1000 is the REST maximum).
    static let maximumLevels = 1_000

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> BinanceMarketFrame {
        guard bytes.count <= maximumFrameBytes else { throw .malformed("frame larger than \(maximumFrameBytes) bytes") }
        var spans = MarketSpans()
        var scanner = JSONScanner(bytes)
        try scanner.object { scanner, key throws(FrameError) in try spans.read(key, from: &scanner) }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw .malformed("trailing bytes after the frame") }
        return try spans.frame(bytes)
    }

    public static func decode(_ text: String) throws(FrameError) -> BinanceMarketFrame {
        var copy = text
        let result = copy.withUTF8 { buffer in
            Result { () throws(FrameError) in try decode(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}

/// Where the values of the keys the bot reads lie in the frame.
private struct MarketSpans {
    var event: Range<Int>?
    var eventTime: Range<Int>?
    var transactionTime: Range<Int>?
    var symbol: Range<Int>?
    var lowerA: Range<Int>?
    var lowerB: Range<Int>?
    var upperA: Range<Int>?
    var upperB: Range<Int>?
    var price: Range<Int>?
    var quantity: Range<Int>?
    var maker: Range<Int>?
    var fundingRate: Range<Int>?
    var identifier: Range<Int>?
    var hasResult = false

    mutating func read(_ key: JSONScanner.Key, from scanner: inout JSONScanner) throws(FrameError) {
        let bytes = UnsafeRawBufferPointer(rebasing: scanner.bytes[key.start..<(key.start + key.count)])
        if key.count == 1 {
            switch bytes[0] {
            case UInt8(ascii: "e"): event = try MarketSpans.span(&scanner)
            case UInt8(ascii: "E"): eventTime = try MarketSpans.span(&scanner)
            case UInt8(ascii: "T"): transactionTime = try MarketSpans.span(&scanner)
            case UInt8(ascii: "s"): symbol = try MarketSpans.span(&scanner)
            case UInt8(ascii: "a"): lowerA = try MarketSpans.span(&scanner)
            case UInt8(ascii: "b"): lowerB = try MarketSpans.span(&scanner)
            case UInt8(ascii: "A"): upperA = try MarketSpans.span(&scanner)
            case UInt8(ascii: "B"): upperB = try MarketSpans.span(&scanner)
            case UInt8(ascii: "p"): price = try MarketSpans.span(&scanner)
            case UInt8(ascii: "q"): quantity = try MarketSpans.span(&scanner)
            case UInt8(ascii: "m"): maker = try MarketSpans.span(&scanner)
            case UInt8(ascii: "r"): fundingRate = try MarketSpans.span(&scanner)
            default: try scanner.skipValue()
            }
        } else if bytes.elementsEqual("data".utf8) {
            // The combined stream's payload: its keys are read as if they were the frame's.
            try scanner.object { scanner, key throws(FrameError) in try read(key, from: &scanner) }
        } else if bytes.elementsEqual("id".utf8) {
            identifier = try MarketSpans.span(&scanner)
        } else if bytes.elementsEqual("result".utf8) {
            hasResult = true
            try scanner.skipValue()
        } else {
            try scanner.skipValue()
        }
    }

    static func span(_ scanner: inout JSONScanner) throws(FrameError) -> Range<Int> {
        let start = scanner.position
        try scanner.skipValue()
        return start..<scanner.position
    }

    func frame(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> BinanceMarketFrame {
        let reader = SpanReader(bytes: bytes)
        guard let event else {
            if hasResult, let identifier = try reader.integer(identifier) { return .subscriptionAnswer(id: identifier) }
            throw .missing("e")
        }
        guard let type = try reader.string(event) else { throw .missing("e") }
        switch type {
        case "aggTrade":
            guard let sequentialId = try reader.integer(lowerA) else { throw .missing("a") }
            guard let isMaker = try reader.boolean(maker) else { throw .missing("m") }
            return .trade(Trade(
                market: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                price: try BinanceChecks.positive(try reader.decimal(price), field: "p"),
                volume: try BinanceChecks.amount(try reader.decimal(quantity), field: "q"),
                side: isMaker ? .sell : .buy,  // the buyer made the market: the taker sold
                time: try BinanceChecks.time(try reader.integer(transactionTime), field: "T"),
                sequentialId: sequentialId))
        case "bookTicker":
            let bidSize = try BinanceChecks.amount(try reader.decimal(upperB), field: "B")
            let askSize = try BinanceChecks.amount(try reader.decimal(upperA), field: "A")
            let bid = try BinanceChecks.amount(try reader.decimal(lowerB), field: "b")
            let ask = try BinanceChecks.amount(try reader.decimal(lowerA), field: "a")
            return .book(BookTop(
                market: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                time: try BinanceChecks.time(try reader.integer(transactionTime ?? eventTime), field: "T"),
                totalBidSize: bidSize.doubleValue, totalAskSize: askSize.doubleValue,
                bestBidPrice: bid.isPositive && bidSize.isPositive ? bid : nil,
                bestAskPrice: ask.isPositive && askSize.isPositive ? ask : nil))
        case "depthUpdate":
            let bids = try reader.levels(lowerB, field: "b")
            let asks = try reader.levels(lowerA, field: "a")
            return .book(BookTop(
                market: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                time: try BinanceChecks.time(try reader.integer(transactionTime ?? eventTime), field: "T"),
                totalBidSize: bids.total.doubleValue, totalAskSize: asks.total.doubleValue,
                bestBidPrice: bids.best, bestAskPrice: asks.best))
        case "markPriceUpdate":
            return .markPrice(BinanceMarkPrice(
                symbol: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                markPrice: try BinanceChecks.positive(try reader.decimal(price), field: "p"),
                fundingRate: try BinanceChecks.signedAmount(try reader.decimal(fundingRate), field: "r"),
                nextFundingTime: try BinanceChecks.time(try reader.integer(transactionTime), field: "T"),
                time: try BinanceChecks.time(try reader.integer(eventTime), field: "E")))
        default:
            return .other(type: String(type.prefix(64)))
        }
    }
}

/// Reads one recorded value again, with a scanner of its own over its bytes.
private struct SpanReader {
    let bytes: UnsafeRawBufferPointer

    func scanner(_ span: Range<Int>) -> JSONScanner { JSONScanner(UnsafeRawBufferPointer(rebasing: bytes[span])) }

    func string(_ span: Range<Int>?) throws(FrameError) -> String? {
        guard let span else { return nil }
        var scanner = scanner(span)
        return try scanner.string()
    }

    /// A decimal written as a string or a number; "" is absent.
    func decimal(_ span: Range<Int>?) throws(FrameError) -> Fixed? {
        guard let span, span.count > 2 || bytes[span.lowerBound] != UInt8(ascii: "\"") else { return nil }
        var scanner = scanner(span)
        return try scanner.decimal()
    }

    func integer(_ span: Range<Int>?) throws(FrameError) -> Int64? {
        guard let span else { return nil }
        var scanner = scanner(span)
        return try scanner.integer()
    }

    func boolean(_ span: Range<Int>?) throws(FrameError) -> Bool? {
        guard let span else { return nil }
        var scanner = scanner(span)
        return try scanner.boolean()
    }

    /// `[["price","qty"], …]`, best first: the summed quantity and the best price with a quantity.
    func levels(_ span: Range<Int>?, field: String) throws(FrameError) -> (total: Fixed, best: Fixed?) {
        guard let span else { throw .missing(field) }
        var scanner = scanner(span)
        var total = Fixed.zero
        var best: Fixed?
        var count = 0
        try scanner.array { scanner throws(FrameError) in
            count += 1
            guard count <= BinanceMarketFrameDecoder.maximumLevels else { throw .malformed("more than \(BinanceMarketFrameDecoder.maximumLevels) levels") }
            // [price, quantity]: only the best level's price is read (the others are checked for
            // shape and skipped); no allocation per level
            var position = 0
            var price: Fixed?
            var quantity = Fixed.zero
            try scanner.array { scanner throws(FrameError) in
                defer { position += 1 }
                switch position {
                case 0 where best == nil: price = try BinanceChecks.amount(try scanner.decimal(), field: field)
                case 1: quantity = try BinanceChecks.amount(try scanner.decimal(), field: field)
                default: try scanner.skipValue()
                }
            }
            guard position == 2 else { throw .malformed("a level of \(field) is not [price, quantity]") }
            total += quantity
            guard total <= FrameChecks.maximumAmount else { throw .malformed("implausible \(field) total") }
            if best == nil, let price, price.isPositive, quantity.isPositive { best = price }
        }
        return (total, best)
    }
}
