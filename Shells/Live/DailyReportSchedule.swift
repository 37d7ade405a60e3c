import Core
import Foundation
import Logging
import Shells

/// `[email] daily_report_time`, on the venue's trading day (00:00 KST on Upbit): once a day at
/// that time the last 24 hours of the ledger go out by e-mail, off the trading loop; a failure is
/// logged and never stops trading.
public struct DailyReportSchedule {
    let time: DailyTime
    let offsetMinutes: Int
    let zone: String
    private var lastDay: Int64?

    /// Today's report time already passed at `start`: the first report is tomorrow's.
    init(time: DailyTime, offsetMinutes: Int, zone: String, start: Milliseconds) {
        self.time = time
        self.offsetMinutes = offsetMinutes
        self.zone = zone
        let (day, minute) = DailyReportSchedule.dayAndMinute(start, offsetMinutes: offsetMinutes)
        if minute >= time.minuteOfDay { lastDay = day }
    }

    /// The day whose report is due at `now` (and marks it sent), or nil.
    mutating func due(now: Milliseconds) -> Int64? {
        guard let day = DailyReportSchedule.due(now: now, at: time, lastDay: lastDay, offsetMinutes: offsetMinutes) else {
            return nil
        }
        lastDay = day
        return day
    }

    public static func due(now: Milliseconds, at time: DailyTime, lastDay: Int64?, offsetMinutes: Int) -> Int64? {
        let (day, minute) = dayAndMinute(now, offsetMinutes: offsetMinutes)
        return minute >= time.minuteOfDay && lastDay != day ? day : nil
    }

    static func dayAndMinute(_ time: Milliseconds, offsetMinutes: Int) -> (day: Int64, minute: Int) {
        let day = Time.day(time, offsetMinutes: offsetMinutes)
        let minute = Int((time + Milliseconds(offsetMinutes) * Time.minute - day * Time.day) / Time.minute)
        return (day, minute)
    }

    /// Sends the report of the 24 hours before `now` on a thread of its own.
    func send(now: Milliseconds, file: LedgerFile, email: EmailSettings, password: String?, logger: Logger) {
        let title = "surge daily report \(ISOTime.date(now + Milliseconds(offsetMinutes) * Time.minute)) (\(zone))"
        Thread.detachNewThread {
            do {
                let summary = LedgerFile.summary(try file.read(), from: now - Time.day, to: now + 1)
                try ReportMail.send(summary, title: title, settings: email, password: password)
                logger.info("daily report sent to \(email.to.joined(separator: ", "))")
            } catch {
                logger.error("daily report not sent: \(error)")
            }
        }
    }
}
