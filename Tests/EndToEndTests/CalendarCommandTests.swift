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

    /// Issue 9 point 16: the calendar ends on 2026-12-31; `calendar status` and `alerts` say so
    /// from 60 days before, and loading the next notice's file re-derives open obligations.
    @Test func theCalendarsEndIsAnnouncedAndTheNextNoticeLoads() throws {
        let ws = try Workspace("calendar-status")
        defer { ws.remove() }
        try ws.initLedger()
        // 2026-12-01 → 2026-12-31: 30 days.
        let status = try ws.expect(["calendar", "status", "--as-of", "2026-12-01", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(json?["ends_in_days"] as? Int == 30)
        #expect(json?["covers_to"] as? String == "2026-12-31")
        #expect((json?["warning"] as? String)?.contains("calendar load") == true)
        // 2026-10-01 → 91 days: no warning yet; 2026-11-01 → 60 days: the warning.
        #expect(try ws.expect(["calendar", "status", "--as-of", "2026-10-01"]).stderr.isEmpty)
        #expect(try ws.expect(["calendar", "status", "--as-of", "2026-11-01"]).stderr.contains("in 60 days"))
        let alerts = try ws.expect(["alerts", "--as-of", "2026-12-01"])
        #expect(alerts.stderr.contains("warning: the official calendar") && alerts.stderr.contains("in 30 days"))

        // A ledger whose calendar was cut at 2025 (as before the 2026 notice): a service on
        // Tue 2025-12-23 has no due day (10 days → 2026-01-02). Loading the file of the next
        // notice (here the shipped 2026 calendar) gives it one: Fri 2026-01-02 is a day off
        // (元旦 01-01..03), Sun 01-04 a make-up working day → due 2026-01-04.
        var wire = try JSONSerialization.jsonObject(with: Data(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json"))) as! [String: Any]
        var years = wire["years"] as! [String: Any]
        years["2026"] = nil
        wire["years"] = years
        wire["version"] = "2025.cut"
        try JSONSerialization.data(withJSONObject: wire).write(to: URL(fileURLWithPath: ws.path("cut.json")))
        try ws.expect(["calendar", "load", ws.path("cut.json")])
        #expect(try ws.expect(["calendar", "status", "--as-of", "2025-12-01"]).stderr.contains("ends on 2025-12-31"))
        try ws.append([
            Ev.notice("E1", "2025-12-01T10:00:00+08:00"),
            Ev.inclusion("E1", "2025-12-20T10:00:00+08:00"),
            Ev.simple("decision_served", "E1", "2025-12-23T10:00:00+08:00"),
        ])
        let before = try ws.expect(["obligations", "--json", "--as-of", "2025-12-31"]).stdout
        #expect(before.contains(#""due":null"#) && before.contains("2026"))
        try ws.expect(["calendar", "load", repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json").path])
        let after = try ws.expect(["obligations", "--json", "--as-of", "2025-12-31"]).stdout
        #expect(after.contains(#""due":"2026-01-04""#), "\(after)")
    }
}
