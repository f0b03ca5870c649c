import Foundation
import TestSupport
import Testing

/// SPEC §3 and §5: what cannot be a fact is refused with exit 1, a message naming the line and
/// the field, and nothing written.
@Suite("Refused input: exit 1, line and field named, nothing written")
struct BadInputTests {
    /// The ledger every case starts from (copied afresh for each case).
    static let baseLines: [String] = [
        // E1: listed, pushed to the PBoC unit which applied a measure, reposted by the news unit,
        // a correction requested and rejected.
        Ev.notice("E1"),
        Ev.inclusion("E1"),
        Ev.simple("decision_served", "E1", "2024-03-06T10:00:00+08:00"),
        Ev.simple("pushed_to_unit", "E1", "2024-03-07T10:00:00+08:00", ["unit": Ev.pboc]),
        Ev.simple("measure_applied", "E1", "2024-03-08T10:00:00+08:00", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction"]),
        Ev.simple("repost_registered", "E1", "2024-03-08T11:00:00+08:00", actor: Ev.news, ["unit": Ev.news]),
        Ev.simple("correction_requested", "E1", "2024-03-10T10:00:00+08:00"),
        Ev.simple("correction_decided", "E1", "2024-03-12T10:00:00+08:00", ["outcome": "rejected"]),
        // E2: only noticed.
        Ev.notice("E2"),
        // E3: included, then revoked.
        Ev.notice("E3"),
        Ev.inclusion("E3"),
        Ev.simple("entry_revoked", "E3", "2024-03-20T10:00:00+08:00", ["reason": "error"]),
        // E4: included, pushed, measure applied, discharged, shielded, unit notified.
        Ev.notice("E4"),
        Ev.inclusion("E4"),
        Ev.simple("pushed_to_unit", "E4", "2024-03-06T10:00:00+08:00", ["unit": Ev.pboc]),
        Ev.simple("measure_applied", "E4", "2024-03-07T10:00:00+08:00", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction"]),
        Ev.simple("obligation_discharged", "E4", "2024-03-15T10:00:00+08:00", ["basis": "full_performance"]),
        Ev.simple("entry_shielded", "E4", "2024-03-16T10:00:00+08:00"),
        Ev.simple("unit_notified_of_exit", "E4", "2024-03-17T10:00:00+08:00", ["unit": Ev.pboc]),
        // A complaint about E1, received and resolved.
        line(Ev.base("complaint_received", "E1", "2024-03-02T10:00:00+08:00", ["complaint": "C1"])),
        line(Ev.base("complaint_resolved", "E1", "2024-03-09T10:00:00+08:00", ["complaint": "C1", "finding": "unfounded"])),
    ]

    static let template: Result<Workspace, HarnessError> = {
        do {
            let ws = try Workspace("bad-template")
            let created = try ws.ll(["init"])
            guard created.status == 0 else { return .failure(.failed("init: \(created)")) }
            let file = try ws.write("base.jsonl", baseLines.joined(separator: "\n") + "\n")
            let appended = try ws.ll(["append", file])
            guard appended.status == 0 else { return .failure(.failed("the base ledger was refused: \(appended)")) }
            return .success(ws)
        } catch {
            return .failure(.failed("cannot build the base ledger: \(error)"))
        }
    }()

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let lines: [String]
        /// The 1-based line the error must name.
        let badLine: Int
        /// Field names the error may name (empty: the input has no field to name, e.g. invalid JSON).
        let fields: [String]
        /// A phrase the message must contain (case-insensitive).
        let phrase: String
        var testDescription: String { name }

        init(_ name: String, _ bad: String, field: String?, _ phrase: String, before: [String] = []) {
            self.name = name
            lines = before + [bad]
            badLine = before.count + 1
            fields = field.map { [$0] } ?? []
            self.phrase = phrase
        }

        init(_ name: String, lines: [String], badLine: Int, fields: [String], _ phrase: String) {
            self.name = name
            self.lines = lines
            self.badLine = badLine
            self.fields = fields
            self.phrase = phrase
        }
    }

    static let at = "2024-03-25T10:00:00+08:00"
    /// Good lines placed before some bad ones: the error must still name the right line.
    static let goodPrefix = [
        Ev.simple("entry_published", "E1", "2024-03-09T10:00:00+08:00"),
        Ev.notice("E10", "2024-03-21T09:00:00+08:00"),
    ]

    static func event(_ type: String, _ entry: String? = "E1", actor: String = Ev.court, _ fields: [String: Any] = [:]) -> String {
        line(Ev.base(type, entry, at, actor: actor, fields))
    }

    static func event(_ type: String, _ fields: [String: Any]) -> String {
        event(type, "E1", fields)
    }

    static func inclusionObject(_ entry: String = "E20", debtor: Any = Ev.person(), grounds: Any = ["able_but_refuses"], isPublic: Any = true, extra: [String: Any] = [:]) -> String {
        var object = Ev.base("inclusion_decided", entry, at, ["court": Ev.court, "case": "(2024)琼9030执20号", "debtor": debtor, "grounds": grounds, "public": isPublic])
        for (key, value) in extra { object[key] = value }
        return line(object)
    }

    static func debtor(_ changes: [String: Any?]) -> [String: Any] {
        var debtor = Ev.person()
        for (key, value) in changes { debtor[key] = value }
        return debtor
    }

    static let transitionFields = ["entry", "type"]

    static let cases: [Case] = [
        // Shape of the line.
        Case("invalid JSON", #"{"type": "decision_served", "entry": "E1","#, field: nil, "invalid JSON"),
        Case("non-object line", #"["decision_served", "E1"]"#, field: nil, "object"),
        Case("a bare string line", #""decision_served""#, field: nil, "object"),
        Case("duplicated key", #"{"type":"decision_served","entry":"E1","entry":"E2","at":"2024-03-25T10:00:00+08:00","actor":"court:baisha"}"#, field: "entry", "twice"),
        Case("unknown extra field", line(Ev.base("decision_served", "E1", at, ["colour": "red"])), field: "colour", "not a field"),
        Case("unknown extra field (typo of a real one)", line(Ev.base("pushed_to_unit", "E1", at, ["unit": Ev.tax, "units": [Ev.tax]])), field: "units", "not a field", before: goodPrefix),
        // type
        Case("unknown type", event("entry_deleted"), field: "type", "unknown event type"),
        Case("missing type", line(["entry": "E1", "at": at, "actor": Ev.court]), field: "type", "required"),
        Case("type not a string", line(["type": 7, "entry": "E1", "at": at, "actor": Ev.court]), field: "type", "string"),
        // entry
        Case("missing entry", event("decision_served", nil), field: "entry", "required"),
        Case("entry not a string", line(["type": "decision_served", "entry": 1, "at": at, "actor": Ev.court]), field: "entry", "string"),
        Case("entry with trailing space", event("decision_served", "E1 "), field: "entry", "white space"),
        Case("entry longer than 512 characters", event("decision_served", String(repeating: "长", count: 513)), field: "entry", "longer than"),
        Case("event for an unknown entry", event("decision_served", "E99"), field: "entry", "does not exist", before: goodPrefix),
        // at
        Case("missing at", line(["type": "decision_served", "entry": "E1", "actor": Ev.court]), field: "at", "required"),
        Case("at is a number", line(["type": "decision_served", "entry": "E1", "at": 1_710_000_000, "actor": Ev.court]), field: "at", "string"),
        Case("bad date", line(Ev.base("decision_served", "E1", "2024-02-30T10:00:00+08:00")), field: "at", "does not exist"),
        Case("bad month", line(Ev.base("decision_served", "E1", "2024-13-01T10:00:00+08:00")), field: "at", "does not exist"),
        Case("bad offset", line(Ev.base("decision_served", "E1", "2024-03-25T10:00:00+8:00")), field: "at", "offset"),
        Case("offset without colon", line(Ev.base("decision_served", "E1", "2024-03-25T10:00:00+0800")), field: "at", "offset"),
        Case("no offset", line(Ev.base("decision_served", "E1", "2024-03-25T10:00:00")), field: "at", "offset"),
        Case("a date instead of an instant", line(Ev.base("decision_served", "E1", "2024-03-25")), field: "at", "ISO 8601"),
        Case("at in the future", line(Ev.base("decision_served", "E1", "2099-01-01T10:00:00+08:00")), field: "at", "future"),
        // actor
        Case("missing actor", line(["type": "decision_served", "entry": "E1", "at": at]), field: "actor", "required"),
        Case("actor with capitals", event("decision_served", actor: "Court:Baisha"), field: "actor", "court:CODE"),
        Case("actor of an unknown kind", event("decision_served", actor: "person:zhang"), field: "actor", "court:CODE"),
        Case("actor with an empty code", event("decision_served", actor: "court:"), field: "actor", "court:CODE"),
        // Who may record what.
        Case("a unit deciding a correction", event("correction_decided", actor: Ev.pboc, ["outcome": "upheld"]), field: "actor", "court"),
        Case("another court serving the decision", event("decision_served", actor: "court:haikou"), field: "actor", "court:baisha"),
        Case("a court lifting a unit's measure", event("measure_lifted", "E4", ["unit": Ev.pboc, "measure": "credit_restriction"]), field: "actor", "unit itself"),
        Case("unit field differs from the actor", event("measure_applied", actor: Ev.pboc, ["unit": Ev.tax, "measure": "credit_restriction"]), field: "unit", "own"),
        Case("a unit applying a measure for an entry never pushed to it", event("measure_applied", actor: Ev.tax, ["unit": Ev.tax, "measure": "exit_ban"]), field: "unit", "never pushed", before: goodPrefix),
        // unit_acknowledged (SPEC §3): the unit itself, answering a push or exit notice on record.
        Case("acknowledging something other than a push or exit notice", event("unit_acknowledged", actor: Ev.pboc, ["unit": Ev.pboc, "of": "receipt"]), field: "of", "not one of: push, exit_notice"),
        Case("acknowledging without of", event("unit_acknowledged", actor: Ev.pboc, ["unit": Ev.pboc]), field: "of", "required"),
        Case("acknowledging without unit", event("unit_acknowledged", actor: Ev.pboc, ["of": "push"]), field: "unit", "required"),
        Case("a court acknowledging for a unit", event("unit_acknowledged", ["unit": Ev.pboc, "of": "push"]), field: "actor", "unit itself"),
        Case("a unit acknowledging for another", event("unit_acknowledged", actor: Ev.tax, ["unit": Ev.pboc, "of": "push"]), field: "unit", "own"),
        Case("acknowledging a push never made", event("unit_acknowledged", actor: Ev.tax, ["unit": Ev.tax, "of": "push"]), field: "unit", "never pushed"),
        Case("acknowledging an exit notice never sent", event("unit_acknowledged", actor: Ev.pboc, ["unit": Ev.pboc, "of": "exit_notice"]), field: "unit", "notified of its exit"),
        Case("breach_flagged by a court", event("breach_flagged", ["obligation": "E1/R3/7"]), field: "actor", "system"),
        Case("a complaint recorded by the system", line(Ev.base("complaint_received", nil, at, actor: "system:alerts", ["complaint": "C9"])), field: "actor", "court or a unit"),
        Case("an inclusion recorded by another court than its court field", line(Ev.base("inclusion_decided", "E21", at, actor: "court:haikou", ["court": Ev.court, "case": "(2024)琼9030执21号", "debtor": Ev.person(), "grounds": ["evasion"], "public": true])), field: "actor", "court"),
        // Lifecycle transitions that cannot be facts.
        Case("shielding an entry never included (only noticed)", event("entry_shielded", "E2"), field: nil, "no inclusion"),
        Case("revoking twice", event("entry_revoked", "E3", ["reason": "error"]), field: nil, "already revoked"),
        Case("correction decision with no request", event("correction_decided", ["outcome": "upheld"]), field: nil, "no pending correction"),
        Case("reconsideration without a rejected correction", event("reconsideration_requested", "E4", ["court": Ev.higher]), field: nil, "no rejected correction"),
        Case("reconsideration sent to the entry's own court", event("reconsideration_requested", ["court": Ev.court]), field: "court", "higher"),
        Case("a second risk notice for an existing entry", Ev.notice("E2", "2024-03-22T09:00:00+08:00"), field: nil, "already"),
        Case("exit notice for an entry not exited", event("unit_notified_of_exit", ["unit": Ev.pboc]), field: nil, "not shielded or revoked"),
        Case("publishing an entry already shielded", event("entry_published", "E4"), field: nil, "already shielded"),
        Case("lifting a measure never applied", event("measure_lifted", "E4", actor: Ev.tax, ["unit": Ev.tax, "measure": "credit_restriction"]), field: "measure", "no credit_restriction"),
        Case("deleting a repost never registered", event("repost_deleted", "E4", actor: Ev.news, ["unit": Ev.news]), field: "unit", "no repost"),
        Case("measure_retained with until before at", event("measure_retained", "E4", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction", "legal_basis": "《征信业管理条例》第十六条", "until": "2024-03-24"]), field: "until", "before"),
        Case("measure_retained with a malformed until", event("measure_retained", "E4", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction", "legal_basis": "《征信业管理条例》第十六条", "until": "2024-3-31"]), field: "until", "date"),
        // Complaints.
        Case("complaint resolved twice", line(Ev.base("complaint_resolved", "E1", at, ["complaint": "C1", "finding": "again"])), field: "complaint", "already resolved"),
        Case("complaint received twice", line(Ev.base("complaint_received", nil, at, ["complaint": "C1"])), field: "complaint", "already received"),
        Case("complaint resolved but never received", line(Ev.base("complaint_resolved", nil, at, ["complaint": "C404", "finding": "x"])), field: "complaint", "never received"),
        Case("complaint about an unknown entry", line(Ev.base("complaint_received", "E404", at, ["complaint": "C2"])), field: "entry", "does not exist"),
        // Field types.
        Case("bad grounds", inclusionObject(grounds: ["lazy"]), field: "grounds", "not one of"),
        Case("duplicate grounds", inclusionObject(grounds: ["evasion", "obstruction", "evasion"]), field: "grounds", "twice"),
        Case("empty grounds", inclusionObject(grounds: [String]()), field: "grounds", "at least one"),
        Case("grounds not a list", inclusionObject(grounds: "evasion"), field: "grounds", "list"),
        Case("public not a boolean", inclusionObject(isPublic: "yes"), field: "public", "true or false"),
        // SPEC §3 (amended): a term only on grounds 2–6, and 24–60 months.
        Case("term_months zero", inclusionObject(grounds: ["evasion"], extra: ["term_months": 0]), field: "term_months", "24 to 60"),
        Case("term_months 7 on a term ground", inclusionObject(grounds: ["evasion"], extra: ["term_months": 7]), field: "term_months", "24 to 60"),
        Case("term_months 61", inclusionObject(grounds: ["obstruction"], extra: ["term_months": 61]), field: "term_months", "24 to 60"),
        Case("term_months on ground 1 alone", inclusionObject(extra: ["term_months": 36]), field: "term_months", "no inclusion term"),
        Case("term_months not whole", inclusionObject(extra: ["term_months": 1.5]), field: "term_months", "whole number"),
        Case("person with legal_representative", inclusionObject(debtor: debtor(["legal_representative": "某某"])), field: "debtor.legal_representative", "only for organizations"),
        Case("organisation without legal_representative", inclusionObject(debtor: debtor(["kind": "organization", "id_number": "91469030MA5T00001D"])), field: "debtor.legal_representative", "required"),
        Case("id_number of wrong length", inclusionObject(debtor: debtor(["id_number": "46003019800101010"])), field: "debtor.id_number", "18"),
        // GB 11643 (ISO 7064 MOD 11-2), by hand: for 46003019800101010, Σ aᵢ·wᵢ = 183,
        // 183 mod 11 = 7, "10X98765432"[7] = 5: …0105 is valid, …0104 is not.
        Case("resident ID with a wrong check digit", inclusionObject(debtor: debtor(["id_number": "460030198001010104"])), field: "debtor.id_number", "check digit"),
        Case("resident ID of letters", inclusionObject(debtor: debtor(["id_number": "ABCDEFGHIJKLMNOPQR"])), field: "debtor.id_number", "not a resident ID"),
        Case("resident ID in full-width digits", inclusionObject(debtor: debtor(["id_number": "４６００３０１９８００１０１０１０５"])), field: "debtor.id_number", "full-width"),
        Case("credit code with a wrong check character", inclusionObject(debtor: debtor(["kind": "organization", "id_number": "91469030MA5T00001E", "legal_representative": "测试乙"])), field: "debtor.id_number", "check character"),
        Case("debtor of an unknown kind", inclusionObject(debtor: debtor(["kind": "company"])), field: "debtor.kind", "not one of"),
        Case("debtor with an unknown field", inclusionObject(debtor: debtor(["age": 40])), field: "debtor.age", "not a debtor field"),
        Case("debtor not an object", inclusionObject(debtor: ["测试甲"] as [Any]), field: "debtor", "object"),
        Case("case is empty", line(Ev.base("risk_notice_issued", "E22", at, ["court": Ev.court, "case": "", "debtor": Ev.person()])), field: "case", "empty"),
        Case("court is not a court", line(Ev.base("risk_notice_issued", "E22", at, ["court": "unit:pboc-baisha", "case": "(2024)琼9030执22号", "debtor": Ev.person()])), field: "court", "court:CODE"),
        Case("unit is not a unit", event("pushed_to_unit", ["unit": "court:haikou"]), field: "unit", "unit:CODE"),
        Case("missing unit", event("pushed_to_unit"), field: "unit", "required"),
        Case("bad outcome", event("correction_decided", ["outcome": "maybe"]), field: "outcome", "not one of"),
        Case("bad discharge basis", event("obligation_discharged", ["basis": "paid"]), field: "basis", "not one of"),
        Case("bad revocation reason", event("entry_revoked", ["reason": "whim"]), field: "reason", "not one of"),
        Case("channels not a list", event("entry_published", ["channels": "website"]), field: "channels", "list"),
        Case("empty id", line(Ev.base("decision_served", "E1", at, id: "")), field: "id", "empty"),
        Case("missing obligation of breach_flagged", event("breach_flagged", actor: "system:alerts"), field: "obligation", "required"),
        // The line number when the bad line is not the first.
        Case("bad line 3 after two good ones", event("entry_shielded", "E2"), field: nil, "no inclusion", before: goodPrefix),
        Case("blank lines count as lines", lines: [goodPrefix[0], "", goodPrefix[1], "   ", event("decision_served", "E1", actor: "Court:X")], badLine: 5, fields: ["actor"], "court:CODE"),
        Case("the bad line depends on a good line of the same input", lines: [Ev.notice("E30", "2024-03-21T09:00:00+08:00"), event("entry_shielded", "E30")], badLine: 2, fields: [], "no inclusion"),
        Case("a later line contradicts an earlier one of the same input", lines: [goodPrefix[1], Ev.simple("entry_revoked", "E3", "2024-03-24T10:00:00+08:00", ["reason": "error"]), event("decision_served", "E1")], badLine: 2, fields: [], "already revoked"),
    ]

    @Test("the table holds at least 40 distinct bad inputs")
    func tableSize() {
        #expect(Self.cases.count >= 40)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }

    @Test("refused with exit 1, line and field named, zero rows written", arguments: cases)
    func refused(_ testCase: Case) throws {
        let template = try Self.template.get()
        let ws = try template.copy("bad")
        defer { ws.remove() }
        let before = try ws.eventCount()
        #expect(before == Self.baseLines.count)
        let headBefore = try ws.sql("SELECT size, hex(hash) FROM head;").stdout
        let file = try ws.write("input.jsonl", testCase.lines.joined(separator: "\n") + "\n")

        let result = try ws.ll(["append", file])
        #expect(result.status == 1, "\(testCase.name): \(result)")
        let message = result.stderr
        #expect(message.contains("line \(testCase.badLine)"), "\(testCase.name): the message does not name line \(testCase.badLine): \(message)")
        if !testCase.fields.isEmpty {
            let named = testCase.fields.contains { message.contains("field \"\($0)\"") }
            #expect(named, "\(testCase.name): the message does not name the field \(testCase.fields.map { "\"\($0)\"" }.joined(separator: " or ")): \(message)")
        } else if testCase.phrase != "invalid JSON" && testCase.phrase != "object" {
            // A refused transition: the message should still name a field (SPEC §5).
            let named = Self.transitionFields.contains { message.contains("field \"\($0)\"") }
            #expect(named, "\(testCase.name): the message names no field (expected \"entry\" or \"type\"): \(message)")
        }
        #expect(message.lowercased().contains(testCase.phrase.lowercased()), "\(testCase.name): the message lacks \"\(testCase.phrase)\": \(message)")
        #expect(!result.stdout.contains("appended"), "\(testCase.name): \(result.stdout)")

        #expect(try ws.eventCount() == before, "\(testCase.name): rows were written")
        #expect(try ws.sql("SELECT size, hex(hash) FROM head;").stdout == headBefore, "\(testCase.name): the head moved")
    }
}
