import Foundation
import TestSupport
import Testing

@Suite("Concurrent appenders")
struct ConcurrencyTests {
    @Test("two processes appending 500 events each: 1,000 events, gapless seqs, verify ok")
    func twoWriters() throws {
        let ws = try Workspace("concurrent")
        defer { ws.remove() }
        try ws.initLedger()
        let fileA = try ws.write("a.jsonl", noticeLines("CA", 500).joined(separator: "\n") + "\n")
        let fileB = try ws.write("b.jsonl", noticeLines("CB", 500).joined(separator: "\n") + "\n")
        let bin = try binary()
        let a = try Launched(bin, ["append", "--batch-size", "5", fileA, "--db", ws.db], in: ws.dir)
        let b = try Launched(bin, ["append", "--batch-size", "5", fileB, "--db", ws.db], in: ws.dir)
        try a.start()
        try b.start()
        let statusA = a.wait(), statusB = b.wait()
        #expect(statusA == 0, "writer A: \(a.stderr)")
        #expect(statusB == 0, "writer B: \(b.stderr)")

        let seqsA = printedSeqs(a.stdout), seqsB = printedSeqs(b.stdout)
        #expect(seqsA.count == 500 && seqsB.count == 500)
        #expect(Set(seqsA).isDisjoint(with: Set(seqsB)), "both writers were given the same seq")
        #expect(Set(seqsA).union(seqsB) == Set(1...1000))
        #expect(seqsA == seqsA.sorted() && seqsB == seqsB.sorted())

        #expect(try ws.sql("SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM events;").stdout
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "1000|1|1000|1000")
        // Each writer's events are where its output says.
        #expect(try ws.sqlInt("SELECT count(*) FROM events WHERE id LIKE 'CA-%';") == 500)
        let aSeqsInDB = try ws.sql("SELECT seq FROM events WHERE id LIKE 'CA-%' ORDER BY seq;").stdout.split(separator: "\n").compactMap { Int($0) }
        #expect(aSeqsInDB == seqsA)
        // Within a writer, input order is kept.
        let order = try ws.sql("SELECT id FROM events WHERE id LIKE 'CA-%' ORDER BY seq;").stdout.split(separator: "\n").map(String.init)
        #expect(order == (1...500).map { "CA-\($0)" })
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["ok"] as? Bool == true && report["events"] as? Int == 1000, "\(raw)")
        #expect(try ws.sqlInt("SELECT count(*) FROM entries;") == 1000)
    }
}
