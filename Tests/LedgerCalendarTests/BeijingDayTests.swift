import Testing
@testable import LedgerCalendar

@Suite("Beijing days")
struct BeijingDayTests {
    // Epoch values worked out by hand from 2024-01-01T00:00:00Z = 1 704 067 200 s and
    // 2025-01-01T00:00:00Z = 1 735 689 600 s.
    static let jan31_2024_utcMidnight: Int64 = 1_706_659_200_000  // 2024-01-31T00:00:00Z

    @Test func instantNearMidnightIsTakenInBeijing() {
        // 2024-01-31T17:30:00Z = 2024-02-01T01:30:00+08:00.
        let ms = Self.jan31_2024_utcMidnight + (17 * 3600 + 30 * 60) * 1000
        #expect(BeijingDay(epochMilliseconds: ms) == day("2024-02-01"))
        // 2024-01-31T15:59:59.999Z is still 31 January in Beijing; 16:00:00.000Z is 1 February.
        let sixteen = Self.jan31_2024_utcMidnight + 16 * 3_600_000
        #expect(BeijingDay(epochMilliseconds: sixteen - 1) == day("2024-01-31"))
        #expect(BeijingDay(epochMilliseconds: sixteen) == day("2024-02-01"))
        // The same instant written in other offsets: 2024-01-31T11:30:00-05:00 and
        // 2024-02-01T01:30:00+09:00 are both 16:30Z, so Beijing 00:30 on 1 February.
        #expect(BeijingDay(epochMilliseconds: sixteen + 30 * 60_000) == day("2024-02-01"))
        // Before 1970: floor division, not truncation.
        #expect(BeijingDay(epochMilliseconds: -1) == day("1970-01-01"))
        #expect(BeijingDay(epochMilliseconds: -8 * 3_600_000) == day("1970-01-01"))
        #expect(BeijingDay(epochMilliseconds: -8 * 3_600_000 - 1) == day("1969-12-31"))
    }

    @Test func bareDateMeansEndOfTheBeijingDay() {
        // 2025-06-30T23:59:59.999+08:00 = 2025-06-30T15:59:59.999Z; 2025-06-30T00:00Z is 180 days
        // after 2025-01-01T00:00Z.
        let utcMidnight: Int64 = (1_735_689_600 + 180 * 86_400) * 1000
        #expect(day("2025-06-30").endOfDayEpochMilliseconds == utcMidnight + 57_599_999)
        #expect(day("2025-06-30").startOfDayEpochMilliseconds == utcMidnight - 8 * 3_600_000)
        #expect(BeijingDay(epochMilliseconds: day("2025-06-30").endOfDayEpochMilliseconds) == day("2025-06-30"))
        #expect(BeijingDay(epochMilliseconds: day("2025-06-30").endOfDayEpochMilliseconds + 1) == day("2025-07-01"))
    }

    @Test(arguments: [
        "2024-2-09", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00",
        " 2024-01-01", "2024-01-01 ", "2024-01-01T00:00", "20240101", "2024/01/01", "+024-01-01",
        "２０２４-01-01", "0000-01-01", "", "2024-01-1a",
    ])
    func strictISORefuses(_ text: String) {
        #expect(BeijingDay(iso: text) == nil)
    }

    @Test func strictISOAccepts() {
        #expect(BeijingDay(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(BeijingDay(iso: "2000-02-29") != nil)   // divisible by 400
        #expect(BeijingDay(iso: "1900-02-29") == nil)   // divisible by 100 only
        #expect(BeijingDay(iso: "0001-01-01")?.description == "0001-01-01")
        #expect(BeijingDay(year: 5, month: 1, day: 2)?.description == "0005-01-02")
    }

    @Test(arguments: [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2018-09-20", 24, "2020-09-20"),
        ("2024-12-15", 1, "2025-01-15"),
        ("2025-01-15", -1, "2024-12-15"),
        ("2024-08-31", 1, "2024-09-30"),
        ("2024-05-31", -13, "2023-04-30"),
        ("2024-10-31", 36, "2027-10-31"),
        ("2024-01-10", 0, "2024-01-10"),
    ])
    func monthArithmetic(_ from: String, _ months: Int, _ expected: String) {
        #expect(day(from).addingMonths(months) == day(expected))
    }

    @Test func weekdaysAndDistances() {
        #expect(day("1970-01-01").weekday == .thursday)
        #expect(day("2000-01-01").weekday == .saturday)
        #expect(day("2024-02-29").weekday == .thursday)
        #expect(day("2021-10-09").weekday == .saturday)
        #expect(day("2020-01-19").weekday == .sunday)
        #expect(day("1969-12-31").weekday == .wednesday)
        #expect(day("2024-01-01").days(to: day("2025-01-01")) == 366)
        #expect(day("2023-01-01").days(to: day("2024-01-01")) == 365)
        #expect(day("2024-03-01").days(to: day("2024-02-28")) == -2)
        #expect(day("2024-02-28").adding(days: 2) == day("2024-03-01"))
        #expect(day("2025-01-01").adding(days: -1) == day("2024-12-31"))
        #expect(day("2024-12-31") < day("2025-01-01"))
        #expect(day("2024-02-09") < day("2024-02-10"))
    }

    @Test func dayNumbersWalkTheCalendarWithoutGaps() {
        // Each step of one day moves to the next day of the month or the first of the next.
        var d = day("1999-12-25")
        var broken: [String] = []
        for _ in 0..<(366 * 30) {
            let next = d.adding(days: 1)
            let ok: Bool
            if d.day == BeijingDay.daysIn(month: d.month, year: d.year) {
                ok = next.day == 1 && next.month == (d.month == 12 ? 1 : d.month + 1)
                    && next.year == (d.month == 12 ? d.year + 1 : d.year)
            } else {
                ok = next.year == d.year && next.month == d.month && next.day == d.day + 1
            }
            if !ok || BeijingDay(dayNumber: next.dayNumber) != next { broken.append("\(d) → \(next)") }
            d = next
        }
        #expect(broken.isEmpty, "\(broken.prefix(5))")
    }
}
