import Core
import Shells
import TestSupport
import Foundation
import Testing

/// Snapshots written before issue 11's fields existed still decode, with their defaults.
@Suite struct SnapshotCompatibilityTests {
    /// Removes `keys` wherever they occur in a JSON value.
    static func strip(_ value: Any, _ keys: Set<String>) -> Any {
        if let object = value as? [String: Any] {
            var copy: [String: Any] = [:]
            for (key, inner) in object where !keys.contains(key) { copy[key] = strip(inner, keys) }
            return copy
        }
        if let array = value as? [Any] { return array.map { strip($0, keys) } }
        return value
    }

    @Test func aSnapshotWithoutTheNewFieldsDecodesWithDefaults() throws {
        var config = Config()
        config.exit.order = .limitTakeProfit
        var (state, btc, _) = givenPositionOpen(config)
        run(&state, [btc.trade(495_000, "0.01", at: at(30, 6))])  // the stop cancels the resting sell
        #expect(!state.orders.isEmpty)
        let added: Set<String> = ["maxClockSkewSeconds", "priceBand", "driverClock", "balancesStale", "pausedByOperator",
                                  "entryBackoffUntil", "entryBackoffMilliseconds", "futureEvents", "suspectPrints",
                                  "unsentOrders", "distrustedUpdates", "firstNotFoundAt", "lastNotFoundAt",
                                  "openOrdersCheckId", "absentFromOpenOrders", "questionedQuantity", "questionedQuote",
                                  "stuckCount", "stuckRetryAt", "backfillFailures", "backfillRetryAt", "unconfirmedPrice"]
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(state))
        let old = try JSONSerialization.data(withJSONObject: SnapshotCompatibilityTests.strip(json, added))
        let decoded = try JSONDecoder().decode(State.self, from: old)
        #expect(decoded == state)
        #expect(decoded.config.risk.priceBand == fixed("0.05"))
        #expect(decoded.config.risk.maxClockSkewSeconds == 60)
    }
}
