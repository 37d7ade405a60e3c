import Core

/// ISO 8601 in UTC (`2026-01-01T00:30:05.200Z`), computed by hand: deterministic and fast.
public enum ISOTime {
    public static func string(_ time: Milliseconds, milliseconds: Bool = true) -> String {
        let days = Time.floorDivide(time, Time.day)
        let millisecondOfDay = time - days * Time.day
        let (year, month, day) = civil(fromDays: days)
        let seconds = millisecondOfDay / 1_000
        var text = "\(year)-\(two(month))-\(two(day))T\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        if milliseconds {
            let fraction = millisecondOfDay % 1_000
            text += "." + (fraction < 100 ? (fraction < 10 ? "00" : "0") : "") + String(fraction)
        }
        return text + "Z"
    }

    /// The date only: `2026-01-01`.
    public static func date(_ time: Milliseconds) -> String {
        let (year, month, day) = civil(fromDays: Time.floorDivide(time, Time.day))
        return "\(year)-\(two(month))-\(two(day))"
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
