import Foundation
import TestSupport
import Testing

/// `report` through the real binary reads every event type the report needs: before, it loaded
/// inclusions, revocations and complaints only, so the R9 flag (a non-public entry published)
/// never reached the command line's report, and an annulled publication would have counted.
struct ReportCommandTests {
    @Test("report --format json lists a non-public entry published (R9), and not one whose publication was annulled")
    func wrongfulPublicationReachesTheCommandLine() throws {
        let ws = try Workspace("report-r9")
        defer { ws.remove() }
        try ws.initLedger()
        // Seqs: E1 1–3, E2 4–6, the annulment 7 (of E2's publication, seq 6).
        try ws.append([
            Ev.notice("E1", "2024-03-01T09:00:00+08:00"), Ev.inclusion("E1", "2024-03-05T10:00:00+08:00", isPublic: false),
            Ev.simple("entry_published", "E1", "2024-03-06T10:00:00+08:00"),
            Ev.notice("E2", "2024-03-01T09:30:00+08:00"), Ev.inclusion("E2", "2024-03-05T11:00:00+08:00", isPublic: false),
            Ev.simple("entry_published", "E2", "2024-03-06T11:00:00+08:00"),
            Ev.simple("record_annulled", "E2", "2024-03-07T10:00:00+08:00", ["annuls": 6, "reason": "误发布，已撤回"]),
        ])
        let report = try ws.expect(["report", "--from", "2024-01-01", "--to", "2024-03-31", "--format", "json"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        let flagged = try #require(object?["wrongful_publications"] as? [[String: Any]], "\(report)")
        #expect(flagged.count == 1, "\(report)")
        #expect(flagged.first?["entry"] as? String == "E1")
        #expect(flagged.first?["court"] as? String == "court:baisha")
        #expect((flagged.first?["published_at"] as? String)?.hasPrefix("2024-03-06T10:00:00") == true, "\(report)")
    }

    @Test("a period with no due day says so instead of an empty calendar list")
    func emptyPeriodNamesNoCalendar() throws {
        let ws = try Workspace("report-empty")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("E1", "2024-03-01T09:00:00+08:00"), Ev.inclusion("E1")])
        let report = try ws.expect(["report", "--from", "2023-01-01", "--to", "2023-01-31"]).stdout
        #expect(report.contains("; calendar none (no due day in the period).") && !report.contains("calendar ."), "\(report)")
    }
}
