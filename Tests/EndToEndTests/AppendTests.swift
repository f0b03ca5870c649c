import Foundation
import TestSupport
import Testing

@Suite("append: idempotency keys and all-or-nothing")
struct AppendTests {
    @Test("the same id twice is stored once and reported as a duplicate with its seq")
    func idempotent() throws {
        let ws = try Workspace("idem")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("A1"), Ev.inclusion("A1")])
        let event = Ev.simple("decision_served", "A1", "2024-03-06T10:00:00+08:00", id: "serve-A1")
        let first = try ws.append([event])
        #expect(first.stdout.contains("appended 1 event: seq 3"), "\(first)")
        #expect(try ws.eventCount() == 3)

        // Again, alone: nothing stored, the duplicate named with its seq.
        let second = try ws.append([event])
        #expect(second.stdout.contains("id \"serve-A1\" is already stored as seq 3"), "\(second)")
        #expect(!second.stdout.contains("appended 1"), "\(second)")
        #expect(try ws.eventCount() == 3)

        // Again, among new events, machine output: the new one appended, the old one a duplicate.
        let file = try ws.write("mixed.jsonl", [Ev.simple("entry_published", "A1", "2024-03-07T10:00:00+08:00"), event].joined(separator: "\n") + "\n")
        let third = try ws.expect(["append", "--json", file])
        let report = try jsonObject(third.stdout)
        #expect(report["appended"] as? [Int] == [4], "\(third)")
        let duplicates = report["duplicates"] as? [[String: Any]] ?? []
        #expect(duplicates.count == 1)
        #expect(duplicates.first?["seq"] as? Int == 3)
        #expect(duplicates.first?["id"] as? String == "serve-A1")
        #expect(duplicates.first?["line"] as? Int == 2)
        #expect(try ws.eventCount() == 4)

        // The same id twice in one input: stored once.
        let twice = Ev.simple("pushed_to_unit", "A1", "2024-03-08T10:00:00+08:00", id: "push-A1", ["unit": Ev.pboc])
        let fourth = try ws.append([twice, twice])
        #expect(fourth.stdout.contains("appended 1 event: seq 5"), "\(fourth)")
        #expect(fourth.stdout.contains("line 2: id \"push-A1\" is already stored as seq 5"), "\(fourth)")
        #expect(try ws.eventCount() == 5)
        #expect(try ws.sqlInt("SELECT count(*) FROM events WHERE id = 'push-A1';") == 1)
        let (status, _, raw) = try ws.verify()
        #expect(status == 0, "\(raw)")
    }

    @Test("the same id with different content is refused, naming the id field, nothing written")
    func sameIdDifferentContent() throws {
        let ws = try Workspace("idem-diff")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("A1"), Ev.inclusion("A1"),
                       Ev.simple("decision_served", "A1", "2024-03-06T10:00:00+08:00", id: "k1")])
        let variants = [
            Ev.simple("decision_served", "A1", "2024-03-06T11:00:00+08:00", id: "k1"),   // another at
            Ev.simple("decision_served", "A1", "2024-03-06T02:00:00Z", id: "k1"),        // same instant, other offset: other bytes
            Ev.simple("entry_published", "A1", "2024-03-06T10:00:00+08:00", id: "k1"),   // another type
        ]
        for variant in variants {
            let before = try ws.eventCount()
            let file = try ws.write("variant.jsonl", [Ev.simple("entry_published", "A1", "2024-03-07T10:00:00+08:00"), variant].joined(separator: "\n") + "\n")
            let result = try ws.ll(["append", file])
            #expect(result.status == 1, "\(variant): \(result)")
            #expect(result.stderr.contains("line 2"), "\(result)")
            #expect(result.stderr.contains("field \"id\""), "\(result)")
            #expect(result.stderr.contains("seq 3"), "the refusal should name the seq holding the id: \(result)")
            #expect(try ws.eventCount() == before)
        }
    }

    @Test("a bad line 500 of 1,000 leaves the log unchanged and is named")
    func allOrNothing() throws {
        let ws = try Workspace("atomic")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("BASE")])
        let headBefore = try ws.sql("SELECT size, hex(hash), recorded_ms FROM head;").stdout
        let treeBefore = try ws.sqlInt("SELECT coalesce(sum(length(hashes)), 0) FROM (SELECT hashes FROM tiles UNION ALL SELECT hashes FROM tile_edge);")
        let entriesBefore = try ws.sqlInt("SELECT count(*) FROM entries;")
        var lines = noticeLines("AON", 1_000)
        // Line 500: an event for an entry nobody created (valid JSON, valid fields).
        lines[499] = Ev.simple("decision_served", "NOWHERE", "2024-03-06T10:00:00+08:00")
        let file = try ws.write("thousand.jsonl", lines.joined(separator: "\n") + "\n")
        let result = try ws.ll(["append", file])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("line 500"), "\(result)")
        #expect(result.stderr.contains("field \"entry\""), "\(result)")
        #expect(try ws.eventCount() == 1)
        #expect(try ws.sql("SELECT size, hex(hash), recorded_ms FROM head;").stdout == headBefore)
        #expect(try ws.sqlInt("SELECT coalesce(sum(length(hashes)), 0) FROM (SELECT hashes FROM tiles UNION ALL SELECT hashes FROM tile_edge);") == treeBefore)
        #expect(try ws.sqlInt("SELECT count(*) FROM entries;") == entriesBefore)

        // Line 500 malformed instead (refused while reading, before the ledger is touched).
        lines[499] = #"{"type":"risk_notice_issued","#
        let file2 = try ws.write("thousand2.jsonl", lines.joined(separator: "\n") + "\n")
        let result2 = try ws.ll(["append", file2])
        #expect(result2.status == 1 && result2.stderr.contains("line 500"), "\(result2)")
        #expect(try ws.eventCount() == 1)

        // Fixed, the same 1,000 lines go in at once, seqs 2…1001.
        lines[499] = Ev.notice("AON-500-fixed")
        let file3 = try ws.write("thousand3.jsonl", lines.joined(separator: "\n") + "\n")
        let result3 = try ws.expect(["append", file3])
        #expect(printedSeqs(result3.stdout) == Array(2...1001), "\(result3.stdout)")
        #expect(try ws.eventCount() == 1001)
        let (status, report, raw) = try ws.verify()
        #expect(status == 0 && report["events"] as? Int == 1001, "\(raw)")
    }

    @Test("standard input works like a file")
    func standardInput() throws {
        let ws = try Workspace("stdin")
        defer { ws.remove() }
        try ws.initLedger()
        let result = try ws.expect(["append", "-"], stdin: [Ev.notice("S1"), Ev.inclusion("S1")].joined(separator: "\n"))
        #expect(result.stdout.contains("appended 2 events: seq 1 2"), "\(result)")
        let bad = try ws.ll(["append", "-"], stdin: "\n\n{}\n")
        #expect(bad.status == 1 && bad.stderr.contains("line 3"), "\(bad)")
        #expect(try ws.eventCount() == 2)
    }
}
