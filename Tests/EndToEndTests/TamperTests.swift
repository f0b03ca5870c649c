import Foundation
import TestSupport
import Testing
import LedgerCrypto

/// SPEC §4–5: `verify` re-hashes the chain and the tree and names the first bad seq (exit 4).
/// Each test edits the SQLite file behind the ledger's back with the sqlite3 shell.
@Suite("Tampering with the SQLite file is caught by verify")
struct TamperTests {
    /// Twelve events, seqs 1…12, none with an id.
    static let lines: [String] = [
        Ev.notice("T1"),                                                                                      // 1
        Ev.inclusion("T1"),                                                                                   // 2
        Ev.simple("decision_served", "T1", "2024-03-06T10:00:00+08:00"),                                      // 3
        Ev.simple("pushed_to_unit", "T1", "2024-03-07T10:00:00+08:00", ["unit": Ev.pboc]),                    // 4
        Ev.simple("measure_applied", "T1", "2024-03-08T10:00:00+08:00", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction"]), // 5
        Ev.notice("T2"),                                                                                      // 6
        Ev.inclusion("T2", "2024-03-06T10:00:00+08:00"),                                                      // 7
        Ev.simple("entry_published", "T2", "2024-03-07T10:00:00+08:00", ["channels": ["website"]]),          // 8
        Ev.simple("obligation_discharged", "T1", "2024-03-15T10:00:00+08:00", ["basis": "full_performance"]), // 9
        Ev.simple("entry_shielded", "T1", "2024-03-16T10:00:00+08:00"),                                      // 10
        Ev.simple("unit_notified_of_exit", "T1", "2024-03-17T10:00:00+08:00", ["unit": Ev.pboc]),             // 11
        Ev.simple("measure_lifted", "T1", "2024-03-18T10:00:00+08:00", actor: Ev.pboc, ["unit": Ev.pboc, "measure": "credit_restriction"]), // 12
    ]

    static let dropTriggers = """
        DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;
        DROP TRIGGER tiles_no_update; DROP TRIGGER tiles_no_delete;
        DROP TRIGGER tile_edge_grows; DROP TRIGGER tile_edge_no_delete;
        """

    /// A fresh ledger of the twelve events, verified ok.
    func ledger(_ label: String) throws -> Workspace {
        let ws = try Workspace(label)
        try ws.initLedger()
        try ws.append(Self.lines)
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["ok"] as? Bool == true, "a fresh ledger must verify: \(raw)")
        #expect(report["events"] as? Int == 12)
        return ws
    }

    /// Applies `sql` (after dropping the triggers), then expects verify to fail at `seq`.
    func expectCaught(_ label: String, _ sql: String, firstBadSeq seq: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ws = try ledger(label)
        defer { ws.remove() }
        try ws.sql(Self.dropTriggers + "\n" + sql, sourceLocation: sourceLocation)
        let (status, report, raw) = try ws.verify(sourceLocation: sourceLocation)
        #expect(status == 4, "\(label): verify must exit 4: \(raw)", sourceLocation: sourceLocation)
        #expect(report["ok"] as? Bool == false, "\(label): \(raw)", sourceLocation: sourceLocation)
        #expect(report["first_bad_seq"] as? Int == seq, "\(label): expected first_bad_seq \(seq): \(raw.stdout)", sourceLocation: sourceLocation)
        let reason = report["reason"] as? String
        #expect(reason?.isEmpty == false, "\(label): no reason given: \(raw.stdout)", sourceLocation: sourceLocation)
    }

    /// The stored index of tree node (`level`, `n`) in the flat layout of Go's sumdb/tlog
    /// (`StoredHashIndex`), written out here from its documentation.
    static func storedIndex(level: Int, n: Int) -> Int {
        var n = n
        for _ in 0..<level { n = 2 * n + 1 }
        var index = 0
        while n > 0 { index += n; n >>= 1 }
        return index + level
    }

    @Test("a fresh ledger verifies and its head is the last event's hash")
    func freshLedger() throws {
        let ws = try ledger("fresh")
        defer { ws.remove() }
        let (_, report, _) = try ws.verify()
        let lastHash = try ws.sql("SELECT lower(hex(hash)) FROM events WHERE seq = 12;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(report["head"] as? String == lastHash)
        #expect(report["first_bad_seq"] is NSNull)
        // The chain links: every prev_hash is the previous row's hash, the first is 32 zero bytes.
        let broken = try ws.sqlInt("SELECT count(*) FROM events a JOIN events b ON b.seq = a.seq + 1 WHERE b.prev_hash != a.hash;")
        #expect(broken == 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM events WHERE seq = 1 AND prev_hash = zeroblob(32);") == 1)
        // The tree is stored as tiles (C2SP tlog-tiles): 12 leaves are one partial level-0 tile of
        // width 12 and nothing else (the 6 + 3 + 1 interior nodes are recomputed from it).
        #expect(try ws.sqlInt("SELECT count(*) FROM tiles;") == 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM tile_edge;") == 1)
        #expect(try ws.sqlInt("SELECT length(hashes) FROM tile_edge WHERE level = 0 AND idx = 0;") == 12 * 32)
    }

    @Test("the triggers refuse UPDATE and DELETE on events and tree")
    func triggers() throws {
        let ws = try ledger("triggers")
        defer { ws.remove() }
        let before = try ws.sql("SELECT seq, hex(canonical), hex(hash) FROM events ORDER BY seq;").stdout
        for statement in [
            "UPDATE events SET type = 'entry_revoked' WHERE seq = 3;",
            "UPDATE events SET hash = zeroblob(32) WHERE seq = 12;",
            "DELETE FROM events WHERE seq = 12;",
            "DELETE FROM events;",
            "UPDATE tile_edge SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0;",
            "UPDATE tile_edge SET hashes = substr(hashes, 1, 352) WHERE level = 0;",
            "DELETE FROM tile_edge WHERE level = 0;",
        ] {
            let result = try ws.sql(statement, expectFailure: true)
            #expect(result.stderr.contains("append-only"), "\(statement): \(result)")
        }
        #expect(try ws.sql("SELECT seq, hex(canonical), hex(hash) FROM events ORDER BY seq;").stdout == before)
        let (status, _, raw) = try ws.verify()
        #expect(status == 0, "\(raw)")
    }

    @Test("editing one payload byte")
    func payloadByte() throws {
        // Change the first "baisha" of seq 5 to "Baisha": one byte.
        try expectCaught("payload", """
            UPDATE events SET canonical = CAST(substr(canonical, 1, instr(canonical, CAST('baisha' AS BLOB)) - 1) || 'B'
                || substr(canonical, instr(canonical, CAST('baisha' AS BLOB)) + 1) AS BLOB) WHERE seq = 5;
            """, firstBadSeq: 5)
    }

    @Test("verify --json on a tampered log: how far the chain held, and what the head row claims (issue 9 point 17)")
    func tamperedReportNamesBoth() throws {
        let ws = try ledger("tampered-report")
        defer { ws.remove() }
        let storedHead = try ws.sql("SELECT lower(hex(hash)) FROM head;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let hashOf4 = try ws.sql("SELECT lower(hex(hash)) FROM events WHERE seq = 4;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try ws.sql(Self.dropTriggers + "\n" + """
            UPDATE events SET canonical = CAST(substr(canonical, 1, instr(canonical, CAST('baisha' AS BLOB)) - 1) || 'B'
                || substr(canonical, instr(canonical, CAST('baisha' AS BLOB)) + 1) AS BLOB) WHERE seq = 5;
            """)
        let (status, report, raw) = try ws.verify()
        #expect(status == 4)
        // Events 1…4 verified; the head row still claims 12 events and its hash.
        #expect(report["verified_events"] as? Int == 4 && report["events"] as? Int == 4, "\(raw.stdout)")
        #expect(report["head"] as? String == hashOf4, "\(raw.stdout)")
        #expect(report["stored_events"] as? Int == 12 && report["stored_head"] as? String == storedHead, "\(raw.stdout)")
    }

    @Test("editing the payload and the type column together")
    func payloadAndColumns() throws {
        try expectCaught("payload-type", """
            UPDATE events SET type = 'entry_revoked',
                canonical = CAST(replace(CAST(canonical AS TEXT), '"type":"entry_shielded"', '"reason":"error","type":"entry_revoked"') AS BLOB)
                WHERE seq = 10;
            """, firstBadSeq: 10)
    }

    @Test("deleting a row in the middle")
    func deleteRow() throws {
        try expectCaught("delete", "DELETE FROM events WHERE seq = 7;", firstBadSeq: 7)
    }

    @Test("swapping two rows' contents")
    func swapRows() throws {
        try expectCaught("swap", """
            CREATE TEMP TABLE saved AS SELECT * FROM events WHERE seq IN (4, 9);
            UPDATE events SET (id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash) =
                (SELECT id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash FROM saved WHERE saved.seq = 13 - events.seq)
                WHERE seq IN (4, 9);
            """, firstBadSeq: 4)
    }

    @Test("truncating the tail")
    func truncateTail() throws {
        try expectCaught("truncate", "DELETE FROM events WHERE seq >= 10;", firstBadSeq: 10)
    }

    @Test("truncating the tail and rewinding the head: the tree still holds the lost leaves")
    func truncateTailAndHead() throws {
        // Events and head now describe a consistent 9-event log, but the append-only tree
        // still holds the 22 nodes of 12 leaves (a 9-leaf tree stores 9 + 4 + 2 + 1 = 16):
        // seqs 10–12 existed and were removed.
        try expectCaught("truncate-head", """
            DELETE FROM events WHERE seq >= 10;
            UPDATE head SET size = 9, hash = (SELECT hash FROM events WHERE seq = 9);
            """, firstBadSeq: 10)
    }

    @Test("editing a stored hash")
    func storedHash() throws {
        try expectCaught("hash", "UPDATE events SET hash = zeroblob(32) WHERE seq = 6;", firstBadSeq: 6)
    }

    @Test("editing the last stored hash")
    func lastStoredHash() throws {
        try expectCaught("last-hash", "UPDATE events SET hash = randomblob(32) WHERE seq = 12;", firstBadSeq: 12)
    }

    @Test("editing a stored prev_hash")
    func storedPrevHash() throws {
        try expectCaught("prev-hash", "UPDATE events SET prev_hash = randomblob(32) WHERE seq = 8;", firstBadSeq: 8)
    }

    @Test("moving a row to another seq")
    func movedRow() throws {
        try expectCaught("moved", "UPDATE events SET seq = 20 WHERE seq = 12;", firstBadSeq: 12)
    }

    @Test("lowering the head's size (an event added outside the ledger)")
    func headSize() throws {
        try expectCaught("head-size", "UPDATE head SET size = 11;", firstBadSeq: 12)
    }

    @Test("the tile layout: hash n of the level-0 tile is the leaf of seq n + 1, SHA-256(0x00 || canonical)")
    func treeLayout() throws {
        let ws = try ledger("layout")
        defer { ws.remove() }
        for seq in 1...12 {
            let canonical = try #require(Hex.decode(try ws.sql("SELECT hex(canonical) FROM events WHERE seq = \(seq);").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let node = try ws.sql("SELECT lower(hex(substr(hashes, \(32 * (seq - 1) + 1), 32))) FROM tile_edge WHERE level = 0 AND idx = 0;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(node == Hex.encode(SHA256.hash([0x00] + canonical)), "leaf of seq \(seq)")
        }
    }

    /// A stored tree node is written by the append of the last leaf under it: node (level L,
    /// n) by seq (n + 1)·2^L. Up to the seq before, every stored hash is sound; from that seq on,
    /// the stored tree no longer matches the events (its root, or the inclusion proofs that use
    /// the node, are wrong). So that seq is the first bad one.
    /// Of 12 leaves only the leaf hashes are stored (the level-0 tile); the interior nodes over
    /// them are recomputed from it, so there is no stored interior node to edit. A level-8
    /// hash (a level-1 tile) is edited in TileTests, on a ledger of more than 256 events.
    @Test("editing a tree node", arguments: [
        // (level, n, first bad seq)
        (0, 2, 3),    // the leaf of seq 3, inside the complete subtree of seqs 1–8
        (0, 10, 11),  // the leaf of seq 11, inside the subtree of seqs 9–12
        (0, 0, 1),    // the first leaf
        (0, 11, 12),  // the last leaf
    ])
    func treeNode(_ level: Int, _ n: Int, _ firstBadSeq: Int) throws {
        #expect(firstBadSeq == (n + 1) << level)
        try expectCaught("tree-\(level)-\(n)", "UPDATE tile_edge SET hashes = CAST(substr(hashes, 1, \(32 * n)) || randomblob(32) || substr(hashes, \(32 * n + 33)) AS BLOB) WHERE level = 0;",
                         firstBadSeq: firstBadSeq)
    }

    @Test("deleting a tree node")
    func deleteTreeNode() throws {
        // The last leaf hash cut off the edge tile.
        try expectCaught("tree-delete", "UPDATE tile_edge SET hashes = substr(hashes, 1, \(32 * 11)) WHERE level = 0;", firstBadSeq: 12)
    }
}
