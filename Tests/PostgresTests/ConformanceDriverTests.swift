import Foundation
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// The shared conformance kit's steps (Fixtures/conformance, copied from the kit) as a
/// parameter of the engine: the same scenario through the real binary on SQLite and on
/// PostgreSQL gives the kit's hand-worked states and obligations on both, the same `state`,
/// `obligations` and audit results on both (SPEC §8), refuses the same bad lines with nothing
/// written, proves an event against a signed checkpoint, and (on PostgreSQL) names a tampered seq.
@Suite("PostgreSQL: the conformance kit's steps on both engines", .enabled(if: serverURL != nil, skipReason))
struct ConformanceDriverTests {
    enum Engine: String, CaseIterable { case sqlite, postgres }

    struct Results: Equatable {
        var state: String
        var obligations: String
        var verified: [String: JSONValue]
        var audit: [String: JSONValue]
    }

    func object(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONParser.parse(Array(text.utf8)) else { throw CocoaError(.coderReadCorrupt) }
        return Dictionary(members, uniquingKeysWith: { first, _ in first })
    }

    func run(_ db: String, _ arguments: [String], stdin: String? = nil) throws -> RunResult {
        try runProgram(try listledgerBinary(), arguments + ["--db", db], stdin: stdin)
    }

    /// The number of events stored, as `verify --json` counts them.
    func count(_ db: String) throws -> JSONValue? { try object(try run(db, ["verify", "--json"]).stdout)["events"] }

    /// The kit's steps on one engine; returns what must be the same on both.
    func steps(_ engine: Engine, dir: URL, expected: [String: JSONValue]) async throws -> Results {
        let db: String
        switch engine {
        case .sqlite:
            db = dir.appendingPathComponent("kit.sqlite").path
            #expect(try run(db, ["init"]).status == 0)
        case .postgres:
            db = try await freshDatabase("kit").description
            #expect(try run(db, ["init", "--court", "court:baisha"]).status == 0)
        }
        let scenario = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/conformance/scenario.jsonl"), encoding: .utf8)
        let lines = scenario.split(separator: "\n").count
        let appended = try run(db, ["append", "-"], stdin: scenario)
        #expect(appended.status == 0 && appended.stdout.contains(String(lines)), "\(engine): \(appended)")

        // States and obligations: the kit's hand-worked values.
        let state = try run(db, ["state", "--json"])
        guard case .array(let entries)? = try object(state.stdout)["entries"], case .object(let statuses)? = expected["states"] else {
            Issue.record("\(engine): state --json has no entries: \(state)"); throw CocoaError(.coderReadCorrupt)
        }
        let byEntry = Dictionary(entries.compactMap { entry -> (String, JSONValue)? in
            guard case .object(let members) = entry, case .string(let name)? = members.first(where: { $0.0 == "entry" })?.1 else { return nil }
            return (name, members.first(where: { $0.0 == "status" })?.1 ?? .null)
        }, uniquingKeysWith: { first, _ in first })
        for (entry, status) in statuses { #expect(byEntry[entry] == status, "\(engine): state of \(entry)") }
        guard case .string(let asOf)? = expected["as_of"], case .array(let wanted)? = expected["obligations"] else { throw CocoaError(.coderReadCorrupt) }
        let obligations = try run(db, ["obligations", "--json", "--as-of", asOf, "--status", "all"])
        guard case .array(let found)? = try object(obligations.stdout)["obligations"] else {
            Issue.record("\(engine): obligations --json: \(obligations)"); throw CocoaError(.coderReadCorrupt)
        }
        let rows: [[String: JSONValue]] = found.compactMap { if case .object(let members) = $0 { Dictionary(members, uniquingKeysWith: { a, _ in a }) } else { nil } }
        for case .array(let want) in wanted {
            let (rule, entry, obligor, due, status) = (want[0], want[1], want[2], want[3], want[4])
            let match = rows.contains { row in
                row["rule"] == rule && row["entry"] == entry && (obligor == .null || row["obligor"] == obligor)
                    && (row["due"] ?? .null) == due && row["status"] == status
            }
            #expect(match, "\(engine): \(want.map(\.displayText).joined(separator: " ")) not among the obligations")
        }
        let verified = try object(try run(db, ["verify", "--json"]).stdout)
        #expect(verified["ok"] == .bool(true) && verified["events"] == .integer(Int64(lines)), "\(engine): \(verified)")

        // Bad lines: exit 1, a message, nothing written.
        for line in [#"{"type":"entry_vanished","entry":"P1","at":"2025-01-01T10:00:00+08:00","actor":"court:baisha"}"#,
                     #"{"type":"correction_decided","entry":"P1","at":"2025-01-01T10:00:00+08:00","actor":"court:baisha"}"#,
                     #"{"type":"exit_published","entry":"P2","at":"2099-01-01T10:00:00+08:00","actor":"court:baisha"}"#] {
            let refused = try run(db, ["append", "-"], stdin: line + "\n")
            #expect(refused.status == 1 && !refused.stderr.isEmpty, "\(engine): \(line): \(refused)")
            #expect(try count(db) == .integer(Int64(lines)), "\(engine): a refused line wrote something")
        }

        // A signed checkpoint, an inclusion proof checked offline, an audit bundle.
        if engine == .sqlite { #expect(try run(db, ["keys", "init"]).status == 0) }
        let key = try run(db, ["keys", "show"]).stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(key.hasPrefix("listledger/court:baisha+"), "\(engine): \(key)")
        #expect(try run(db, ["checkpoint"]).status == 0)
        let proof = try run(db, ["prove", "--seq", "3", "--json"])
        let proofFile = dir.appendingPathComponent("proof-\(engine).json")
        try proof.stdout.write(to: proofFile, atomically: true, encoding: .utf8)
        let checked = try runProgram(try listledgerBinary(), ["verify-proof", proofFile.path, "--key", key])
        #expect(checked.status == 0, "\(engine): \(checked)")
        let bundle = dir.appendingPathComponent("bundle-\(engine).json").path
        #expect(try run(db, ["export", "--all", "--bundle", bundle]).status == 0)
        var audit = try object(try runProgram(try listledgerBinary(), ["audit", bundle, "--key", key, "--json", "--as-of", asOf]).stdout)
        #expect(audit["ok"] == .bool(true), "\(engine): \(audit)")
        audit["root"] = nil  // the recorded times differ, hence the bytes and the root

        // Tamper with seq 5 as the owner could (past the triggers): verify names it. On
        // PostgreSQL only: the kit's own tamper step covers SQLite (it edits the file).
        var tampered: [String: JSONValue] = [:]
        if engine == .postgres {
            try await PostgresAdmin.execute(["ALTER TABLE events DISABLE TRIGGER events_append_only",
                                             "UPDATE events SET canonical = canonical || '\\x20'::bytea WHERE seq = 5",
                                             "ALTER TABLE events ENABLE TRIGGER events_append_only"], on: try PostgresURL(parsing: db))
            let broken = try run(db, ["verify", "--json"])
            #expect(broken.status == 4, "\(engine): \(broken)")
            tampered = try object(broken.stdout)
            #expect(tampered["first_bad_seq"] == .integer(5), "\(engine): \(tampered)")
        }
        var kept = verified
        for field in ["head", "root"] { kept[field] = nil }
        return Results(state: state.stdout, obligations: obligations.stdout, verified: kept, audit: audit)
    }

    @Test("the kit's scenario and checks pass on SQLite and on PostgreSQL, with the same results on both")
    func bothEngines() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-kit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try object(try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/conformance/expected.json"), encoding: .utf8))
        let sqlite = try await steps(.sqlite, dir: dir, expected: expected)
        let postgres = try await steps(.postgres, dir: dir, expected: expected)
        #expect(postgres.state == sqlite.state)
        #expect(postgres.obligations == sqlite.obligations)
        #expect(postgres.verified == sqlite.verified)
        #expect(postgres.audit == sqlite.audit)
    }
}
