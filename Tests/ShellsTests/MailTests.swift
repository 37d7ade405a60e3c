import Core
import TestSupport
import Foundation
import Shells
import Testing

@Suite(.serialized) struct MailTests {
    @Test func aReportMailArrivesWithItsAttachmentsAndNoSecret() throws {
        let sink = try SMTPSink(user: "bot@example.com", password: "hunter2-secret")
        let mailer = SMTPMailer(server: "smtp://127.0.0.1:\(sink.port)", user: "bot@example.com",
                                password: "hunter2-secret", starttls: false)
        let csv = Array("position_id,market\n1,KRW-BTC\n".utf8)
        let html = Array("<html><body>equity</body></html>".utf8)
        let message = MailMessage(from: "surge <bot@example.com>", to: ["me@example.com", "you@example.com"],
                                  subject: "surge daily report 2026-01-01", text: "net P&L 999 KRW",
                                  attachments: [.init(filename: "report.html", contentType: "text/html", data: html),
                                                .init(filename: "trades.csv", contentType: "text/csv", data: csv)])
        try mailer.send(from: "bot@example.com", to: message.to, message: message.render())

        let received = sink.messages()
        #expect(received.count == 1)
        let (envelope, raw) = try #require(received.first)
        #expect(envelope["to"] as? [String] == ["me@example.com", "you@example.com"])
        #expect(envelope["authenticated"] as? Bool == true)
        let mail = ParsedMail(raw)
        #expect(mail.headers["subject"] == "surge daily report 2026-01-01")
        #expect(mail.headers["to"] == "me@example.com, you@example.com")
        #expect(mail.parts.count == 3)
        #expect(String(decoding: mail.parts[0].body, as: UTF8.self) == "net P&L 999 KRW")
        #expect(mail.parts[1].headers["content-disposition"] == "attachment; filename=\"report.html\"")
        #expect(mail.parts[1].body == html)
        #expect(mail.parts[2].headers["content-disposition"] == "attachment; filename=\"trades.csv\"")
        #expect(mail.parts[2].body == csv)
        #expect(!raw.contains("hunter2"))
    }

    @Test func aWrongPasswordIsAClearErrorWithoutThePassword() throws {
        let sink = try SMTPSink(user: "bot@example.com", password: "right")
        let mailer = SMTPMailer(server: "smtp://127.0.0.1:\(sink.port)", user: "bot@example.com", password: "wrong-pw",
                                starttls: false)
        do {
            try mailer.send(from: "bot@example.com", to: ["me@example.com"],
                            message: MailMessage(from: "bot@example.com", to: ["me@example.com"], subject: "x", text: "y").render())
            Issue.record("sent")
        } catch {
            #expect(error.description.hasPrefix("SMTP to smtp://127.0.0.1:\(sink.port) failed"))
            #expect(!error.description.contains("wrong-pw"))
        }
        #expect(sink.messages().isEmpty)
    }
}
