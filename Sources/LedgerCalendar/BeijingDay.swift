// A calendar day in Beijing time (Asia/Shanghai, UTC+08:00, no daylight saving), SPEC §2.
// Proleptic Gregorian calendar; years 1...9999. No clock, no time zone database: Beijing is a
// fixed offset.

/// A day of the week.
package enum Weekday: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    package var isWeekend: Bool { self == .saturday || self == .sunday }

    package var description: String {
        switch self {
        case .monday: "Monday"
        case .tuesday: "Tuesday"
        case .wednesday: "Wednesday"
        case .thursday: "Thursday"
        case .friday: "Friday"
        case .saturday: "Saturday"
        case .sunday: "Sunday"
        }
    }
}

/// A calendar day in Beijing time, e.g. `2024-02-29`.
package struct BeijingDay: Comparable, Hashable, Sendable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int

    /// Beijing's offset from UTC, in milliseconds (+08:00).
    package static let utcOffsetMilliseconds: Int64 = 8 * 3_600_000
    static let millisecondsPerDay: Int64 = 86_400_000

    /// A valid day, or nil (month 1–12, day within the month, year 1–9999).
    package init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= BeijingDay.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Strict `YYYY-MM-DD`: exactly ten ASCII characters, a real date. Nothing else is accepted
    /// (no time, no offset, no surrounding white space, no `2024-2-9`).
    package init?(iso text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                let c = b[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The Beijing day of an instant given as milliseconds since 1970-01-01T00:00:00Z.
    package init(epochMilliseconds ms: Int64) {
        let local = ms + BeijingDay.utcOffsetMilliseconds
        // Floor division, so instants before 1970 land on the right day.
        var days = local / BeijingDay.millisecondsPerDay
        if local % BeijingDay.millisecondsPerDay < 0 { days -= 1 }
        self.init(dayNumber: Int(days))
    }

    /// The day `n` days after 1970-01-01 (negative: before). Traps outside years 1...9999.
    package init(dayNumber n: Int) {
        // Howard Hinnant's civil_from_days.
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        precondition((1...9999).contains(y), "BeijingDay out of range (year \(y))")
        self.year = y
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    package var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD`.
    package var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    package var weekday: Weekday {
        // 1970-01-01 was a Thursday (ISO 4).
        let r = ((dayNumber % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday(rawValue: r + 1)!
    }

    package var isWeekend: Bool { weekday.isWeekend }

    package func adding(days n: Int) -> BeijingDay { BeijingDay(dayNumber: dayNumber + n) }

    /// The corresponding day `n` months later (earlier when negative); the month's last day
    /// when it has no such day: 2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 = 2023-02-28.
    package func addingMonths(_ n: Int) -> BeijingDay {
        let index = year * 12 + (month - 1) + n
        let y = index >= 0 ? index / 12 : (index - 11) / 12
        let m = index - y * 12 + 1
        let d = min(day, BeijingDay.daysIn(month: m, year: y))
        guard let result = BeijingDay(year: y, month: m, day: d) else {
            preconditionFailure("BeijingDay out of range (year \(y))")
        }
        return result
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    package func days(to other: BeijingDay) -> Int { other.dayNumber - dayNumber }

    /// First instant of the day, in milliseconds since the epoch (00:00:00.000 Beijing).
    package var startOfDayEpochMilliseconds: Int64 {
        Int64(dayNumber) * BeijingDay.millisecondsPerDay - BeijingDay.utcOffsetMilliseconds
    }

    /// Last millisecond of the day (23:59:59.999 Beijing): what a bare date argument means.
    package var endOfDayEpochMilliseconds: Int64 { startOfDayEpochMilliseconds + BeijingDay.millisecondsPerDay - 1 }

    package static func < (a: BeijingDay, b: BeijingDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    package static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeap(year) ? 29 : 28
        default: 0
        }
    }
}
