import Foundation
import TestSupport
import Testing

@Suite("Projection equals rebuild; as-of and known-at")
struct ProjectionTests {
    static let tables: [(name: String, query: String)] = [
        ("entries", "SELECT * FROM entries ORDER BY entry;"),
        ("complaints", "SELECT * FROM complaints ORDER BY complaint;"),
        ("flags", "SELECT * FROM flags ORDER BY obligation;"),
        ("obligations", "SELECT * FROM obligations ORDER BY id;"),
    ]

    func dump(_ ws: Workspace) throws -> [String: String] {
        // One-shot appends leave the obligations table to the projector (issue 8 point 4): a
        // reading command catches it up, so the rows below are the projector's, not a read's.
        try ws.expect(["obligations", "--json"])
        var result: [String: String] = [:]
        for table in Self.tables {
            result[table.name] = try ws.sql(".mode quote\n" + table.query).stdout
        }
        return result
    }

    func expectRebuildIsIdentity(_ ws: Workspace, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try dump(ws)
        let stateBefore = try ws.expect(["state", "--json"], sourceLocation: sourceLocation).stdout
        try ws.expect(["rebuild"], sourceLocation: sourceLocation)
        let after = try dump(ws)
        for table in Self.tables {
            let a = before[table.name] ?? "", b = after[table.name] ?? ""
            if a != b {
                let linesA = Set(a.split(separator: "\n")), linesB = Set(b.split(separator: "\n"))
                Issue.record("table \(table.name) differs after rebuild: only maintained by append: \(linesA.subtracting(linesB).prefix(3)); only after rebuild: \(linesB.subtracting(linesA).prefix(3))", sourceLocation: sourceLocation)
            }
        }
        #expect(try ws.expect(["state", "--json"], sourceLocation: sourceLocation).stdout == stateBefore, sourceLocation: sourceLocation)
    }

    @Test("the Baisha demo ledger: projections maintained by append equal rebuild")
    func baishaDemo() throws {
        let demo = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
        #expect(FileManager.default.fileExists(atPath: demo), "Fixtures/scenarios/baisha-demo.jsonl is missing")
        let ws = try Workspace("demo")
        defer { ws.remove() }
        try ws.initLedger()
        let appended = try ws.expect(["append", demo])
        let lines = try String(contentsOfFile: demo, encoding: .utf8).split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.count
        #expect(try ws.eventCount() == lines, "\(appended.stdout.prefix(200))")
        // Every entry opened by a notice or an inclusion is projected, and nothing else.
        let opened = try ws.sqlInt("SELECT count(DISTINCT entry) FROM events WHERE type IN ('risk_notice_issued', 'inclusion_decided');")
        #expect(opened > 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM entries;") == opened)
        #expect(try ws.sqlInt("SELECT count(*) FROM complaints;") == ws.sqlInt("SELECT count(*) FROM events WHERE type = 'complaint_received';"))
        // Each entry's last_seq is its last event.
        #expect(try ws.sqlInt("""
            SELECT count(*) FROM entries e WHERE e.last_seq != (SELECT max(seq) FROM events v WHERE v.entry = e.entry
                AND v.type NOT IN ('complaint_received', 'complaint_resolved'));
            """) == 0)
        try expectRebuildIsIdentity(ws)

        // Rebuild repairs a projection edited behind the ledger's back.
        let pristine = try dump(ws)
        try ws.sql("UPDATE entries SET status = 'revoked', state = '{}'; DELETE FROM complaints;")
        try ws.expect(["rebuild"])
        #expect(try dump(ws) == pristine)
        let (status, _, raw) = try ws.verify()
        #expect(status == 0, "\(raw)")
    }

    @Test("the conformance scenario and appends in many small calls: projection equals rebuild")
    func smallCalls() throws {
        let scenario = "/work/shared/conformance/scenario.jsonl"
        let ws = try Workspace("small-calls")
        defer { ws.remove() }
        try ws.initLedger()
        let demo = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
        // The demo, one event per transaction: per-call projection updates must add up to the same.
        try ws.expect(["append", "--batch-size", "7", demo])
        if FileManager.default.fileExists(atPath: scenario) {
            try ws.expect(["append", scenario])
        }
        try expectRebuildIsIdentity(ws)
    }

    /// `history --json` recorded_at of each seq.
    func recordedAt(_ ws: Workspace, entry: String) throws -> [Int: String] {
        let object = try jsonObject(try ws.expect(["history", "--entry", entry, "--json"]).stdout)
        var result: [Int: String] = [:]
        for event in object["events"] as? [[String: Any]] ?? [] {
            if let seq = event["seq"] as? Int, let at = event["recorded_at"] as? String { result[seq] = at }
        }
        return result
    }

    func status(_ ws: Workspace, _ options: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        let result = try ws.ll(["state", "--entry", "B1", "--json"] + options)
        guard result.status == 0 else { return nil }
        let entries = try jsonObject(result.stdout)["entries"] as? [[String: Any]]
        return entries?.first?["status"] as? String
    }

    @Test("a backdated fact: --known-at before its recording hides it, --as-of after its at shows it")
    func backdated() throws {
        let ws = try Workspace("backdated")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([
            Ev.notice("B1", "2024-03-01T09:00:00+08:00"),
            Ev.inclusion("B1", "2024-03-05T10:00:00+08:00"),
            Ev.simple("entry_published", "B1", "2024-03-20T10:00:00+08:00"),
        ])
        usleep(30_000)
        // Recorded later, effective earlier than the publication above: a late record.
        try ws.append([Ev.simple("entry_shielded", "B1", "2024-03-12T10:00:00+08:00", ["reason": "补录: 已履行"])])
        let recorded = try recordedAt(ws, entry: "B1")
        let first = try #require(recorded[3]), second = try #require(recorded[4])
        #expect(first < second, "recorded_at must grow: \(first) then \(second)")

        #expect(try status(ws, []) == "shielded")
        #expect(try status(ws, ["--known-at", first]) == "listed", "known at \(first): the shielding was not yet recorded")
        #expect(try status(ws, ["--known-at", second]) == "shielded")
        #expect(try status(ws, ["--as-of", "2024-03-12T10:00:00+08:00"]) == "shielded", "effective at its own at")
        #expect(try status(ws, ["--as-of", "2024-03-12T09:59:59+08:00"]) == "listed")
        #expect(try status(ws, ["--as-of", "2024-03-11"]) == "listed", "a bare date is the end of that Beijing day")
        #expect(try status(ws, ["--as-of", "2024-03-12"]) == "shielded")
        #expect(try status(ws, ["--as-of", "2024-03-12T02:00:00Z"]) == "shielded", "the same instant in UTC")
        #expect(try status(ws, ["--as-of", "2024-03-12T01:59:59.999Z"]) == "listed")
        #expect(try status(ws, ["--as-of", "2024-03-12T12:00:00+08:00", "--known-at", first]) == "listed", "effective, but not yet known")
        #expect(try status(ws, ["--as-of", "2024-03-04", "--known-at", second]) == "noticed")
        // Before anything was effective, the entry does not exist yet: refused, exit 1.
        let none = try ws.ll(["state", "--entry", "B1", "--as-of", "2024-02-29", "--json"])
        #expect(none.status == 1, "\(none)")
        #expect(none.stderr.contains("--entry"), "\(none)")
        // A malformed time argument is refused naming the option.
        let bad = try ws.ll(["state", "--as-of", "2024-03-12T10:00:00", "--json"])
        #expect(bad.status == 1 && bad.stderr.contains("--as-of"), "\(bad)")
    }
}
