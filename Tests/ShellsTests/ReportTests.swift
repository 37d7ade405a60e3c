import Core
import TestSupport
import Foundation
import Shells
import Testing

@Suite(.serialized) struct LiveReportTests {
    func leg(_ id: Int, net: String, exit: Milliseconds) -> LedgerEntry {
        LedgerEntry(positionId: id, market: "KRW-BTC", entryTime: exit - 60_000, entryPrice: 500_000, exitTime: exit,
                    exitPrice: 501_500, quantity: 1, grossPnL: 1_500, fee: Fixed("500.75")!, netPnL: Fixed(net)!,
                    returnPercent: Fixed("0.19985")!, reason: .takeProfit)
    }

    @Test func theLedgerFileKeepsEveryLegAndBuildsTheReport() throws {
        let directory = temporaryDirectory("state")
        let file = LedgerFile(directory: directory)
        try file.append([LedgerFile.Row(leg: leg(1, net: "999.25", exit: 1_767_225_600_000), equity: Fixed("1000999.25")!)])
        try file.append([LedgerFile.Row(leg: leg(2, net: "-500", exit: 1_767_312_000_000), equity: Fixed("1000499.25")!)])
        let rows = try file.read()
        #expect(rows.map(\.leg.positionId) == [1, 2])
        let all = LedgerFile.summary(rows)
        #expect(all.initialEquity == 1_000_000)
        #expect(all.netPnL == Fixed("499.25")!)
        #expect(all.equityCurve.map(\.equity) == [1_000_000, Fixed("1000999.25")!, Fixed("1000499.25")!])
        let secondDay = LedgerFile.summary(rows, from: 1_767_300_000_000)
        #expect(secondDay.ledger.map(\.positionId) == [2])
    }

    @Test func theReportIsEmailedWithItsAttachments() throws {
        let sink = try SMTPSink()
        var email = EmailSettings()
        email.server = "smtp://127.0.0.1:\(sink.port)"
        email.from = "surge <bot@example.com>"
        email.to = ["me@example.com"]
        email.starttls = false
        let summary = LedgerFile.summary([LedgerFile.Row(leg: leg(1, net: "999.25", exit: 1_767_225_600_000),
                                                         equity: Fixed("1000999.25")!)])
        try ReportMail.send(summary, title: "surge daily report 2026-01-01 (KST)", settings: email, password: "p4ss-secret")
        let mail = ParsedMail(try #require(sink.messages().first).raw)
        #expect(mail.headers["subject"] == "surge daily report 2026-01-01 (KST)")
        #expect(mail.headers["from"] == "surge <bot@example.com>")
        #expect(String(decoding: mail.parts[0].body, as: UTF8.self).contains("net P&L: 999 KRW"))
        #expect(String(decoding: mail.parts[1].body, as: UTF8.self).contains("<svg"))
        #expect(String(decoding: mail.parts[2].body, as: UTF8.self).hasPrefix(ReportFiles.tradesHeader))
        #expect(!sink.messages()[0].raw.contains("p4ss-secret"))
    }
}
