import Core
import TestSupport
import Shells
import Testing

/// 120,000 hostile frames through every decoder: none crashes, none hangs, and what decodes holds
/// only values a trade or an order can have.
@Suite struct DecoderFuzzTests {
    @Test func hostileFramesNeverCrashTheDecoders() {
        var frames = HostileFrames(seed: 20_261_202)
        var decoded = 0
        var rejected = 0
        for _ in 0..<120_000 {
            let frame = frames.next()
            let market = frame.withUnsafeBytes { try? MarketFrameDecoder.decode($0, depth: .full) }
            if case .trade(let trade) = market {
                #expect(!trade.market.isEmpty)
                decoded += 1
            } else if market == nil {
                rejected += 1
            }
            _ = try? PrivateFrameDecoder.decode(frame)
            _ = try? JSONValue.parse(frame)
        }
        #expect(rejected > 60_000, "most hostile frames are refused (\(rejected) refused, \(decoded) trades)")
    }

    @Test func deepNestingIsRefusedNotAStackOverflow() throws {
        let nested = "{\"type\":\"trade\",\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: FrameError.self) { try MarketFrameDecoder.decode(nested) }
        #expect(throws: FrameError.self) { try PrivateFrameDecoder.decode(Array(nested.utf8)) }
        #expect(throws: FrameError.self) { try JSONValue.parse(nested) }
        let shallow = "{\"type\":\"status\",\"x\":" + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "}"
        #expect(throws: Never.self) { try JSONValue.parse(shallow) }
    }

    @Test func booleansMustBeSpelledOut() throws {
        #expect(throws: FrameError.self) { try JSONValue.parse("[tru3]") }
        #expect(throws: FrameError.self) { try JSONValue.parse("[fals3]") }
        #expect(try JSONValue.parse("[true,false]") == .array([.bool(true), .bool(false)]))
    }
}
