import ArgumentParser
import Core
import Foundation
import Shells

/// `surge status`: what the bot holds and does, read from its store (also while it runs).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show positions, orders in flight, equity, today's P&L, halts and cooldowns from the state directory."
    )

    @Option(help: "State directory of the bot.") var state = "state"
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: state + "/data.mdb") else {
            throw CommandFailure(message: "no store in \(state) (surge run --live --state \(state) creates it)")
        }
        let recovered: Store.Recovery
        let legs: Int
        do {
            // The recovery `surge run` does: the store's own snapshots, config events and journal.
            let store = try Store(directory: state, readOnly: true, create: false)
            recovered = try store.recover()
            legs = try store.legs().count
        } catch {
            throw CommandFailure(message: "cannot read \(state): \(error)")
        }
        let current = recovered.state
        if json {
            print(StatusCommand.json(current, lastSequence: recovered.lastSequence, exitLegs: legs))
            return
        }
        for note in recovered.notes { print("note: \(note)") }
        print("state \(state): event \(recovered.lastSequence), last event at \(ISOTime.string(current.now))")
        print("equity \(current.equityKRW.rounded(places: 0)) KRW (free \(current.cash.rounded(places: 0)) KRW), "
              + "today \(current.risk.dayRealizedPnL.rounded(places: 0)) KRW")
        print("entries: \(current.entryHaltReason.map { "halted (\($0))" } ?? "allowed")")
        for position in current.positions {
            print("position \(position.id) \(position.market) \(position.phase.rawValue): \(position.volume) at "
                  + "\(position.entryPrice?.rounded(places: 4) ?? 0), take profit \(position.takeProfitPrice?.rounded(places: 4) ?? 0), "
                  + "stop \(position.stopPrice?.rounded(places: 4) ?? 0)")
        }
        for order in current.orders.values.sorted(by: { $0.identifier < $1.identifier }) {
            print("order \(order.identifier) \(order.market) \(order.phase.rawValue): executed \(order.executedQuantity)")
        }
        for (market, until) in current.risk.cooldownUntil.sorted(by: { $0.key < $1.key }) where until > current.now {
            print("cooling down: \(market) until \(ISOTime.string(until))")
        }
        print("exit legs so far: \(legs)")
    }

    static func json(_ state: State, lastSequence: UInt64, exitLegs: Int) -> String {
        let positions = state.positions.map { position in
            "{\"id\":\(position.id),\"market\":\"\(position.market)\",\"phase\":\"\(position.phase.rawValue)\","
                + "\"volume\":\"\(position.volume)\",\"entry_price\":\"\(position.entryPrice ?? 0)\"}"
        }
        let orders = state.orders.values.sorted { $0.identifier < $1.identifier }.map { order in
            "{\"identifier\":\"\(order.identifier)\",\"market\":\"\(order.market)\",\"phase\":\"\(order.phase.rawValue)\","
                + "\"executed_volume\":\"\(order.executedQuantity)\"}"
        }
        let cooldowns = state.risk.cooldownUntil.sorted { $0.key < $1.key }.filter { $0.value > state.now }
            .map { "\"\($0.key)\":\"\(ISOTime.string($0.value))\"" }
        return "{\"event\":\(lastSequence),\"last_event_time\":\"\(ISOTime.string(state.now))\","
            + "\"equity_krw\":\"\(state.equityKRW.rounded(places: 4))\",\"cash_krw\":\"\(state.cash.rounded(places: 4))\","
            + "\"today_pnl_krw\":\"\(state.risk.dayRealizedPnL.rounded(places: 4))\","
            + "\"entries_halted\":\(state.entryHaltReason.map { "\"\($0)\"" } ?? "null"),"
            + "\"positions\":[\(positions.joined(separator: ","))],\"orders\":[\(orders.joined(separator: ","))],"
            + "\"cooldowns\":{\(cooldowns.joined(separator: ","))},\"exit_legs\":\(exitLegs)}"
    }
}
