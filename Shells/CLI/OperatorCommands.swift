import ArgumentParser
import Foundation
import Core
import Shells

/// `surge close MARKET`: the running bot sells the position in MARKET at market (ledger reason
/// `manual`); a stuck position gets a fresh set of attempts.
struct CloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close", abstract: "Ask the bot running on a state directory to close a position now.")

    @Argument(help: "The market, e.g. KRW-BTC (Upbit) or BTCUSDT (Binance futures).") var market: String
    @Option(help: "State directory of the bot.") var state = "state"

    func run() throws { try submit(.close(market: market), state: state) }
}

/// `surge pause`: no new entries until `surge resume` (exits go on).
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Ask the running bot to stop opening positions (exits go on).")

    @Option(help: "State directory of the bot.") var state = "state"

    func run() throws { try submit(.pause, state: state) }
}

/// `surge resume`: entries allowed again after `surge pause`.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Ask the running bot to open positions again after surge pause.")

    @Option(help: "State directory of the bot.") var state = "state"

    func run() throws { try submit(.resume, state: state) }
}

func submit(_ request: OperatorRequests.Request, state: String) throws {
    if case .close(let market) = request, !OperatorRequests.isMarketCode(market) {
        throw CommandFailure(message: "not a market code: \(market) (e.g. KRW-BTC or BTCUSDT)")
    }
    guard FileManager.default.fileExists(atPath: state) else {
        throw CommandFailure(message: "no state directory \(state)")
    }
    do {
        try OperatorRequests.submit(request, stateDirectory: state)
    } catch {
        throw CommandFailure(message: "cannot queue the request in \(state): \(error)")
    }
    if StateDirectoryLock.isHeld(directory: state) {
        print("queued for the bot running on \(state): it takes requests once a second")
    } else {
        print("queued in \(state): no bot runs on it now; the request is applied at its next start")
    }
}
