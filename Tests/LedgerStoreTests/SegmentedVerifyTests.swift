import Foundation
import LedgerDomain
import LedgerStore
import TestSupport
import Testing

/// `verify` cuts large logs into segments checked in parallel: every cut must give the same
/// verdict, head, root and first bad seq as one sequential pass.
struct SegmentedVerifyTests {
    /// 45 entries of 3 events each: 135 events, so cuts land inside entries and tree levels.
    func ledger(in temp: TempLedger) throws -> Ledger {
        let ledger = try temp.create()
        var lines: [String] = []
        for n in 1...45 {
            lines.append(notice("E\(n)"))
            lines.append(inclusion("E\(n)"))
            lines.append(simple("decision_served", "E\(n)", at: "2024-03-06T10:00:00+08:00"))
        }
        _ = try ledger.append(try events(lines), clock: { clock("2025-01-02T00:00:00Z") })
        return ledger
    }

    @Test func everyCutAgreesOnAGoodLog() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledger(in: temp)
        let one = try ledger.verify(segments: 1)
        #expect(one.ok && one.events == 135)
        for segments in 2...7 {
            let cut = try ledger.verify(segments: segments)
            #expect(cut.ok, "\(segments) segments: \(cut.reason ?? "")")
            #expect(cut.head == one.head && cut.root == one.root && cut.events == one.events)
        }
    }

    @Test("every cut names the same first bad seq", arguments: [
        ("UPDATE events SET canonical = CAST(replace(CAST(canonical AS TEXT), '\"E30\"', '\"E31\"') AS BLOB) WHERE seq = 89", Int64(89)),
        ("UPDATE events SET prev_hash = zeroblob(32) WHERE seq = 68", 68),
        ("UPDATE events SET hash = zeroblob(32) WHERE seq = 45", 45),
        ("DELETE FROM events WHERE seq = 91", 91),
        ("DELETE FROM events WHERE seq >= 120", 120),
        // The tree node written with seq 100 at level 0 (its leaf): hash 99 of the level-0 tile.
        ("UPDATE tile_edge SET hashes = CAST(substr(hashes, 1, 99 * 32) || zeroblob(32) || substr(hashes, 100 * 32 + 1) AS BLOB) WHERE level = 0", 100),
    ])
    func tamperedLog(sql: String, firstBadSeq: Int64) throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledger(in: temp)
        try ledger.connection.execute("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER tile_edge_grows; " + sql)
        for segments in 1...6 {
            let report = try ledger.verify(segments: segments)
            #expect(!report.ok, "\(segments) segments")
            #expect(report.firstBadSeq == firstBadSeq, "\(segments) segments: \(report.reason ?? "")")
        }
    }
}
