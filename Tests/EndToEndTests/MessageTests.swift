import Foundation
import TestSupport
import Testing

/// Issue 9 point 17: small message fixes, each failing before.
struct MessageTests {
    @Test func messagesSayWhatTheUserTypedNotSwiftsInternals() throws {
        let ws = try Workspace("messages")
        defer { ws.remove() }
        try ws.initLedger()
        let bad = Ev.simple("inclusion_decided", "E1", "2024-03-05T10:00:00+08:00",
                            ["court": Ev.court, "case": "c", "debtor": Ev.person(), "grounds": ["able_but_refuse"], "public": true])
        let refused = try ws.expect(["append", "-"], status: 1, stdin: bad + "\n")
        #expect(refused.stderr.contains(#""able_but_refuse" is not one of"#), "\(refused)")
        #expect(!refused.stderr.contains("string("))
    }

    @Test func anObligorWithoutItsKindSuggestsTheNearMatch() throws {
        let ws = try Workspace("obligor")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("E1", "2024-03-01T09:00:00+08:00"), Ev.inclusion("E1"),
                       Ev.simple("pushed_to_unit", "E1", "2024-03-06T10:00:00+08:00", ["unit": Ev.pboc]),
                       Ev.simple("measure_applied", "E1", "2024-03-06T11:00:00+08:00", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction"]),
                       Ev.simple("entry_shielded", "E1", "2024-03-07T10:00:00+08:00"),
                       Ev.simple("unit_notified_of_exit", "E1", "2024-03-07T11:00:00+08:00", ["unit": Ev.pboc])])
        let result = try ws.expect(["obligations", "--obligor", "pboc-baisha"], status: 1)
        #expect(result.stderr.contains("did you mean unit:pboc-baisha?"), "\(result)")
    }

    @Test func theReportNamesTheBeijingDayAndTheUTCInstantApart() throws {
        let ws = try Workspace("report-label")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("E1", "2024-03-01T09:00:00+08:00"), Ev.inclusion("E1")])
        let report = try ws.expect(["report", "--from", "2024-01-01", "--to", "2024-03-31"]).stdout
        #expect(report.contains("Judged as of 2024-03-31 Beijing time (instant 2024-03-31T15:59:59.999Z)"), "\(report)")
    }

    @Test func anInstantWithoutSecondsIsAccepted() throws {
        let ws = try Workspace("no-seconds")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("E1", "2024-03-01T09:00+08:00")])
        #expect(try ws.expect(["history", "--entry", "E1"]).stdout.contains("2024-03-01T09:00:00+08:00"))
    }
}
