import Core
import Logging
import Shells

/// What the upkeep remembers: when the listen key was last kept alive, and the symbols whose
/// dead-man switch is armed with the time of their last heartbeat.
struct BinanceUpkeep: Sendable {
    var keptAliveAt: ContinuousClock.Instant?
    var armed: [String: ContinuousClock.Instant] = [:]
}

extension BinanceAdapter {
    /// The listen key is kept alive every 30 minutes (it lives 60).
    static let keepAliveInterval = Duration.seconds(30 * 60)
    /// The dead-man switch is renewed every 30 s (Binance's example: every 30 s with 120 s).
    static let heartbeatInterval = Duration.seconds(30)

    /// Live mode: the listen key's keepalive (a key Binance no longer knows means connecting the
    /// private stream anew), and `countdownCancelAll` for every symbol with a resting regular
    /// order of ours — armed while there is one, disarmed (0) once there is none.
    public func upkeep(restingOrderMarkets resting: [String], logger: Logger) async -> String? {
        guard let rest else { return nil }
        let now = ContinuousClock.now
        var reconnect: String?
        let keepAliveDue = upkeepState.withLock { upkeep in
            guard let last = upkeep.keptAliveAt, now - last >= BinanceAdapter.keepAliveInterval else { return false }
            upkeep.keptAliveAt = now
            return true
        }
        if keepAliveDue {
            switch await offload({ rest.keepListenKeyAlive() }) {
            case .success: break
            case .rejected(let error) where error.code == -1125: reconnect = "listen key unknown to Binance"
            case .rejected(let error): logger.warning("listen key keepalive refused: \(error)")
            case .unknown(let reason): logger.warning("listen key keepalive unanswered: \(reason)")
            }
        }
        let countdown = settings.binance.countdownSeconds
        guard countdown > 0 else { return reconnect }
        let (arm, disarm) = upkeepState.withLock { upkeep in
            let arm = resting.filter { symbol in upkeep.armed[symbol].map { now - $0 >= BinanceAdapter.heartbeatInterval } ?? true }
            let disarm = upkeep.armed.keys.filter { !resting.contains($0) }.sorted()
            for symbol in arm { upkeep.armed[symbol] = now }
            for symbol in disarm { upkeep.armed[symbol] = nil }
            return (arm, disarm)
        }
        for symbol in arm {
            if case .rejected(let error) = await offload({ rest.countdownCancelAll(symbol: symbol, countdownMilliseconds: countdown * 1_000) }) {
                logger.warning("dead-man switch for \(symbol) refused: \(error)")
            }
        }
        for symbol in disarm {
            _ = await offload { rest.countdownCancelAll(symbol: symbol, countdownMilliseconds: 0) }
        }
        return reconnect
    }
}
