import Core

/// Decodes Binance's market payloads (binance-futures.md §7.3) on the depth-bounded byte scanner,
/// bare or in the combined-stream wrapper `{"stream":…,"data":{…}}`. One pass records where each
/// known key's value lies; the event type (`e`) then says what the keys mean (`a` is an id in
/// aggTrade, the best ask in bookTicker, the asks in a depth update). An array under `a` or `b` is
/// read as book levels during that pass, so a depth update's 40 levels are scanned once. Unknown
/// keys are skipped; decimals are strings, ids Int64; a frame that is not JSON, too big, or lacks
/// a field throws.
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
    /// `a` and `b` read as levels when they are arrays (nil otherwise); an error is kept for
    /// `frame`, which throws it only if the frame is a depth update.
    var asks: Result<BookSide, FrameError>?
    var bids: Result<BookSide, FrameError>?
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
            case UInt8(ascii: "a"): (lowerA, asks) = try MarketSpans.spanOrLevels(&scanner, field: "a")
            case UInt8(ascii: "b"): (lowerB, bids) = try MarketSpans.spanOrLevels(&scanner, field: "b")
            case UInt8(ascii: "A"): upperA = try MarketSpans.span(&scanner)
            case UInt8(ascii: "B"): upperB = try MarketSpans.span(&scanner)
            case UInt8(ascii: "p"): price = try MarketSpans.span(&scanner)
            case UInt8(ascii: "q"): quantity = try MarketSpans.span(&scanner)
            case UInt8(ascii: "m"): maker = try MarketSpans.span(&scanner)
            case UInt8(ascii: "r"): fundingRate = try MarketSpans.span(&scanner)
            default: try scanner.skipValue()
            }
        } else if MarketSpans.spells(bytes, "data") {
            // The combined stream's payload: its keys are read as if they were the frame's.
            try scanner.object { scanner, key throws(FrameError) in try read(key, from: &scanner) }
        } else if MarketSpans.spells(bytes, "id") {
            identifier = try MarketSpans.span(&scanner)
        } else if MarketSpans.spells(bytes, "result") {
            hasResult = true
            try scanner.skipValue()
        } else {
            try scanner.skipValue()
        }
    }

    /// The key is `text` (compared as bytes: no String on the hot path).
    static func spells(_ key: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { text in text.count == key.count && text.elementsEqual(key) }
    }

    static func span(_ scanner: inout JSONScanner) throws(FrameError) -> Range<Int> {
        let start = scanner.position
        try scanner.skipValue()
        return start..<scanner.position
    }

    /// The value's span and, for an array, the value read as book levels. Levels that do not read
    /// as levels (another event's array, or a broken depth update) are stepped over as any value
    /// and their error kept.
    static func spanOrLevels(_ scanner: inout JSONScanner, field: String) throws(FrameError)
        -> (Range<Int>, Result<BookSide, FrameError>?) {
        let start = scanner.position
        guard start < scanner.bytes.count, scanner.bytes[start] == UInt8(ascii: "[") else {
            return (try span(&scanner), nil)
        }
        do throws(FrameError) {
            let side = try BookSide.read(&scanner, field: field)
            return (start..<scanner.position, .success(side))
        } catch {
            scanner.position = start
            return (try span(&scanner), .failure(error))
        }
    }

    /// A depth update's side: missing, not an array, or not levels throws.
    static func side(_ side: Result<BookSide, FrameError>?, span: Range<Int>?, field: String) throws(FrameError) -> BookSide {
        guard span != nil else { throw .missing(field) }
        guard let side else { throw .malformed("\(field) is not an array of levels") }
        return try side.get()
    }

    func frame(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> BinanceMarketFrame {
        let reader = SpanReader(bytes: bytes)
        guard let event else {
            if hasResult, let identifier = try reader.integer(identifier) { return .subscriptionAnswer(id: identifier) }
            throw .missing("e")
        }
        switch try MarketSpans.eventType(event, reader) {
        case .aggTrade:
            guard let sequentialId = try reader.integer(lowerA) else { throw .missing("a") }
            guard let isMaker = try reader.boolean(maker) else { throw .missing("m") }
            return .trade(Trade(
                market: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                price: try BinanceChecks.positive(try reader.decimal(price), field: "p"),
                volume: try BinanceChecks.amount(try reader.decimal(quantity), field: "q"),
                side: isMaker ? .sell : .buy,  // the buyer made the market: the taker sold
                time: try BinanceChecks.time(try reader.integer(transactionTime), field: "T"),
                sequentialId: sequentialId))
        case .bookTicker:
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
        case .depthUpdate:
            let bids = try MarketSpans.side(bids, span: lowerB, field: "b")
            let asks = try MarketSpans.side(asks, span: lowerA, field: "a")
            return .book(BookTop(
                market: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                time: try BinanceChecks.time(try reader.integer(transactionTime ?? eventTime), field: "T"),
                totalBidSize: bids.total.doubleValue, totalAskSize: asks.total.doubleValue,
                bestBidPrice: bids.best, bestAskPrice: asks.best))
        case .markPriceUpdate:
            return .markPrice(BinanceMarkPrice(
                symbol: try BinanceChecks.symbol(try reader.string(symbol), field: "s"),
                markPrice: try BinanceChecks.positive(try reader.decimal(price), field: "p"),
                fundingRate: try BinanceChecks.signedAmount(try reader.decimal(fundingRate), field: "r"),
                nextFundingTime: try BinanceChecks.time(try reader.integer(transactionTime), field: "T"),
                time: try BinanceChecks.time(try reader.integer(eventTime), field: "E")))
        case .other(let type):
            return .other(type: String(type.prefix(64)))
        }
    }

    enum EventType {
        case aggTrade, bookTicker, depthUpdate, markPriceUpdate
        case other(String)
    }

    /// The event type, compared as bytes when written plainly (as Binance does: no String is
    /// built on the hot path), else read as a JSON string (escapes decoded) and compared.
    static func eventType(_ span: Range<Int>, _ reader: SpanReader) throws(FrameError) -> EventType {
        if reader.isString(span, "depthUpdate") { return .depthUpdate }
        if reader.isString(span, "aggTrade") { return .aggTrade }
        if reader.isString(span, "markPriceUpdate") { return .markPriceUpdate }
        if reader.isString(span, "bookTicker") { return .bookTicker }
        guard let type = try reader.string(span) else { throw .missing("e") }
        switch type {
        case "aggTrade": return .aggTrade
        case "bookTicker": return .bookTicker
        case "depthUpdate": return .depthUpdate
        case "markPriceUpdate": return .markPriceUpdate
        default: return .other(type)
        }
    }
}

/// Reads one recorded value again, with a scanner of its own over its bytes.
private struct SpanReader {
    let bytes: UnsafeRawBufferPointer

    /// The span is exactly `"text"` (a string written without escapes).
    func isString(_ span: Range<Int>, _ text: StaticString) -> Bool {
        guard span.count == text.utf8CodeUnitCount + 2, bytes[span.lowerBound] == UInt8(ascii: "\""),
              bytes[span.upperBound - 1] == UInt8(ascii: "\"") else { return false }
        return text.withUTF8Buffer { text in text.elementsEqual(bytes[(span.lowerBound + 1)..<(span.upperBound - 1)]) }
    }

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
}

/// One side of a partial book as the strategy reads it: the summed quantity of every level (exact)
/// and the best price that has a quantity.
struct BookSide {
    var total = Fixed.zero
    var best: Fixed?

    /// `[["price","qty"], …]`, best first. A side written plainly takes the fast path
    /// (`JSONScanner.plainSide`); any other spelling the general scanner, which gives the same
    /// values and the same refusals.
    static func read(_ scanner: inout JSONScanner, field: String) throws(FrameError) -> BookSide {
        if let side = scanner.plainSide() { return side }
        var side = BookSide()
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
                case 0 where side.best == nil: price = try BinanceChecks.amount(try scanner.decimal(), field: field)
                case 1: quantity = try BinanceChecks.amount(try scanner.decimal(), field: field)
                default: try scanner.skipValue()
                }
            }
            guard position == 2 else { throw .malformed("a level of \(field) is not [price, quantity]") }
            side.total += quantity
            guard side.total <= FrameChecks.maximumAmount else { throw .malformed("implausible \(field) total") }
            if side.best == nil, let price, price.isPositive, quantity.isPositive { side.best = price }
        }
        return side
    }
}

extension JSONScanner {
    /// The fast path of a book side, as Binance writes it: `[["59999.9","3.120"],…]` with no
    /// spaces, every quantity and the prices up to the best one plain decimals (`plainDecimal`;
    /// the later prices are stepped over as strings), at most `maximumLevels` levels, a total
    /// within `FrameChecks.maximumAmount`. One tight loop: no closure, no throw, no allocation.
    /// nil, with the position unchanged, for anything else.
    mutating func plainSide() -> BookSide? {
        // the side and its levels nest two deeper; the general path refuses what goes too deep
        guard depth + 2 <= JSONScanner.maximumDepth else { return nil }
        var index = position
        guard let side = JSONScanner.plainSide(bytes, at: &index) else { return nil }
        position = index
        return side
    }

    private static func plainSide(_ bytes: UnsafeRawBufferPointer, at index: inout Int) -> BookSide? {
        func byte(_ at: Int) -> UInt8 { at < bytes.count ? bytes[at] : 0 }
        guard byte(index) == UInt8(ascii: "[") else { return nil }
        index += 1
        var side = BookSide()
        if byte(index) == UInt8(ascii: "]") {
            index += 1
            return side
        }
        var count = 0
        // quantities written with up to 7 characters are summed as digits while their number of
        // decimals stays the same (one add, no 128-bit multiply per level); `pending` is folded
        // into the total when the decimals change and at the end
        var pending: UInt64 = 0
        var pendingDecimals = 0
        while true {
            count += 1
            guard count <= BinanceMarketFrameDecoder.maximumLevels,
                  byte(index) == UInt8(ascii: "["), byte(index + 1) == UInt8(ascii: "\"") else { return nil }
            index += 1
            var price: Fixed?
            if side.best == nil {
                guard let value = plainDecimal(bytes, at: &index) else { return nil }
                price = value
            } else {  // any string without escapes, as the general path skips it
                let end = JSONScanner.firstQuoteOrBackslash(in: bytes, from: index + 1)
                guard byte(end) == UInt8(ascii: "\"") else { return nil }
                index = end + 1
            }
            guard byte(index) == UInt8(ascii: ","), byte(index + 1) == UInt8(ascii: "\"") else { return nil }
            index += 1
            // quantities are not negative, so the total only grows: checking it once at the end
            // refuses what checking after every level would
            let positive: Bool
            if index + 9 <= bytes.count, let short = shortDigits(bytes.loadUnaligned(fromByteOffset: index + 1, as: UInt64.self)) {
                index += short.length + 2
                if short.decimals != pendingDecimals {
                    side.total += Fixed(raw: Int128(pending) * Int128(fixedScales[pendingDecimals]))
                    pending = 0
                    pendingDecimals = short.decimals
                }
                pending &+= short.digits  // below 10^8 a level, 1,000 levels at most
                positive = short.digits != 0
            } else {
                guard let quantity = plainDecimal(bytes, at: &index) else { return nil }
                side.total += quantity
                positive = quantity.isPositive
            }
            guard byte(index) == UInt8(ascii: "]") else { return nil }
            index += 1
            if side.best == nil, let price, price.isPositive, positive { side.best = price }
            switch byte(index) {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                side.total += Fixed(raw: Int128(pending) * Int128(fixedScales[pendingDecimals]))
                return side.total <= FrameChecks.maximumAmount ? side : nil
            default:
                return nil
            }
        }
    }

    /// A quoted decimal of plain digits with an optional point ("3.120", "5.", ".5") at `index`
    /// (its opening quote): at most 15 digits before the point, 16 after it and 19 in all, so it
    /// is exact, fits a `UInt64` and is below `FrameChecks.maximumAmount`. The same value
    /// `decimal()` reads; `index` moves past the closing quote. nil for anything else.
    private static func plainDecimal(_ bytes: UnsafeRawBufferPointer, at index: inout Int) -> Fixed? {
        if index + 9 <= bytes.count, let (value, length) = shortDecimal(bytes.loadUnaligned(fromByteOffset: index + 1, as: UInt64.self)) {
            index += length + 2
            return value
        }
        var end = index + 1
        var mantissa: UInt64 = 0
        while end < bytes.count, bytes[end] &- UInt8(ascii: "0") < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[end] &- UInt8(ascii: "0"))
            end += 1
        }
        let integerDigits = end - index - 1
        var decimals = 0
        if end < bytes.count, bytes[end] == UInt8(ascii: ".") {
            end += 1
            let fractionStart = end
            while end < bytes.count, bytes[end] &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[end] &- UInt8(ascii: "0"))
                end += 1
            }
            decimals = end - fractionStart
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\""), integerDigits <= 15, decimals <= 16,
              (1...19).contains(integerDigits + decimals) else { return nil }
        index = end + 1
        return Fixed(raw: Int128(mantissa) * Int128(fixedScales[decimals]))
    }

    /// The common case of `plainDecimal` without a loop (whose exit the branch predictor misses
    /// on every number): the eight bytes after the opening quote hold at most 7 digits and
    /// points, then the closing quote. Returns the value and the length before the quote; nil for
    /// anything else (the loop decides).
    private static func shortDecimal(_ word: UInt64) -> (Fixed, Int)? {
        guard let short = shortDigits(word) else { return nil }
        return (Fixed(raw: Int128(short.digits) * Int128(fixedScales[short.decimals])), short.length)
    }

    /// `shortDecimal`'s digits as an integer, how many of them are decimals, and the length.
    private static func shortDigits(_ word: UInt64) -> (digits: UInt64, decimals: Int, length: Int)? {
        let quotes = bytesEqual(word, UInt8(ascii: "\""))
        guard quotes != 0 else { return nil }
        let length = quotes.trailingZeroBitCount / 8  // the first byte is the lowest
        let inside: UInt64 = (1 << (8 * length)) - 1
        let points = bytesEqual(word, UInt8(ascii: ".")) & inside
        guard nonDigits(word) & inside == points, points.nonzeroBitCount <= 1 else { return nil }
        // each digit's value in its byte, the point taken out: the digits close up, first digit lowest
        var digits = word & 0x0F0F_0F0F_0F0F_0F0F & inside
        var count = length
        var decimals = 0
        if points != 0 {
            let point = points.trailingZeroBitCount / 8
            let before: UInt64 = (1 << (8 * point)) - 1
            digits = digits & before | (digits >> 8) & ~before
            count -= 1
            decimals = count - point
        }
        guard count > 0 else { return nil }
        // eight digits (leading zeros in front) to their value (Lemire's parse_eight_digits)
        digits <<= 8 * UInt64(8 - count)
        digits = (digits &* (10 << 8 + 1)) >> 8 & 0x00FF_00FF_00FF_00FF  // pairs: 10 × first + second
        digits = (digits &* (100 << 16 + 1)) >> 16 & 0x0000_FFFF_0000_FFFF  // fours
        digits = (digits &* (10_000 << 32 + 1)) >> 32  // all eight
        return (digits, decimals, length)
    }

    /// 0x80 in each byte of `word` that is `byte`, 0 elsewhere (exact: no carry between bytes).
    private static func bytesEqual(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return ~((difference & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F | difference) & 0x8080_8080_8080_8080
    }

    /// 10^(16 - decimals): one unit of the last of `decimals` decimals in `Fixed`'s raw units.
    private static let fixedScales: [UInt64] = [
        10_000_000_000_000_000, 1_000_000_000_000_000, 100_000_000_000_000, 10_000_000_000_000, 1_000_000_000_000,
        100_000_000_000, 10_000_000_000, 1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1,
    ]
}
