import Shells

/// Malformed and hostile frames made from real ones: truncated, nested deep, huge, wrong types,
/// extreme numbers and dates, invalid UTF-8, flipped bytes. Seeded: the same seed, the same frames.
struct HostileFrames {
    static let seeds: [String] = [
        #"{"type":"trade","code":"KRW-BTC","timestamp":1790134742106,"trade_timestamp":1790134742100,"trade_price":116539000,"trade_volume":0.0105,"ask_bid":"BID","sequential_id":17901347421000001,"stream_type":"REALTIME"}"#,
        #"{"ty":"trade","cd":"KRW-ETH","tms":1790134742106,"ttms":1790134742100,"tp":4.5E6,"tv":1.5,"ab":"ASK","sid":17901347421000002,"st":"REALTIME"}"#,
        #"{"type":"orderbook","code":"KRW-BTC","timestamp":1790134742106,"total_ask_size":2.51469375,"total_bid_size":1.63815297,"orderbook_units":[{"ask_price":1.16539E8,"bid_price":1.16538E8,"ask_size":0.02054761,"bid_size":0.08120946},{"ask_price":1.16542E8,"bid_price":1.16537E8,"ask_size":0.00077720,"bid_size":0.01129382}],"stream_type":"SNAPSHOT","level":0}"#,
        #"{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID","order_type":"price","state":"trade","price":116539000,"volume":0.0004,"executed_volume":0.0004,"executed_funds":46615.6,"paid_fee":23.3078,"identifier":"sx-1-b1","trade_timestamp":1790134742100,"timestamp":1790134742106,"stream_type":"REALTIME"}"#,
        #"{"type":"myAsset","asset_uuid":"e635f223","assets":[{"currency":"KRW","balance":1000000.0,"locked":0.0},{"currency":"BTC","balance":0.0004,"locked":0}],"asset_timestamp":1790134742100,"timestamp":1790134742106,"stream_type":"REALTIME"}"#,
    ]

    static let extremeNumbers = ["1e400", "-1e400", "1e-400", "99999999999999999999999999999999", "-0", "NaN", "Infinity",
                                 "9223372036854775807", "-9223372036854775808", "18446744073709551616", "0.000000000000000001",
                                 "1E", "--1", "1.2.3", "0x10", "1e18", "170141183460469231731687303715884105727", "\"12\"",
                                 "00012", ".5", "5.", "+1"]
    static let wrongValues = ["null", "true", "false", "\"text\"", "{}", "[]", "[1,2]", "{\"a\":1}", "\"\"", "-1", "0"]

    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> [UInt8] {
        var frame = Array(random.pick(HostileFrames.seeds).utf8)
        switch random.int(0...9) {
        case 0: frame = Array(frame.prefix(random.int(0...max(0, frame.count - 1))))
        case 1: frame = replaceValue(frame, with: "[" + String(repeating: "[", count: depth()) + String(repeating: "]", count: 0))
        case 2: frame = insertMember(frame, value: String(repeating: "[", count: depth()) + String(repeating: "]", count: depth()))
        case 3: frame = replaceValue(frame, with: random.pick(HostileFrames.extremeNumbers))
        case 4: frame = replaceValue(frame, with: random.pick(HostileFrames.wrongValues))
        case 5: frame = invalidUTF8(frame)
        case 6: frame = flipBytes(frame)
        case 7: frame = insertMember(frame, value: huge())
        case 8: frame = replaceValue(frame, with: String(random.pick([Int64.max, Int64.min, 0, -1, 253_402_300_800_000, 1_000_000_000])))
        default: frame = replaceValue(frame, with: random.pick(HostileFrames.extremeNumbers))
            frame = Array(frame.prefix(frame.count - random.int(0...3)))
        }
        return frame
    }

    mutating func depth() -> Int { random.chance(5) ? random.int(10_000...100_000) : random.int(20...200) }

    mutating func huge() -> String {
        random.int(0...199) == 0 ? "\"" + String(repeating: "x", count: 1 << 20) + "\"" : "\"" + String(repeating: "y", count: random.int(100...5_000)) + "\""
    }

    /// The value after a randomly chosen `:` replaced by `text` (up to the next `,` or `}`).
    mutating func replaceValue(_ frame: [UInt8], with text: String) -> [UInt8] {
        let colons = frame.indices.filter { frame[$0] == UInt8(ascii: ":") }
        guard let colon = colons.isEmpty ? nil : random.pick(colons) else { return frame }
        var end = colon + 1
        while end < frame.count, frame[end] != UInt8(ascii: ","), frame[end] != UInt8(ascii: "}") { end += 1 }
        return Array(frame[...colon]) + Array(text.utf8) + Array(frame[end...])
    }

    mutating func insertMember(_ frame: [UInt8], value: String) -> [UInt8] {
        guard frame.count > 1 else { return frame }
        return [frame[0]] + Array("\"x\":\(value),".utf8) + Array(frame[1...])
    }

    mutating func invalidUTF8(_ frame: [UInt8]) -> [UInt8] {
        var bytes = frame
        for _ in 0..<random.int(1...4) {
            let bad: [UInt8] = random.pick([[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80]])
            bytes.insert(contentsOf: bad, at: random.int(0...bytes.count))
        }
        if random.chance(30) { bytes = replaceValue(bytes, with: #""\uD800\uDFFF\u0000""#) }
        return bytes
    }

    mutating func flipBytes(_ frame: [UInt8]) -> [UInt8] {
        guard !frame.isEmpty else { return frame }
        var bytes = frame
        for _ in 0..<random.int(1...8) { bytes[random.int(0...(bytes.count - 1))] = UInt8(truncatingIfNeeded: random.next()) }
        return bytes
    }
}
