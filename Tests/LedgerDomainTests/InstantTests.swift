import TestSupport
import Testing
import LedgerCalendar
import LedgerDomain

/// Expected epoch values come from GNU date (`date -u -d 2021-09-01T02:00:00Z +%s`).
@Suite("Instants and Beijing days")
struct InstantTests {
    @Test("offsets: +08:00, Z, negative and half-hour offsets name the same UTC instant")
    func offsets() {
        let base: Int64 = 1_630_461_600_000  // 2021-09-01T02:00:00Z
        let forms: [(String, Int, String)] = [
            ("2021-09-01T10:00:00+08:00", 480, "2021-09-01T10:00:00+08:00"),
            ("2021-09-01T02:00:00Z", 0, "2021-09-01T02:00:00+00:00"),
            ("2021-09-01T02:00:00+00:00", 0, "2021-09-01T02:00:00+00:00"),
            ("2021-08-31T21:00:00-05:00", -300, "2021-08-31T21:00:00-05:00"),
            ("2021-09-01T07:30:00+05:30", 330, "2021-09-01T07:30:00+05:30"),
            ("2021-09-01T16:00:00+14:00", 840, "2021-09-01T16:00:00+14:00"),
        ]
        for (text, offset, stored) in forms {
            let value = instant(text)
            #expect(value.epochMilliseconds == base, "\(text)")
            #expect(value.offsetMinutes == offset, "\(text)")
            #expect(value.description == stored, "\(text)")
            #expect(value.utcDescription == "2021-09-01T02:00:00.000Z", "\(text)")
        }
    }

    @Test("fractional seconds: up to three digits, rendered as .fff only when not zero")
    func fractions() {
        #expect(instant("2021-09-01T10:00:00.5+08:00").epochMilliseconds == 1_630_461_600_500)
        #expect(instant("2021-09-01T10:00:00.5+08:00").description == "2021-09-01T10:00:00.500+08:00")
        #expect(instant("2021-09-01T10:00:00.12+08:00").epochMilliseconds == 1_630_461_600_120)
        #expect(instant("2021-09-01T10:00:00.120+08:00").description == "2021-09-01T10:00:00.120+08:00")
        #expect(instant("2021-09-01T10:00:00.007Z").epochMilliseconds == 1_630_461_600_007 + 8 * 3_600_000)
        #expect(instant("2021-09-01T10:00:00.000+08:00").description == "2021-09-01T10:00:00+08:00")
        #expect(instant("2021-09-01T10:00:00.999+08:00").epochMilliseconds == 1_630_461_600_999)
    }

    @Test("instants before 1970 render correctly")
    func beforeEpoch() {
        let value = instant("1969-12-31T23:00:00Z")
        #expect(value.epochMilliseconds == -3_600_000)
        #expect(value.utcDescription == "1969-12-31T23:00:00.000Z")
        #expect(instant("1970-01-01T07:00:00.250+08:00").epochMilliseconds == -3_600_000 + 250)
    }

    @Test("leap days exist only in leap years")
    func leapDays() {
        #expect(instant("2024-02-29T20:00:00+08:00").epochMilliseconds == 1_709_208_000_000)
        #expect(instant("2000-02-29T00:00:00Z").epochMilliseconds == 951_782_400_000)
        #expect(refusal("2023-02-29T10:00:00+08:00") != nil)
        #expect(refusal("1900-02-29T10:00:00+08:00") != nil)
        #expect(refusal("2100-02-29T10:00:00+08:00") != nil)
        #expect(refusal("2024-02-30T10:00:00+08:00") != nil)
    }

    /// Issue 9 point 17: ISO 8601 lets seconds be left out (this test suite refused it before).
    @Test func secondsMayBeLeftOut() throws {
        #expect(instant("2026-12-01T10:00+08:00").epochMilliseconds == instant("2026-12-01T10:00:00+08:00").epochMilliseconds)
        #expect(instant("2026-12-01T10:00+08:00").description == "2026-12-01T10:00:00+08:00")
        #expect(instant("2026-12-01T02:00Z").epochMilliseconds == instant("2026-12-01T10:00:00+08:00").epochMilliseconds)
    }

    @Test("malformed or impossible instants are refused", arguments: [
        "2021-09-01T10:00:00",            // no offset
        "2021-09-01 10:00:00+08:00",      // space for T
        "2021-09-01t10:00:00+08:00",
        "2021-09-01T10:0+08:00",          // one digit of minutes
        "2021-09-01T10:00:+08:00",        // a colon with no seconds
        "2021-09-01",                     // a date
        "2021-9-01T10:00:00+08:00",
        "21-09-01T10:00:00+08:00",
        "2021-09-01T10:00:00+0800",       // offset without colon
        "2021-09-01T10:00:00+08",
        "2021-09-01T10:00:00+8:00",
        "2021-09-01T10:00:00+08:60",
        "2021-09-01T10:00:00+24:00",
        "2021-09-01T10:00:00UTC",
        "2021-09-01T10:00:00Z ",          // trailing space
        " 2021-09-01T10:00:00Z",
        "2021-09-01T10:00:00ZZ",
        "2021-09-01T10:00:00.+08:00",     // point without digits
        "2021-09-01T10:00:00.1234+08:00", // four fractional digits
        "2021-09-01T10:00:00,5+08:00",
        "2021-13-01T10:00:00+08:00",
        "2021-00-10T10:00:00+08:00",
        "2021-04-31T10:00:00+08:00",
        "2021-09-00T10:00:00+08:00",
        "2021-09-01T24:00:00+08:00",
        "2021-09-01T23:60:00+08:00",
        "2021-09-01T23:59:60+08:00",      // no leap seconds
        "２０２１-09-01T10:00:00+08:00",    // full-width digits
        "",
    ])
    func refused(_ text: String) {
        #expect(refusal(text) != nil, "\(text.debugDescription) was accepted")
    }

    @Test("a missing offset is refused with advice")
    func missingOffsetMessage() {
        let problem = refusal("2021-09-01T10:00:00") ?? ""
        #expect(problem.contains("offset"))
    }

    @Test("the Beijing day of instants near midnight", arguments: [
        ("2024-01-31T17:30:00Z", "2024-02-01"),
        ("2024-01-31T15:59:59.999Z", "2024-01-31"),
        ("2024-01-31T16:00:00Z", "2024-02-01"),
        ("2024-02-01T00:00:00+08:00", "2024-02-01"),
        ("2024-01-31T23:59:59+08:00", "2024-01-31"),
        ("2024-01-31T23:59:59-05:00", "2024-02-01"),  // 04:59:59Z → 12:59:59 Beijing
        ("2024-02-01T05:00:00+09:00", "2024-02-01"),
        ("2024-02-01T00:30:00+09:00", "2024-01-31"),  // 15:30Z on the 31st
        ("2024-02-28T16:00:00Z", "2024-02-29"),
        ("2023-02-28T16:00:00Z", "2023-03-01"),
        ("2024-12-31T16:00:00Z", "2025-01-01"),
        ("1969-12-31T16:00:00Z", "1970-01-01"),
        ("1969-12-31T15:59:59Z", "1969-12-31"),
    ])
    func beijingDay(_ text: String, _ expected: String) {
        #expect(instant(text).beijingDay.description == expected)
    }

    @Test("a bare date means the end of that Beijing day")
    func endOfBeijingDay() throws {
        let day = try #require(BeijingDay(iso: "2025-06-30"))
        // 2025-06-30T23:59:59.999+08:00 = 2025-06-30T15:59:59.999Z = 1751299199.999
        let end = Instant.endOfBeijingDay(day)
        #expect(end.epochMilliseconds == 1_751_299_199_999)
        #expect(end.description == "2025-06-30T23:59:59.999+08:00")
        #expect(end.beijingDay == day)
        // One millisecond later is the next day.
        #expect(Instant(epochMilliseconds: end.epochMilliseconds + 1).beijingDay.description == "2025-07-01")
    }

    @Test("dates YYYY-MM-DD", arguments: ["2024-02-29", "2025-12-31", "2026-01-01"])
    func goodDates(_ text: String) throws {
        #expect(try #require(BeijingDay(iso: text)).description == text)
    }

    @Test("bad dates are refused", arguments: ["2023-02-29", "2025-13-01", "2025-1-01", "2025/01/01", "2025-01-01T00:00:00Z", "20250101", "2025-04-31", " 2025-01-01", "2025-01-0a", "+025-01-01"])
    func badDates(_ text: String) {
        #expect(BeijingDay(iso: text) == nil, "\(text) was accepted")
    }
}
