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
            recovered = try store.recover(venue: UpbitVenue.profile)
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
        let quote = current.venue.quoteAsset
        print("equity \(current.equity.rounded(places: 0)) \(quote) (free \(current.cash.rounded(places: 0)) \(quote)), "
              + "today \(current.risk.dayRealizedPnL.rounded(places: 0)) \(quote)")
        print("entries: \(current.entryHaltReason.map { "halted (\($0))" } ?? "allowed")")
        for position in current.positions {
            let entry = position.entryPrice?.rounded(places: 4) ?? 0
            let takeProfit = position.takeProfitPrice?.rounded(places: 4) ?? 0
            let stop = position.stopPrice?.rounded(places: 4) ?? 0
            let liquidation = current.venue.isMargin
                ? position.isolatedLiquidationPrice(current.instrument(for: position.market))
                    .map { ", liquidation ≈ \($0.rounded(places: 4))" } ?? "" : ""
            print("position \(position.id) \(position.market) \(position.direction.rawValue) \(position.phase.rawValue): "
                  + "\(position.quantity) at \(entry), take profit \(takeProfit), stop \(stop)\(liquidation)")
        }
        for order in current.orders.values.sorted(by: { $0.identifier < $1.identifier }) {
            print("order \(order.identifier) \(order.market) \(order.phase.rawValue): executed \(order.executedQuantity)")
        }
        for (market, until) in current.risk.cooldownUntil.sorted(by: { $0.key < $1.key }) where until > current.now {
            print("cooling down: \(market) until \(ISOTime.string(until))")
        }
        print("exit legs so far: \(legs)")
    }

    /// Amounts are named by the quote asset (`equity_krw` on Upbit); a margin venue's positions
    /// also say their direction.
    static func json(_ state: State, lastSequence: UInt64, exitLegs: Int) -> String {
        let margin = state.venue.isMargin
        let positions = state.positions.map { position -> String in
            var direction = margin ? "\"direction\":\"\(position.direction.rawValue)\"," : ""
            if margin, let price = position.isolatedLiquidationPrice(state.instrument(for: position.market)) {
                direction += "\"liquidation_price\":\"\(price.rounded(places: 4))\","
            }
            return "{\"id\":\(position.id),\"market\":\"\(position.market)\",\(direction)\"phase\":\"\(position.phase.rawValue)\","
                + "\"volume\":\"\(position.quantity)\",\"entry_price\":\"\(position.entryPrice ?? 0)\"}"
        }
        let orders = state.orders.values.sorted { $0.identifier < $1.identifier }.map { order in
            "{\"identifier\":\"\(order.identifier)\",\"market\":\"\(order.market)\",\"phase\":\"\(order.phase.rawValue)\","
                + "\"executed_volume\":\"\(order.executedQuantity)\"}"
        }
        let cooldowns = state.risk.cooldownUntil.sorted { $0.key < $1.key }.filter { $0.value > state.now }
            .map { "\"\($0.key)\":\"\(ISOTime.string($0.value))\"" }
        let quote = state.venue.quoteAsset.lowercased()
        let equity: String = "\"equity_\(quote)\":\"\(state.equity.rounded(places: 4))\","
        let cash: String = "\"cash_\(quote)\":\"\(state.cash.rounded(places: 4))\","
        let today: String = "\"today_pnl_\(quote)\":\"\(state.risk.dayRealizedPnL.rounded(places: 4))\","
        let halted: String = "\"entries_halted\":\(state.entryHaltReason.map { "\"\($0)\"" } ?? "null"),"
        let head: String = "{\"event\":\(lastSequence),\"last_event_time\":\"\(ISOTime.string(state.now))\","
        return head + equity + cash + today + halted
            + "\"positions\":[\(positions.joined(separator: ","))],\"orders\":[\(orders.joined(separator: ","))],"
            + "\"cooldowns\":{\(cooldowns.joined(separator: ","))},\"exit_legs\":\(exitLegs)}"
    }
}
