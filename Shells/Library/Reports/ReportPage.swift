import Core

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) with
/// the summary, the equity curve and drawdown, and the trades table.
public enum ReportPage {
    public static func html(_ summary: BacktestSummary, title: String) -> String {
        let rows = summary.ledger.map { entry in
            let tone = entry.netPnL.isNegative ? "loss" : "gain"
            return "<tr><td>\(entry.positionId)</td><td>\(escape(entry.market))</td><td>\(ISOTime.string(entry.entryTime))</td>"
                + "<td>\(entry.entryPrice.rounded(places: 8))</td><td>\(ISOTime.string(entry.exitTime))</td>"
                + "<td>\(entry.exitPrice.rounded(places: 8))</td><td>\(entry.quantity.rounded(places: 8))</td>"
                + "<td class=\"\(tone)\">\(entry.netPnL.rounded(places: 0))</td>"
                + "<td class=\"\(tone)\">\(entry.returnPercent.rounded(places: 4))</td><td>\(entry.reason.rawValue)</td></tr>"
        }.joined(separator: "\n")
        let figures: [(String, String)] = [
            ("Trades (exit legs)", "\(summary.trades)"),
            ("Positions", "\(summary.positions)"),
            ("Win rate", "\(summary.winRatePercent.rounded(places: 2)) %"),
            ("Net P&L", "\(summary.netPnL.rounded(places: 0)) \(summary.quoteAsset)"),
            ("Return", "\(summary.returnPercent.rounded(places: 4)) %"),
            ("Max drawdown", "\(summary.maxDrawdownPercent.rounded(places: 4)) %"),
            ("Final equity", "\(summary.finalEquity.rounded(places: 0)) \(summary.quoteAsset)"),
            ("Frames read / rejected", "\(summary.framesRead) / \(summary.framesRejected)"),
            ("Period", "\(summary.firstFrameTime.map { ISOTime.string($0) } ?? "-") → \(summary.lastFrameTime.map { ISOTime.string($0) } ?? "-")"),
        ]
        let table = figures.map { "<tr><th>\($0.0)</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
            h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
            table{border-collapse:collapse}td,th{padding:.2em .7em;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}
            table.trades{font-size:12px}
            th{text-align:left;font-weight:600}.gain{color:#0a7d32}.loss{color:#c62828}
            svg{background:#fafafa;border:1px solid #ddd}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <table class="summary">
            \(table)
            </table>
            <h2>Equity (\(summary.quoteAsset))</h2>
            \(EquityChart.svg(summary))
            <h2>Drawdown (%)</h2>
            \(EquityChart.drawdownSVG(summary))
            <h2>Trades</h2>
            <table class="trades">
            <tr><th>Position</th><th>Market</th><th>Entry time</th><th>Entry price</th><th>Exit time</th><th>Exit price</th><th>Volume</th><th>Net \(summary.quoteAsset)</th><th>Return %</th><th>Reason</th></tr>
            \(rows)
            </table>
            </body></html>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The equity curve and drawdown as inline SVG polylines with labelled axes.
enum EquityChart {
    static let width = 900.0
    static let height = 260.0
    static let margin = 60.0

    static func svg(_ summary: BacktestSummary) -> String {
        let points = summary.equityCurve.map { ($0.time, $0.equity.doubleValue) }
        return chart(points, color: "#1565c0", fill: false)
    }

    static func drawdownSVG(_ summary: BacktestSummary) -> String {
        chart(summary.drawdowns.map { ($0.time, -$0.percent.doubleValue) }, color: "#c62828", fill: true)
    }

    static func chart(_ points: [(Milliseconds, Double)], color: String, fill: Bool) -> String {
        guard let first = points.first, let last = points.last else {
            return "<svg width=\"\(Int(width))\" height=\"40\"><text x=\"10\" y=\"25\">no data</text></svg>"
        }
        let values = points.map(\.1)
        var low = values.min()!
        var high = values.max()!
        if high - low < 1e-9 { low -= 1; high += 1 }
        let span = Double(Swift.max(last.0 - first.0, 1))
        func x(_ time: Milliseconds) -> Double { margin + (width - 2 * margin) * Double(time - first.0) / span }
        func y(_ value: Double) -> Double { height - margin / 2 - (height - margin) * (value - low) / (high - low) }
        func format(_ value: Double) -> String { String(Int64((value * 10).rounded())).insertingDecimal() }
        var path = points.map { "\(format(x($0.0))),\(format(y($0.1)))" }.joined(separator: " ")
        if fill { path = "\(format(x(first.0))),\(format(y(Swift.min(0, high)))) " + path + " \(format(x(last.0))),\(format(y(Swift.min(0, high))))" }
        let shape = fill
            ? "<polygon points=\"\(path)\" fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"\(color)\"/>"
            : "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        let top = String(format: "%.2f", high + 0.0)  // + 0.0 turns -0 into 0
        let bottom = String(format: "%.2f", low + 0.0)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">
            <line x1="\(Int(margin))" y1="\(Int(margin / 2))" x2="\(Int(margin))" y2="\(Int(height - margin / 2))" stroke="#999"/>
            <line x1="\(Int(margin))" y1="\(Int(height - margin / 2))" x2="\(Int(width - margin))" y2="\(Int(height - margin / 2))" stroke="#999"/>
            <text x="4" y="\(Int(margin / 2) + 4)" font-size="11">\(top)</text>
            <text x="4" y="\(Int(height - margin / 2))" font-size="11">\(bottom)</text>
            <text x="\(Int(margin))" y="\(Int(height - 4))" font-size="11">\(ISOTime.string(first.0, milliseconds: false))</text>
            <text x="\(Int(width - margin))" y="\(Int(height - 4))" font-size="11" text-anchor="end">\(ISOTime.string(last.0, milliseconds: false))</text>
            \(shape)
            </svg>
            """
    }
}

private extension String {
    /// "1234" (tenths) -> "123.4"; "-5" -> "-0.5".
    func insertingDecimal() -> String {
        let negative = hasPrefix("-")
        var digits = negative ? String(dropFirst()) : self
        while digits.count < 2 { digits = "0" + digits }
        return (negative ? "-" : "") + digits.dropLast() + "." + digits.suffix(1)
    }
}
