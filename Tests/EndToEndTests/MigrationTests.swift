import Foundation
import LedgerCrypto
import TestSupport
import Testing

/// A ledger written by the release before the schema migrator (commit 99e12aa, schema 1)
/// opens with today's binary, is upgraded in place, verifies, gives the same state and
/// obligations that release printed, and takes new events (Fixtures/ledgers/README.md).
@Suite("Schema migration of a released ledger")
struct MigrationTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Fixtures/ledgers")

    func fixture(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// JSON compared as values (member order is not part of the contract).
    func same(_ a: String, _ b: String) throws -> Bool {
        let x = try JSONSerialization.jsonObject(with: Data(a.utf8)) as? NSObject
        let y = try JSONSerialization.jsonObject(with: Data(b.utf8)) as? NSObject
        return x != nil && x == y
    }

    @Test("release-99e12aa.ledger: read-only commands read it as it is; a write upgrades it to the latest schema")
    func upgradesInPlace() throws {
        let ws = try Workspace("migrate")
        defer { ws.remove() }
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("release-99e12aa.ledger").path, toPath: ws.db)
        #expect(try ws.sql("SELECT value FROM meta WHERE key = 'schema_version';").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        // verify opens read-only: it reads schema 1 as it is (the pending step only adds an index).
        let verified = try ws.expect(["verify", "--json"])
        #expect(try same(verified.stdout, fixture("release-99e12aa.verify.json")), "\(verified.stdout)")
        #expect(try ws.sql("SELECT value FROM meta WHERE key = 'schema_version';").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        // The first writing command upgrades it, once.
        try ws.append([Ev.notice("MIG-1", id: "mig-1")])
        // Schema 3 derives the projections again (issue 9); schema 4 (issue 12, SPEC §7) adds the
        // personal_data table beside the log; schema 5 (issue 8 point 4) the obligations
        // projector's position; schema 6 (issue 8) stores the tree as tiles.
        #expect(try ws.sql("SELECT value FROM meta WHERE key = 'schema_version';").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        #expect(try ws.sqlInt("PRAGMA user_version;") == 6)
        #expect(try ws.sqlInt("SELECT count(*) FROM projector_positions WHERE name = 'obligations';") == 1)
        #expect(try ws.sqlInt("SELECT count(*) FROM meta WHERE key = 'rederive_pending';") == 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM sqlite_master WHERE name = 'personal_data';") == 1)
        #expect(try ws.sqlInt("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_type';") == 1)
        #expect(try ws.eventCount() == 100)

        // The old events, projections and checkpoint are untouched; the chain continues.
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["ok"] as? Bool == true && report["events"] as? Int == 100, "\(raw)")
        let state = try ws.expect(["state", "--json"]).stdout
        let oldState = try JSONSerialization.jsonObject(with: Data(fixture("release-99e12aa.state.json").utf8)) as! [String: Any]
        let newState = try JSONSerialization.jsonObject(with: Data(state.utf8)) as! [String: Any]
        let oldEntries = oldState["entries"] as! [[String: Any]]
        let newEntries = (newState["entries"] as! [[String: Any]]).filter { $0["entry"] as? String != "MIG-1" }
        #expect(NSArray(array: oldEntries) == NSArray(array: newEntries), "state of the old entries changed")
        let oldObligations = try ws.expect(["obligations", "--as-of", "2026-12-01", "--json"]).stdout
        let expected = try JSONSerialization.jsonObject(with: Data(fixture("release-99e12aa.obligations.json").utf8)) as! [String: Any]
        let got = try JSONSerialization.jsonObject(with: Data(oldObligations.utf8)) as! [String: Any]
        let gotOld = (got["obligations"] as! [[String: Any]]).filter { $0["entry"] as? String != "MIG-1" }
        // The upgrade derives the obligations again under the amended rules (SPEC §1, issue 9).
        // Every obligation that release printed is unchanged except where the amendment says:
        let byID = Dictionary(uniqueKeysWithValues: gotOld.map { ($0["id"] as! String, $0) })
        let amended: Set<String> = [
            // R6 is two duties: a retention meets `unit_lift` (due 3 working days after the exit
            // notice of 2025-03-13, a Thursday: Fri 14, Mon 17, Tue 18 → 2025-03-18) and opens
            // `lift_after_retention`, due on its `until` day.
            "BS2025-020/R6/69/unit:baisha-finance/government_subsidy_restriction",
            "BS2025-020/R6/69/unit:baisha-finance/public_procurement_restriction",
            "BS2025-020/R6/70/unit:baisha-drc/policy_support_restriction",
            // The reconsideration window runs from service of the rejection (art. 12); this old
            // log records no `rejection_served`, so no window is open.
            "BS2026-066/R2/93",
        ]
        for old in expected["obligations"] as! [[String: Any]] where !amended.contains(old["id"] as! String) {
            let id = old["id"] as! String
            #expect(byID[id].map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: old), "obligation \(id) changed")
        }
        #expect(byID["BS2026-066/R2/93"] == nil)
        for id in amended.dropLast() where id.hasPrefix("BS2025") {
            #expect(byID[id]?["duty"] as? String == "unit_lift" && byID[id]?["due"] as? String == "2025-03-18" && byID[id]?["status"] as? String == "met", "\(id): \(byID[id] ?? [:])")
        }
        // The retentions' own duties, due on each `until` day.
        let afterRetention = gotOld.filter { $0["duty"] as? String == "lift_after_retention" }
            .map { "\($0["entry"]!) \($0["due"]!) \($0["status"]!)" }.sorted()
        #expect(afterRetention == ["BS2025-020 2025-03-31 met", "BS2025-020 2025-04-30 breached", "BS2025-020 2025-06-30 breached"], "\(afterRetention)")
        // Terms bind both profiles (art. 2, art. 10 ¶2): BS2019-098 (false_property_report, ground 4, included
        // 2019-08-06) ends its 24-month term on 2021-08-06, a Friday; deletion is due 3 working
        // days later: Mon 9, Tue 10, Wed 11 → 2021-08-11, never met.
        let term = gotOld.first { $0["duty"] as? String == "term_end_delete" }
        #expect(term?["entry"] as? String == "BS2019-098" && term?["due"] as? String == "2021-08-11" && term?["status"] as? String == "breached", "\(term ?? [:])")
        #expect(gotOld.count == (expected["obligations"] as! [[String: Any]]).count - 1 + 3 + 1)
        #expect(try ws.sqlInt("SELECT count(*) FROM checkpoints;") == 1)
        // A rebuild from the migrated log gives the same projections.
        let before = try ws.sql("SELECT * FROM entries ORDER BY entry; SELECT * FROM obligations ORDER BY id;").stdout
        try ws.expect(["rebuild"])
        #expect(try ws.sql("SELECT * FROM entries ORDER BY entry; SELECT * FROM obligations ORDER BY id;").stdout == before)
    }

    @Test("release-99e12aa.ledger: step 6 turns the tree rows into tiles; verify, proofs and the old checkpoint still hold")
    func treeRowsBecomeTiles() throws {
        let ws = try Workspace("migrate-tiles")
        defer { ws.remove() }
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("release-99e12aa.ledger").path, toPath: ws.db)
        // The leaf rows of the flat layout, as the old release stored them: leaf n at
        // n + n/2 + n/4 + … (Go's sumdb/tlog StoredHashIndex for level 0).
        func flatIndex(_ n: Int) -> Int { var n = n, index = 0; while n > 0 { index += n; n >>= 1 }; return index }
        let rows = try (0..<99).map { n in
            try ws.sql("SELECT lower(hex(node)) FROM tree WHERE idx = \(flatIndex(n));").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let note = try ws.sql("SELECT note FROM checkpoints WHERE size = 99;").stdout
        let saved = try ws.write("checkpoint-99.txt", String(note.dropLast()))
        let key = "listledger/court:baisha+0eb8a97f+ASoMBNfINLll6f1dJ1MVCUwRdkYKANtql3eK2F2jhh0L"

        // A writing command that adds no event upgrades it.
        try ws.expect(["rebuild"])
        #expect(try ws.sqlInt("SELECT value FROM meta WHERE key = 'schema_version';") == 6)
        #expect(try ws.sqlInt("SELECT count(*) FROM sqlite_master WHERE name = 'tree';") == 0)
        // 99 leaves: no full tile, a level-0 edge of width 99 holding exactly the old rows, and
        // those are SHA-256(0x00 || canonical) of the events (computed here).
        #expect(try ws.sqlInt("SELECT count(*) FROM tiles;") == 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM tile_edge;") == 1)
        let edge = try ws.sql("SELECT lower(hex(hashes)) FROM tile_edge WHERE level = 0 AND idx = 0;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(edge == rows.joined())
        for seq in [1, 50, 99] {
            let canonical = try #require(Hex.decode(try ws.sql("SELECT hex(canonical) FROM events WHERE seq = \(seq);").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(rows[seq - 1] == Hex.encode(SHA256.hash([0x00] + canonical)), "leaf of seq \(seq)")
        }

        // verify prints what that release printed; the log extends its signed checkpoint.
        let verified = try ws.expect(["verify", "--json"])
        #expect(try same(verified.stdout, fixture("release-99e12aa.verify.json")), "\(verified.stdout)")
        try ws.expect(["verify", "--against", saved, "--key", key])
        // An inclusion proof against the stored checkpoint checks with the release's key.
        let proof = try ws.write("proof.json", try ws.expect(["prove", "--seq", "50", "--json"]).stdout)
        let checked = try runProgram(try binary(), ["verify-proof", proof, "--key", key], in: ws.dir)   // offline: no --db
        #expect(checked.status == 0, "\(checked)")

        // New events continue the tiles: the same as the tiles of those leaves written fresh
        // (a level-0 edge of the 99 old leaves and the new one).
        try ws.append([Ev.notice("MIG-T")])
        let canonical = try #require(Hex.decode(try ws.sql("SELECT hex(canonical) FROM events WHERE seq = 100;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let grown = try ws.sql("SELECT lower(hex(hashes)) FROM tile_edge WHERE level = 0 AND idx = 0;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(grown == rows.joined() + Hex.encode(SHA256.hash([0x00] + canonical)))
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["ok"] as? Bool == true && report["events"] as? Int == 100, "\(raw)")
        try ws.expect(["verify", "--against", saved, "--key", key])
    }

    @Test("a ledger of a newer schema than this build is refused, naming the versions")
    func newerSchemaRefused() throws {
        let ws = try Workspace("migrate-newer")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.sql("UPDATE meta SET value = '99' WHERE key = 'schema_version';")
        let result = try ws.expect(["state"], status: 1)
        #expect(result.stderr.contains("schema version 99"), "\(result.stderr)")
        #expect(try ws.sqlInt("SELECT value FROM meta WHERE key = 'schema_version';") == 99)
    }

    @Test("a new ledger is created at the latest schema, with user_version set")
    func newLedgerIsLatest() throws {
        let ws = try Workspace("migrate-new")
        defer { ws.remove() }
        try ws.initLedger()
        #expect(try ws.sqlInt("SELECT value FROM meta WHERE key = 'schema_version';") == 6)
        #expect(try ws.sqlInt("PRAGMA user_version;") == 6)
        #expect(try ws.sqlInt("SELECT position FROM projector_positions WHERE name = 'obligations';") == 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_type';") == 1)
    }
}
