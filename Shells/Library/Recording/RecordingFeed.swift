import Core

/// Where a market's frames come from, second by second (the local server plays one).
public protocol MarketFeed: Sendable {
    /// The frames of the next second, in time order.
    mutating func nextSecond() -> [String]
    /// The market time of the next second, in milliseconds.
    var nextSecondTime: Milliseconds { get }
    var marketCodes: [String] { get }
}

extension MarketGenerator: MarketFeed {}

/// A recording played again as if live: its timestamps are shifted so that it starts at
/// `startTime`, and when it ends it starts over (timestamps shifted on, sequential ids raised so
/// that the replay is new trades, not duplicates).
public struct RecordingFeed: MarketFeed {
    struct Frame: Sendable {
        var time: Milliseconds
        var line: String
    }

    let frames: [Frame]
    public let marketCodes: [String]
    let span: Milliseconds
    private var index = 0
    private var loop: Int64 = 0
    private var offset: Milliseconds
    private var second: Int64

    /// Frames that do not decode, or carry no time, are left out.
    public init(lines: [String], startTime: Milliseconds) throws {
        var frames: [Frame] = []
        var codes = Set<String>()
        for line in lines {
            switch try? MarketFrameDecoder.decode(line) {
            case .trade(let trade):
                frames.append(Frame(time: trade.time, line: line))
                codes.insert(trade.market)
            case .orderbook(let book):
                frames.append(Frame(time: book.time, line: line))
                codes.insert(book.market)
            default:
                continue
            }
        }
        guard let first = frames.first, let last = frames.last else {
            throw RecordingError(message: "the recording has no trade or orderbook frames")
        }
        self.frames = frames
        marketCodes = codes.sorted()
        span = max(last.time - first.time + 1_000, 1_000)
        offset = startTime - first.time
        second = Time.floorDivide(startTime, 1_000)
    }

    public var nextSecondTime: Milliseconds { second * 1_000 }

    public mutating func nextSecond() -> [String] {
        let end = (second + 1) * 1_000
        var lines: [String] = []
        while frames[index].time + offset < end {
            lines.append(shifted(frames[index].line))
            index += 1
            if index == frames.count {
                index = 0
                loop += 1
                offset += span
            }
        }
        second += 1
        return lines
    }

    /// The line with its times moved by `offset` and, after the first pass, its sequential id raised.
    func shifted(_ line: String) -> String {
        var text = line
        for key in ["\"trade_timestamp\":", "\"timestamp\":", "\"ttms\":", "\"tms\":"] {
            text = RecordingFeed.rewriteInteger(after: key, in: text) { $0 + offset }
        }
        if loop > 0 {
            for key in ["\"sequential_id\":", "\"sid\":"] {
                text = RecordingFeed.rewriteInteger(after: key, in: text) { $0 + loop * 100_000_000_000_000_000 }
            }
        }
        return text
    }

    static func rewriteInteger(after key: String, in text: String, _ transform: (Int64) -> Int64) -> String {
        guard let keyRange = text.range(of: key) else { return text }
        let digits = text[keyRange.upperBound...].prefix { $0.isNumber }
        guard let value = Int64(digits) else { return text }
        return text.replacingCharacters(in: keyRange.upperBound..<digits.endIndex, with: String(transform(value)))
    }
}
