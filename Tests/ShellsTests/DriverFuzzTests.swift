import Core
import TestSupport
import Foundation
import Live
import Logging
import Shells
import Testing

/// 100,000 hostile frames through the live driver's two sockets: nothing crashes, and a frame the
/// decoders refuse, or one dated far from the driver's clock, changes nothing but counters.
@Suite struct DriverFuzzTests {
    @Test func hostileFramesChangeNothingButCounters() async {
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        var settings = Settings()
        settings.upbit.restURL = "http://127.0.0.1:9"
        var setup = LiveDriver.Setup(settings: settings, mode: .paper, credentials: nil, identifierPrefix: "fz")
        // The seed frames are dated 2026-09-23T02:59:02Z: the driver's clock reads that time.
        setup.backfillCandles = 0  // no REST answers arriving between two frames
        setup.clock = DriverClock(speed: 1, origin: DriverClock.wallNow(), reading: 1_790_134_742_106)
        let driver = LiveDriver(setup: setup, logger: logger)
        var frames = HostileFrames(seed: 7)
        var refused = 0
        for index in 0..<100_000 {
            let frame = frames.next()
            let usable = DriverFuzzTests.decodes(frame)
            guard !usable else {
                if index % 2 == 0 { await driver.marketFrame(frame) } else { await driver.privateFrame(frame) }
                continue
            }
            let before = await driver.state
            if index % 2 == 0 { await driver.marketFrame(frame) } else { await driver.privateFrame(frame) }
            refused += 1
            let after = await driver.state
            // Whole states are compared for every tenth refused frame (a deep comparison of every
            // market's buffers is slow); the clock, money and orders for all of them.
            let changed = refused % 10 == 0 ? after != before
                : after.now != before.now || after.cash != before.cash || after.orders != before.orders
                    || after.positions != before.positions || after.markets.count != before.markets.count
            if changed {
                Issue.record("frame \(index) changed the state: \(String(decoding: frame.prefix(300), as: UTF8.self))")
                print("changed by frame \(index): \(String(decoding: frame.prefix(300), as: UTF8.self))")
                break
            }
        }
        #expect(refused > 50_000)
        #expect(await driver.framesRejected >= refused / 2)
        #expect(await driver.state.checkInvariants() == [])
    }

    /// True when either decoder takes the frame and its time is plausible.
    static func decodes(_ frame: [UInt8]) -> Bool {
        guard UTF8Check.isValid(frame) else { return false }
        if let market = frame.withUnsafeBytes({ try? MarketFrameDecoder.decode($0, depth: .best) }) {
            if let time = market.time { return abs(time - 1_790_134_742_106) < 120_000 }
            return true
        }
        return (try? PrivateFrameDecoder.decode(frame)) != nil
    }
}
