import Foundation
import TestSupport
import Testing

/// `verify` and `checkpoint` while another process appends (issue 8): they read the head and
/// "nothing lies beyond it" in one snapshot, so rows committed meanwhile are not tampering.
@Suite("Verify under write load")
struct VerifyUnderLoadTests {
    @Test("20 verifies and 3 checkpoints while a writer commits every few ms: all succeed")
    func verifiesWhileAppending() throws {
        let ws = try Workspace("verify-load")
        defer { ws.remove() }
        try ws.expect(["init", "--court", "court:baisha"])
        try ws.expect(["keys", "init"])
        // One commit per event: the writer commits continuously for much longer than the loop.
        let file = try ws.write("load.jsonl", noticeLines("LOAD", 30_000).joined(separator: "\n") + "\n")
        let writer = try Launched(try binary(), ["append", "--batch-size", "1", file, "--db", ws.db], in: ws.dir)
        try writer.start()
        defer { if writer.process.isRunning { writer.kill9() } }
        // Wait for the first commit, so every verify below runs against a growing log.
        for _ in 0..<200 where (try? ws.eventCount()) ?? 0 == 0 { usleep(20_000) }

        var sizes: [Int] = []
        for round in 1...20 {
            let (status, report, raw) = try ws.verify()
            #expect(status == 0 && report["ok"] as? Bool == true, "verify \(round) under load: \(raw)")
            sizes.append(report["events"] as? Int ?? -1)
            if round % 7 == 0 {
                let signed = try ws.ll(["checkpoint", "--json"])
                #expect(signed.status == 0, "checkpoint \(round / 7) under load: \(signed)")
            }
        }
        // The log really grew while the verifies ran (otherwise this tested nothing).
        #expect(writer.process.isRunning, "the writer finished before the verifies: make its input longer")
        #expect(sizes.first! < sizes.last!, "sizes seen: \(sizes)")
        writer.kill9()
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["ok"] as? Bool == true, "after the writer was killed: \(raw)")
    }
}
