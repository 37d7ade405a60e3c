import Core
import TestSupport
import Foundation
import LocalExchange
import Live
import Logging
import Shells
import Testing

/// The local Upbit misbehaves as a real one might; the bot neither crashes nor books what did
/// not happen.
@Suite(.serialized) struct HostileExchangeTests {
    /// myOrder frames claim ten times the volume really bought: the position holds what the
    /// exchange says when asked, not what the frames claim.
    @Test func lyingOrderUpdatesAreNotBooked() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            await upbit.setFaults(Faults(lyingMyOrders: 1_000))
            let bot = await localDriver(upbit, port: port, mode: .live, prefix: "ly") {
                $0.exit.takeProfit = Fixed("5")!
                $0.exit.stopLoss = Fixed("-0.5")!  // no exit: the entry's fills alone are compared
            }
            let run = Task { await bot.run() }
            defer { run.cancel() }
            let opened = await eventually(60) { await bot.state.positions.contains { $0.phase == .open } }
            try #require(opened)
            let position = try #require(await bot.state.positions.first { $0.phase == .open })
            let bought = await upbit.orderSummaries().filter { $0.identifier.hasPrefix("ly-\(position.id)-b") }
                .reduce(Fixed.zero) { $0 + $1.executedQuantity }
            #expect(position.quantity == bought)
            #expect(await bot.state.statistics.inconsistentOrderUpdates > 0)
        }
    }

    /// Prints at 100x and at a billionth of the price, which the book contradicts, neither take
    /// profit nor write the position off.
    @Test func bogusPrintsNeitherExitNorWriteOff() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let bot = await localDriver(upbit, port: port, mode: .paper, prefix: "bp") { config in
                config.exit.takeProfit = Fixed("0.05")!
                config.exit.stopLoss = Fixed("-0.5")!
            }
            let run = Task { await bot.run() }
            defer { run.cancel() }
            let opened = await eventually(60) { await bot.state.positions.contains { $0.phase == .open } }
            try #require(opened)
            let position = try #require(await bot.state.positions.first { $0.phase == .open })
            for factor in [100.0, 0.000000001] {
                await upbit.setFaults(Faults(bogusPrints: 60, bogusPrintFactor: factor))
                try await Task.sleep(for: .seconds(3))
            }
            #expect(await bot.state.statistics.suspectPrints > 0)
            let legs = await bot.sessionLegs.filter { $0.positionId == position.id }
            #expect(!legs.contains { $0.reason == .takeProfit && $0.exitPrice > position.entryPrice! * 2 })
            #expect(await bot.state.positions.first { $0.id == position.id }?.writtenOffQuantity ?? 0 == 0)
        }
    }

    /// The operator withdraws nearly all KRW: the bot follows the account (myAsset) and does not
    /// hammer the exchange with buys it cannot pay for.
    @Test func aWithdrawalIsFollowedAndRefusedBuysBackOff() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let bot = await localDriver(upbit, port: port, mode: .live, prefix: "wd")
            let run = Task { await bot.run() }
            defer { run.cancel() }
            let ready = await eventually(30) {
                let state = await bot.state
                return !state.risk.reconciling && state.universeListed
            }
            try #require(ready)
            let krw = await upbit.balances().first { $0.currency == "KRW" }?.balance ?? 0
            await upbit.withdraw(krw: krw - 1_000)
            let followed = await eventually(20) { await bot.state.cash <= 1_000 }
            #expect(followed)
            try await Task.sleep(for: .seconds(15))  // 150 market seconds of surges
            #expect(await upbit.orderRefusals["insufficient_funds_bid", default: 0] <= 2)
        }
    }

    /// A trade dated a day ahead, and a hundred hostile frames on each socket: refused and
    /// counted; the clock stays put and the feed goes on.
    @Test func misdatedAndHostileFramesAreRefusedAndTheFeedGoesOn() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let bot = await localDriver(upbit, port: port, mode: .live, prefix: "hf")
            let run = Task { await bot.run() }
            defer { run.cancel() }
            let flowing = await eventually(30) { await bot.state.risk.lastMarketDataAt != nil }
            try #require(flowing)
            await upbit.setFaults(Faults(skewedTradeSeconds: 86_400, hostileFrames: 100))
            let refused = await eventually(20) {
                let rejected = await bot.framesRejected
                let outOfTime = await bot.framesOutOfTime
                return rejected >= 100 && outOfTime >= 1
            }
            #expect(refused)
            let before = await bot.state.risk.lastMarketDataAt ?? 0
            let goesOn = await eventually(20) { (await bot.state.risk.lastMarketDataAt ?? 0) > before + 5_000 }
            #expect(goesOn)
            let clock = await upbit.clock
            #expect(await bot.state.now <= clock.now() + 60_000)
            #expect(await bot.state.checkInvariants() == [])
        }
    }

    /// Wrong keys: the exchange refuses every private request; the bot says so and halts entries
    /// instead of running on with `jwt_verification` in its logs.
    @Test func refusedKeysHaltEntries() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let bot = await localDriver(upbit, port: port, mode: .live, prefix: "kr", secret: "not-the-secret")
            let run = Task { await bot.run() }
            defer { run.cancel() }
            let halted = await eventually(30) { await bot.state.risk.pausedByOperator }
            #expect(halted)
            #expect(await upbit.orderSummaries().isEmpty)
        }
    }

    /// The candle backfills at start meet server errors: each failed market is asked again
    /// until its history arrives (before, one 502 left a market without history for 20 minutes).
    @Test func failedBackfillsAreRetriedUntilEveryMarketHasHistory() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let bot = await localDriver(upbit, port: port, mode: .paper, prefix: "bf")
            await upbit.setFaults(Faults(failedCandleFetches: 4))
            let run = Task { await bot.run() }
            defer { run.cancel() }
            let listed = await eventually(30) { await bot.state.universeListed }
            try #require(listed)
            let complete = await eventually(40) {
                let markets = await bot.state.markets
                return !markets.isEmpty && markets.allSatisfy { $0.backfill == .done }
            }
            #expect(complete)
            #expect(await upbit.faults.failedCandleFetches == 0)  // four fetches failed, and were asked again
            let markets = await bot.state.markets.count
            #expect(await upbit.requestLog.filter { $0 == "GET /v1/candles/minutes/1" }.count >= markets + 4)
        }
    }
}
