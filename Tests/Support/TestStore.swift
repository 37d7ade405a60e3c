import Core
import Foundation
import Testing

/// An exhaustive test store for the reducer, after TCA's `TestStore` and Mobius's `UpdateSpec`:
///
/// ```swift
/// let store = TestStore(state)
/// store.send(btc.trade(501_500, "0.01", at: at(30, 6))) {
///     $0.positions[0].partialTaken = true        // every change of the state, and nothing else
/// }
/// store.receive([.placeOrder(…)])                // every command of that event, in order
/// ```
///
/// A state change the closure did not describe (or one it described that did not happen) fails
/// with a line diff of the two states; commands of an event not asserted with `receive` before the
/// next `send` (or `finish`) fail; broken invariants fail. Nothing crashes the test process.
public final class TestStore {
    /// How much of the state a `send` must describe.
    public enum Exhaustivity {
        /// All of it.
        case full
        /// All but the market-data bookkeeping every trade moves (`markets`, the clocks, the last
        /// evaluated second, the last market-data time, statistics): positions, orders, cash, risk,
        /// probes and counters stay exhaustive.
        case tradingState
    }

    public var exhaustivity: Exhaustivity
    public private(set) var state: State
    private var unasserted: [Command] = []
    private var lastEvent: Event?

    public init(_ state: State, exhaustivity: Exhaustivity = .full) {
        self.state = state
        self.exhaustivity = exhaustivity
    }

    /// Sends one event. `expected` turns the state before into the state the reducer must reach.
    public func send(_ event: Event, sourceLocation: SourceLocation = #_sourceLocation,
                     _ expected: (inout State) -> Void = { _ in }) {
        failOnUnasserted(sourceLocation)
        var want = state
        expected(&want)
        let (next, commands) = reduced(state, event)
        state = next
        unasserted = commands
        lastEvent = event
        let broken = state.checkInvariants()
        if !broken.isEmpty { Issue.record("invariants broken after \(event): \(broken)", sourceLocation: sourceLocation) }
        let expectedLines = lines(want), actualLines = lines(state)
        if exhaustivity == .full ? want != state : expectedLines != actualLines {
            let diff = TestStore.diff(expectedLines, actualLines)
            Issue.record(Comment(rawValue: "the state after \(event) differs (- expected, + actual):\n\(diff)"),
                         sourceLocation: sourceLocation)
        }
    }

    /// The commands of the last event, exactly and in order.
    public func receive(_ expected: [Command], sourceLocation: SourceLocation = #_sourceLocation) {
        if unasserted != expected {
            let event = lastEvent.map { "\($0)" } ?? "nothing"
            let message = "the commands of \(event) differ:\nexpected \(expected)\nactual   \(unasserted)"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
        unasserted = []
    }

    /// Ends a scenario: commands still unasserted fail.
    public func finish(sourceLocation: SourceLocation = #_sourceLocation) { failOnUnasserted(sourceLocation) }

    private func failOnUnasserted(_ sourceLocation: SourceLocation) {
        guard !unasserted.isEmpty else { return }
        let event = lastEvent.map { "\($0)" } ?? "nothing"
        Issue.record(Comment(rawValue: "\(unasserted.count) command(s) of \(event) not asserted: \(unasserted)"),
                     sourceLocation: sourceLocation)
        unasserted = []
    }

    /// A state as pretty JSON lines, without the market-data bookkeeping unless exhaustive.
    private func lines(_ state: State) -> [Substring] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(state) else { return [] }
        guard exhaustivity == .tradingState, var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return String(decoding: data, as: UTF8.self).split(separator: "\n")
        }
        for key in ["markets", "marketIndex", "now", "driverClock", "statistics"] { object[key] = nil }
        if var counters = object["counters"] as? [String: Any] {
            counters["lastEvaluatedSecond"] = nil
            object["counters"] = counters
        }
        if var risk = object["risk"] as? [String: Any] {
            risk["lastMarketDataAt"] = nil
            object["risk"] = risk
        }
        let trimmed = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? data
        return String(decoding: trimmed, as: UTF8.self).split(separator: "\n")
    }

    /// The lines where two states' JSON differ (the common head and tail are left out).
    static func diff(_ want: [Substring], _ got: [Substring]) -> String {
        var head = 0
        while head < want.count, head < got.count, want[head] == got[head] { head += 1 }
        var tail = 0
        while tail < want.count - head, tail < got.count - head, want[want.count - 1 - tail] == got[got.count - 1 - tail] {
            tail += 1
        }
        let removed: [String] = want[head..<(want.count - tail)].map { "- " + $0.trimmingCharacters(in: .whitespaces) }
        let added: [String] = got[head..<(got.count - tail)].map { "+ " + $0.trimmingCharacters(in: .whitespaces) }
        return (removed + added).joined(separator: "\n")
    }
}
