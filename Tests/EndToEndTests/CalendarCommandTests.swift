import Foundation
import TestSupport
import Testing

/// `calendar due` with a profile's named period. Worked by hand from the 2025 notice
/// (国办发明电〔2024〕12号): 国庆 and 中秋 off 10-01…10-08, Sun 09-28 and Sat 10-11 make-up days.
struct CalendarCommandTests {
    @Test("a profile's period, cited", arguments: [
        // Received Mon 09-29; baisha 3 days → Thu 10-02, a day off; first working day Thu 10-09.
        ("baisha-2018", "correction_review", "2025-10-09", "完善失信被执行人名单制度"),
        // spc 15 days → Tue 10-14, a working day.
        ("spc-2017", "correction_review", "2025-10-14", "第十二条"),
        // 3 working days after Mon 09-29: Tue 09-30, Thu 10-09, Fri 10-10.
        ("spc-2017", "discharge_exit", "2025-10-10", "第十条"),
    ])
    func namedPeriod(profile: String, period: String, due: String, clause: String) throws {
        let ws = try Workspace("calendar")
        defer { ws.remove() }
        let result = try ws.expect(["calendar", "due", "--from", "2025-09-29", "--period", period, "--profile", profile, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["due"] as? String == due)
        #expect((json?["clause"] as? String)?.contains(clause) == true)
    }

    @Test func periodAndDaysTogetherAreRefused() throws {
        let ws = try Workspace("calendar-bad")
        defer { ws.remove() }
        let both = try ws.expect(["calendar", "due", "--from", "2025-09-29", "--period", "unit_lift", "--days", "3"], status: 1)
        #expect(both.stderr.contains("--period"))
        let unknown = try ws.expect(["calendar", "due", "--from", "2025-09-29", "--period", "nope"], status: 1)
        #expect(unknown.stderr.contains("unit_lift"))
    }
}
