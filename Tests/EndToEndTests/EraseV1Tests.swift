import Foundation
import TestSupport
import Testing

/// SPEC §7 and docs/auditing.md "Erasure": a v1 entry's values are inside the hashed log, so
/// erase refuses it (exit 1, nothing written) rather than claim an erasure it cannot make.
@Suite("erase and encoding v1")
struct EraseV1Tests {
    @Test("a shielded entry recorded in v1 is refused by erase, naming the v1 seq; v1 and v2 events then verify side by side")
    func v1Refused() throws {
        let ws = try Workspace("erase-v1")
        defer { ws.remove() }
        try FileManager.default.copyItem(atPath: repositoryRoot.appendingPathComponent("Fixtures/ledgers/release-99e12aa.ledger").path, toPath: ws.db)
        try ws.append([Ev.notice("V2-1", id: "v2-1")])  // a v2 event after 99 v1 events
        let before = try ws.eventCount()
        let refused = try ws.expect(["erase", "--entry", "BS2024-006", "--reason", "purpose served"], status: 1)
        #expect(refused.stderr.contains("encoding v1") && refused.stderr.contains("nothing was erased"), "\(refused.stderr)")
        #expect(try ws.eventCount() == before)
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["ok"] as? Bool == true, "\(raw)")
        let history = try ws.expect(["history", "--entry", "V2-1", "--json"]).stdout
        #expect(history.contains("\"v\":2") && history.contains("测试甲"))
        let old = try ws.expect(["history", "--entry", "BS2024-006", "--json"]).stdout
        #expect(old.contains("\"v\":1"))
    }
}
