import Core
import Foundation
import Shells

/// One 1-minute kline as Binance reports it.
struct BinanceKline {
    var openTime: Milliseconds
    var open: Fixed
    var high: Fixed
    var low: Fixed
    var close: Fixed
    var volume: Fixed = 0
    var quoteVolume: Fixed = 0
    var trades = 0
    var takerBuyVolume: Fixed = 0
    var takerBuyQuote: Fixed = 0

    var row: String {
        #"[\#(openTime),"\#(open)","\#(high)","\#(low)","\#(close)","\#(volume)",\#(openTime + 59_999),"\#(BinanceJSON.usdt(quoteVolume))",\#(trades),"\#(takerBuyVolume)","\#(BinanceJSON.usdt(takerBuyQuote))","0"]"#
    }
}

/// What the market last said, per symbol: trades, books, marks, klines; and the price factor
/// of the price-drop fault.
struct BinanceMarketState {
    var trades: [String: Trade] = [:]
    var books: [String: BookTop] = [:]
    /// The newest markPriceUpdate payload of each symbol (premiumIndex answers from it).
    var marks: [String: JSONValue] = [:]
    /// The newest depth20 line of each symbol as generated (`GET /fapi/v1/depth` answers from it;
    /// played again at a price drop: the book falls with the prices).
    var depthLines: [String: String] = [:]
    var klines: [String: [BinanceKline]] = [:]
    /// 1 until a price drop; every price sent is multiplied by it (and floored to the tick).
    var priceFactor: Fixed = 1

    static let maximumKlines = 1_500

    mutating func add(_ trade: Trade) {
        trades[trade.market] = trade
        let minute = Time.minute(of: trade.time) * Time.minute
        var series = klines[trade.market, default: []]
        if series.last?.openTime != minute {
            series.append(BinanceKline(openTime: minute, open: trade.price, high: trade.price, low: trade.price, close: trade.price))
            if series.count > BinanceMarketState.maximumKlines { series.removeFirst(series.count - BinanceMarketState.maximumKlines) }
        }
        var kline = series[series.count - 1]
        kline.high = Fixed.max(kline.high, trade.price)
        kline.low = Fixed.min(kline.low, trade.price)
        kline.close = trade.price
        kline.volume += trade.volume
        kline.quoteVolume += trade.volume * trade.price
        kline.trades += 1
        if trade.side == .buy {
            kline.takerBuyVolume += trade.volume
            kline.takerBuyQuote += trade.volume * trade.price
        }
        series[series.count - 1] = kline
        klines[trade.market] = series
    }
}

extension LocalBinance {
    /// Waits until the history is made and the market plays live (its clock is set then).
    public func waitUntilLive() async {
        while clock == .wall, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Plays the market: the history at once (not broadcast), then one market second per
    /// wall-clock second divided by `speed`, until cancelled.
    public func runFeed() async {
        for _ in 0..<(options.historyMinutes * 60) { playSecond(broadcast: false) }
        clock = DriverClock(speed: options.speed, origin: DriverClock.wallNow(), reading: nextSecond * 1_000)
        let started = ContinuousClock.now
        var seconds = 0.0
        while !Task.isCancelled {
            playSecond(broadcast: true)
            seconds += 1
            let due = started + .milliseconds(Int64(seconds * 1_000 / options.speed))
            try? await Task.sleep(until: due, clock: .continuous)
        }
    }

    /// One market second: its frames into the exchange, the klines and the sockets; then the
    /// timers (dead-man switches, margin calls, the listen key) and a pending price drop (the
    /// books drop at once, the trades and marks from the next second).
    func playSecond(broadcast: Bool) {
        for line in generator.nextSecond() { ingest(line, broadcast: broadcast) }
        let time = nextSecond * 1_000 + 999
        nextSecond += 1
        runCountdowns(time: time)
        checkMarginCalls(time: time)
        expireListenKeyIfDue(time: time)
        if faults.priceDropPercent > 0 {
            let percent = Fixed("\(faults.priceDropPercent)") ?? 0
            market.priceFactor = market.priceFactor * (Fixed(100) - percent) / 100
            faults.priceDropPercent = 0
            for symbol in market.depthLines.keys.sorted() { ingest(market.depthLines[symbol]!, broadcast: broadcast) }
        }
    }

    /// A combined-stream line `{"stream":"…","data":{…}}`, prices scaled after a drop.
    func ingest(_ line: String, broadcast: Bool) {
        guard let (stream, original) = LocalBinance.split(line) else { return }
        let data = market.priceFactor == 1 ? original : scaled(original)
        guard let frame = try? BinanceMarketFrameDecoder.decode(data) else { return }
        switch frame {
        case .trade(let trade):
            market.add(trade)
            let before = exchange.positions
            publish(exchange.receive(trade), positionsBefore: before, time: trade.time)
        case .book(let top):
            market.books[top.market] = top
            market.depthLines[top.market] = line
            exchange.receive(top)
            if broadcast, let ticker = LocalBinance.bookTicker(data) { self.broadcast(top.market.lowercased() + "@bookTicker", ticker) }
        case .markPrice(let mark):
            market.marks[mark.symbol] = try? JSONValue.parse(data)
            exchange.fundingRates[mark.symbol] = mark.fundingRate
            let before = exchange.positions
            publish(exchange.receive(markPrice: mark.markPrice, market: mark.symbol, time: mark.time), positionsBefore: before,
                    time: mark.time)
        case .subscriptionAnswer, .other:
            break
        }
        if broadcast { self.broadcast(stream, data) }
    }

    /// Test and operator hook: the symbol's mark price is `price` from now until the next
    /// generated mark, with what that causes (stops, liquidation, funding, a margin call).
    public func setMarkPrice(_ price: Fixed, symbol: String) {
        let time = serverNow
        if case .object(let members)? = market.marks[symbol] {
            market.marks[symbol] = .object(members.map { $0.0 == "p" ? ("p", .string("\(price)")) : $0 })
        }
        let before = exchange.positions
        publish(exchange.receive(markPrice: price, market: symbol, time: time), positionsBefore: before, time: time)
        checkMarginCalls(time: time)
    }

    static func split(_ line: String) -> (stream: String, data: String)? {
        let prefix = #"{"stream":""#
        guard line.hasPrefix(prefix), let marker = line.range(of: #"","data":"#), line.hasSuffix("}") else { return nil }
        let stream = String(line[line.index(line.startIndex, offsetBy: prefix.count)..<marker.lowerBound])
        return (stream, String(line[marker.upperBound..<line.index(before: line.endIndex)]))
    }

    /// A payload with every price (trade, levels, mark, index, settle) times the drop factor.
    func scaled(_ data: String) -> String {
        guard let json = try? JSONValue.parse(data), let symbol = json["s"]?.string,
              let tick = instruments[symbol]?.tickScheme.tick(for: 1) else { return data }
        let factor = market.priceFactor
        func price(_ value: JSONValue) -> JSONValue {
            guard let number = value.decimal else { return value }
            return .string("\(Fixed.max((number * factor).floored(toMultipleOf: tick), tick))")
        }
        guard case .object(let members) = json else { return data }
        return LocalBinance.render(.object(members.map { key, value in
            switch key {
            case "p", "ap", "i", "P": return (key, price(value))
            case "b", "a":
                guard let levels = value.array else { return (key, value) }
                return (key, .array(levels.map { level in
                    guard let pair = level.array, pair.count == 2 else { return level }
                    return .array([price(pair[0]), pair[1]])
                }))
            default: return (key, value)
            }
        }))
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .object(let members): "{" + members.map { "\"\(UpbitQuery.jsonEscape($0.0))\":" + render($0.1) }.joined(separator: ",") + "}"
        case .array(let items): "[" + items.map(render).joined(separator: ",") + "]"
        case .string(let text): "\"\(UpbitQuery.jsonEscape(text))\""
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        }
    }

    /// bookTicker from a depth payload's best levels.
    static func bookTicker(_ depth: String) -> String? {
        guard let json = try? JSONValue.parse(depth), let symbol = json["s"]?.string,
              let bid = json["b"]?.array?.first?.array, let ask = json["a"]?.array?.first?.array, bid.count == 2, ask.count == 2,
              let time = json["T"]?.integer, let update = json["u"]?.integer else { return nil }
        return #"{"e":"bookTicker","u":\#(update),"s":"\#(symbol)","b":"\#(bid[0].string ?? "0")","B":"\#(bid[1].string ?? "0")","a":"\#(ask[0].string ?? "0")","A":"\#(ask[1].string ?? "0")","T":\#(time),"E":\#(time + 1)}"#
    }
}
