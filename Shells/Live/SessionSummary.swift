import Core
import Shells

/// The account of a session printed when the bot stops (and by the demo).
enum SessionSummary {
    static func text(state: State, legs: [LedgerEntry], framesRejected: Int) -> String {
        let net = legs.reduce(Fixed.zero) { $0 + $1.netPnL }
        let quote = state.venue.quoteAsset
        let positions = state.positions.map { "\($0.market) \($0.direction == .short ? "-" : "")\($0.quantity)" }
        return """
            positions open: \(positions.joined(separator: ", ").ifEmpty("none"))
            exit legs: \(legs.count), net P&L \(net.rounded(places: 0)) \(quote), equity \(state.equity.rounded(places: 0)) \(quote)
            frames rejected: \(framesRejected), late trades \(state.statistics.lateTrades), duplicate trades \(state.statistics.duplicateTrades)
            """
    }
}
