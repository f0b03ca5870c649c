import Foundation
import TestSupport
import Testing

@Suite("record: one event from flags")
struct RecordTests {
    static let at1 = "2024-04-01T10:00:00+08:00"

    /// Issue 9: the new types and fields have flags too.
    @Test func recordTheNewTypesOfIssue9() throws {
        let ws = try Workspace("record-new")
        defer { ws.remove() }
        try ws.expect(["init", "--profile", "spc-2017"])
        let base = ["--entry", "N1", "--actor", Ev.court]
        try ws.expect(["record", "inclusion_decided", "--at", "2024-04-01T10:00:00+08:00", "--court", Ev.court, "--case", "(2024)琼9030执3号",
                       "--debtor-kind", "person", "--debtor-name", "王某", "--debtor-id", "460030198001010201",
                       "--grounds", "evasion", "--public", "true"] + base)
        try ws.expect(["record", "decision_served", "--at", "2024-04-02T10:00:00+08:00", "--method", "public_notice"] + base)
        try ws.expect(["record", "correction_requested", "--at", "2024-04-10T10:00:00+08:00", "--ground", "inaccurate", "--posted-on", "2024-04-08"] + base)
        try ws.expect(["record", "correction_decided", "--at", "2024-04-12T10:00:00+08:00", "--outcome", "upheld"] + base)
        try ws.expect(["record", "entry_corrected", "--at", "2024-04-15T10:00:00+08:00", "--correct", "debtor.name=王某某", "--reason", "姓名录入错误"] + base)
        try ws.expect(["record", "term_extended", "--at", "2024-05-06T10:00:00+08:00", "--months", "12", "--reason", "多项失信行为"] + base)
        try ws.expect(["record", "pushed_to_unit", "--at", "2024-05-07T10:00:00+08:00", "--unit", "unit:pboc-baisah"] + base)
        try ws.expect(["record", "record_annulled", "--at", "2024-05-07T11:00:00+08:00", "--annuls", "7", "--reason", "单位代码录入错误"] + base)
        let state = try jsonObject(try ws.expect(["state", "--entry", "N1", "--json"]).stdout)
        let entry = (state["entries"] as? [[String: Any]])?.first
        #expect(entry?["debtor"] as? String == "王某某")
        #expect(entry?["units"] as? [String] == [])
        // spc-2017, ground inaccurate: met by the correction (3 working days from Fri 04-12:
        // Mon 15, Tue 16, Wed 17 → 2024-04-17).
        let obligations = try ws.expect(["obligations", "--json", "--rule", "R3"]).stdout
        #expect(obligations.contains(#""duty":"correct_after_upheld""#) && obligations.contains(#""due":"2024-04-17""#), "\(obligations)")
        let bad = try ws.expect(["record", "entry_corrected", "--at", "2024-05-08T10:00:00+08:00", "--correct", "debtor.name"] + base, status: 1)
        #expect(bad.stderr.contains("--correct"))
    }

    @Test("record works for several types and stores what the flags say")
    func recordSeveralTypes() throws {
        let ws = try Workspace("record")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.expect(["record", "risk_notice_issued", "--entry", "R1", "--at", Self.at1, "--actor", Ev.court,
                       "--court", Ev.court, "--case", "(2024)琼9030执2号", "--debtor-kind", "person", "--debtor-name", "王某",
                       "--debtor-id", "460030198001010201"])
        try ws.expect(["record", "inclusion_decided", "--entry", "R1", "--at", "2024-04-05T10:00:00+08:00", "--actor", Ev.court,
                       "--court", Ev.court, "--case", "(2024)琼9030执2号", "--debtor-kind", "person", "--debtor-name", "王某",
                       "--debtor-id", "460030198001010201", "--grounds", "able_but_refuses,evasion", "--public", "true",
                       "--term-months", "24", "--id", "inc-R1"])
        try ws.expect(["record", "pushed_to_unit", "--entry", "R1", "--at", "2024-04-06T10:00:00+08:00", "--actor", Ev.court, "--unit", Ev.pboc])
        let measure = try ws.expect(["record", "measure_applied", "--entry", "R1", "--at", "2024-04-07T10:00:00+08:00",
                                     "--actor", Ev.pboc, "--unit", Ev.pboc, "--measure", "credit_restriction", "--json"])
        #expect(try jsonObject(measure.stdout)["appended"] as? [Int] == [4], "\(measure)")
        // The actor may come from the environment.
        let viaEnv = try ws.ll(["record", "entry_published", "--entry", "R1", "--at", "2024-04-08T10:00:00+08:00", "--channels", "website, newspaper"],
                               environment: ["LISTLEDGER_ACTOR": Ev.court])
        #expect(viaEnv.status == 0, "\(viaEnv)")
        try ws.expect(["record", "complaint_received", "--at", "2024-04-09T10:00:00+08:00", "--actor", Ev.pboc, "--complaint", "C-1"])

        // Recording the same id again stores nothing.
        let again = try ws.expect(["record", "inclusion_decided", "--entry", "R1", "--at", "2024-04-05T10:00:00+08:00", "--actor", Ev.court,
                                   "--court", Ev.court, "--case", "(2024)琼9030执2号", "--debtor-kind", "person", "--debtor-name", "王某",
                                   "--debtor-id", "460030198001010201", "--grounds", "able_but_refuses,evasion", "--public", "true",
                                   "--term-months", "24", "--id", "inc-R1"])
        #expect(again.stdout.contains("seq 2"), "\(again)")

        let history = try jsonObject(try ws.expect(["history", "--entry", "R1", "--json"]).stdout)
        let events = (history["events"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? [String: Any] }
        #expect(events.map { $0["type"] as? String ?? "" } == ["risk_notice_issued", "inclusion_decided", "pushed_to_unit", "measure_applied", "entry_published"])
        let inclusion = try #require(events.count > 1 ? events[1] : nil)
        #expect(inclusion["grounds"] as? [String] == ["able_but_refuses", "evasion"])
        #expect(inclusion["public"] as? Bool == true)
        #expect(inclusion["term_months"] as? Int == 24)
        #expect(inclusion["id"] as? String == "inc-R1")
        #expect((inclusion["debtor"] as? [String: Any])?["id_number"] as? String == "460030198001010201")
        #expect(events.last?["channels"] as? [String] == ["website", "newspaper"])
        #expect(try ws.eventCount() == 6)
        #expect(try ws.sqlInt("SELECT count(*) FROM complaints WHERE complaint = 'C-1';") == 1)
    }

    @Test("a record without an actor is refused naming --actor")
    func missingActor() throws {
        let ws = try Workspace("record-actor")
        defer { ws.remove() }
        try ws.initLedger()
        let result = try ws.ll(["record", "risk_notice_issued", "--entry", "R1", "--at", Self.at1, "--court", Ev.court,
                                "--case", "x", "--debtor-kind", "person", "--debtor-name", "王某", "--debtor-id", "460030198001010201"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("--actor"), "\(result)")
        #expect(try ws.eventCount() == 0)
    }

    struct BadFlags: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let field: String
        var testDescription: String { name }
    }

    static let notice = ["record", "risk_notice_issued", "--entry", "R9", "--actor", Ev.court, "--court", Ev.court, "--case", "(2024)琼9030执9号",
                         "--debtor-kind", "person", "--debtor-name", "王某"]

    static let badFlags: [BadFlags] = [
        BadFlags(name: "--at without offset", arguments: notice + ["--at", "2024-04-01T10:00:00", "--debtor-id", "460030198001010201"], field: "at"),
        BadFlags(name: "--at a bare date", arguments: notice + ["--at", "2024-04-01", "--debtor-id", "460030198001010201"], field: "at"),
        BadFlags(name: "--debtor-id too short", arguments: notice + ["--at", at1, "--debtor-id", "4600301980"], field: "id_number"),
        BadFlags(name: "--debtor-kind unknown", arguments: notice + ["--at", at1, "--debtor-id", "460030198001010201", "--debtor-kind", "firm"], field: "kind"),
        BadFlags(name: "--court not a court", arguments: ["record", "risk_notice_issued", "--entry", "R9", "--actor", Ev.court, "--court", "baisha",
                                                           "--case", "x", "--debtor-kind", "person", "--debtor-name", "王某", "--debtor-id", "460030198001010201", "--at", at1], field: "court"),
        BadFlags(name: "--grounds unknown", arguments: ["record", "inclusion_decided", "--entry", "R9", "--actor", Ev.court, "--court", Ev.court, "--case", "x",
                                                        "--debtor-kind", "person", "--debtor-name", "王某", "--debtor-id", "460030198001010201", "--at", at1,
                                                        "--grounds", "able_but_refuses,lazy", "--public", "true"], field: "grounds"),
        BadFlags(name: "--public not a boolean", arguments: ["record", "inclusion_decided", "--entry", "R9", "--actor", Ev.court, "--court", Ev.court, "--case", "x",
                                                             "--debtor-kind", "person", "--debtor-name", "王某", "--debtor-id", "460030198001010201", "--at", at1,
                                                             "--grounds", "evasion", "--public", "yes"], field: "public"),
        BadFlags(name: "unknown type", arguments: ["record", "entry_forgotten", "--entry", "R9", "--actor", Ev.court, "--at", at1], field: "type"),
        BadFlags(name: "a field the type does not have", arguments: ["record", "decision_served", "--entry", "R9", "--actor", Ev.court, "--at", at1, "--unit", Ev.pboc], field: "unit"),
        BadFlags(name: "a missing required field", arguments: ["record", "correction_decided", "--entry", "R9", "--actor", Ev.court, "--at", at1], field: "outcome"),
        BadFlags(name: "--outcome unknown", arguments: ["record", "correction_decided", "--entry", "R9", "--actor", Ev.court, "--at", at1, "--outcome", "maybe"], field: "outcome"),
        BadFlags(name: "--until malformed", arguments: ["record", "measure_retained", "--entry", "R9", "--actor", Ev.pboc, "--at", at1, "--unit", Ev.pboc,
                                                        "--measure", "m", "--legal-basis", "b", "--until", "31/12/2024"], field: "until"),
        BadFlags(name: "--actor malformed", arguments: ["record", "decision_served", "--entry", "R9", "--actor", "clerk wang", "--at", at1], field: "actor"),
        BadFlags(name: "an unknown entry", arguments: ["record", "decision_served", "--entry", "R404", "--actor", Ev.court, "--at", at1], field: "entry"),
    ]

    @Test("bad flags are refused with exit 1 naming the field; nothing written", arguments: badFlags)
    func badFlag(_ bad: BadFlags) throws {
        let ws = try Workspace("record-bad")
        defer { ws.remove() }
        try ws.initLedger()
        let result = try ws.ll(bad.arguments)
        #expect(result.status == 1, "\(bad.name): \(result)")
        #expect(result.stderr.contains(bad.field), "\(bad.name): the message does not name \(bad.field): \(result.stderr)")
        #expect(result.stderr.lowercased().contains("field"), "\(bad.name): \(result.stderr)")
        #expect(try ws.eventCount() == 0)
    }

    @Test("a malformed command line exits 64", arguments: [
        ["record", "decision_served", "--entry", "R1", "--actor", "court:baisha", "--at", "2024-04-01T10:00:00+08:00", "--colour", "red"],
        ["record", "decision_served", "--entry", "R1", "--actor", "court:baisha"],                           // --at missing
        ["record", "inclusion_decided", "--entry", "R1", "--at", "2024-04-01T10:00:00+08:00", "--term-months", "two"],
        ["record"],
        ["state", "--bogus"],
        ["state", "--as-of"],
        ["append", "--batch-size", "ten", "x.jsonl"],
        ["verify", "extra-argument"],
        ["frobnicate"],
    ])
    func malformedCommandLine(_ arguments: [String]) throws {
        let ws = try Workspace("cli-64")
        defer { ws.remove() }
        try ws.initLedger()
        let result = try ws.ll(arguments)
        #expect(result.status == 64, "\(arguments): \(result)")
        #expect(!result.stderr.isEmpty)
        #expect(try ws.eventCount() == 0)
    }
}
