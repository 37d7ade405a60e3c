import Core

/// What a run produced, and the figures of `summary.json`.
public struct BacktestSummary: Equatable, Sendable {
    public var ledger: [LedgerEntry]
    public var equityCurve: [EquityPoint]
    public var initialEquity: Fixed
    public var finalEquity: Fixed
    public var framesRead: Int
    public var framesRejected: Int
    public var firstFrameTime: Milliseconds?
    public var lastFrameTime: Milliseconds?
    /// The quote asset amounts are in (`KRW`, `USDT`): it names the report's columns.
    public var quoteAsset = "KRW"
    /// Margin venues: legs have a direction, and the report says it.
    public var directions = false

    public init(ledger: [LedgerEntry], equityCurve: [EquityPoint], initialEquity: Fixed, finalEquity: Fixed,
                framesRead: Int, framesRejected: Int, firstFrameTime: Milliseconds?, lastFrameTime: Milliseconds?) {
        self.ledger = ledger
        self.equityCurve = equityCurve
        self.initialEquity = initialEquity
        self.finalEquity = finalEquity
        self.framesRead = framesRead
        self.framesRejected = framesRejected
        self.firstFrameTime = firstFrameTime
        self.lastFrameTime = lastFrameTime
    }

    /// Exit legs.
    public var trades: Int { ledger.count }

    /// Net P&L per position, in the order positions first closed a leg.
    public var positionResults: [Fixed] {
        var order: [Int] = []
        var net: [Int: Fixed] = [:]
        for entry in ledger {
            if net[entry.positionId] == nil { order.append(entry.positionId) }
            net[entry.positionId, default: 0] += entry.netPnL
        }
        return order.map { net[$0]! }
    }

    public var positions: Int { positionResults.count }

    /// Share of positions (all legs together) with a positive net P&L, in percent.
    public var winRatePercent: Fixed {
        let results = positionResults
        guard !results.isEmpty else { return 0 }
        return Fixed(results.filter(\.isPositive).count) * 100 / Fixed(results.count)
    }

    public var netPnL: Fixed { ledger.reduce(Fixed.zero) { $0 + $1.netPnL } }

    public var returnPercent: Fixed {
        initialEquity.isPositive ? (finalEquity - initialEquity) * 100 / initialEquity : 0
    }

    /// Largest fall from a running peak of the equity curve, in percent of that peak.
    public var maxDrawdownPercent: Fixed { drawdowns.map(\.percent).max() ?? 0 }

    /// The drawdown (in percent of the running peak) at each point of the equity curve.
    public var drawdowns: [(time: Milliseconds, percent: Fixed)] {
        var peak = initialEquity
        return equityCurve.map { point in
            peak = Fixed.max(peak, point.equity)
            let percent = peak.isPositive ? (peak - point.equity) * 100 / peak : 0
            return (point.time, percent)
        }
    }
}
