import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `append FILE` without `--batch-size` (issue 8): one transaction, all or nothing, read and
/// planned 1,000 lines at a time inside it. Inputs here span several chunks.
struct OneTransactionAppendTests {
    static let bad = #"{"type":"entry_shielded","entry":"NOPE","at":"2025-05-01T10:00:00+08:00","actor":"court:baisha"}"#

    /// A new ledger holding `lines`, and its `verify --json` (its head, to compare with after).
    func ledger(_ label: String, holding lines: [String]) throws -> (Workspace, String) {
        let ws = try Workspace(label)
        try ws.initLedger()
        try ws.append(lines)
        return (ws, try ws.expect(["verify", "--json"]).stdout)
    }

    @Test("2,500 lines in one transaction, then again with 1,200 of them: the seqs and repeats printed as one batch prints them")
    func printsAsOneBatch() throws {
        let ws = try Workspace("onetx")
        defer { ws.remove() }
        try ws.initLedger()
        let lines = noticeLines("O", 2_500)
        let first = try ws.expect(["append", try ws.write("a.jsonl", lines.joined(separator: "\n") + "\n")])
        #expect(first.stdout == "appended 2500 events: seq 1–2500\n")
        // Lines 1–1,200 of the second input repeat stored events (ids O-1300 … O-2499), the
        // rest are new: repeats in every chunk, and an id given twice in the input (line 1,201
        // again at line 2,300, a later chunk) is a repeat of the seq the first took.
        var again = Array(lines[1_299..<2_499]) + noticeLines("P", 1_500)
        again[2_299] = again[1_200]
        let file = try ws.write("b.jsonl", again.joined(separator: "\n") + "\n")
        let json = try jsonObject(ws.expect(["append", "--json", file]).stdout)
        let appended = try #require(json["appended"] as? [Int]), duplicates = try #require(json["duplicates"] as? [[String: Any]])
        #expect(appended == Array(2_501...3_999))
        #expect(duplicates.count == 1_201 && json["repeats"] as? Int == 1_201)
        #expect(duplicates.first?["line"] as? Int == 1 && duplicates.first?["id"] as? String == "O-1300" && duplicates.first?["seq"] as? Int == 1_300)
        #expect(duplicates.last?["line"] as? Int == 2_300 && duplicates.last?["id"] as? String == "P-1" && duplicates.last?["seq"] as? Int == 2_501)
        #expect(try ws.eventCount() == 3_999)
        // The same input again, printed for people: nothing new, the first 50 repeats named.
        let text = try ws.expect(["append", file]).stdout.split(separator: "\n").map(String.init)
        #expect(text.first == "appended nothing")
        #expect(text[1] == #"line 1: id "O-1300" is already stored as seq 1300; not stored again"#)
        #expect(text.count == 1 + 50 + 2 && text[51] == "… and 2650 more" && text[52] == "2700 repeats of stored events, not stored again")
        try ws.expect(["verify"])
    }

    @Test("a line refused by the rules in the last chunk: exit 1, the line named, nothing written")
    func refusalInLastChunk() throws {
        let (ws, head) = try ledger("onetx-refused", holding: noticeLines("E", 3))
        defer { ws.remove() }
        let file = try ws.write("import.jsonl", (noticeLines("F", 2_400) + [Self.bad]).joined(separator: "\n") + "\n")
        let result = try ws.expect(["append", file], status: 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("line 2401") && result.stderr.contains("nothing was written"), "\(result.stderr)")
        #expect(try ws.eventCount() == 3)
        #expect(try ws.sqlInt("SELECT count(*) FROM entries;") == 3)
        #expect(try ws.expect(["verify", "--json"]).stdout == head)
    }

    @Test("a line that does not decode is the error, as when the input was decoded whole first, even after an earlier chunk's line was refused by the rules")
    func decodingErrorsComeFirst() throws {
        let ws = try Workspace("onetx-decode")
        defer { ws.remove() }
        try ws.initLedger()
        var lines = noticeLines("G", 2_400)
        lines[1_499] = Self.bad  // line 1,500 (chunk 2): refused by the rules
        lines[2_299] = #"{"type":"risk_notice_issued","entry":"G-2300""#  // line 2,300 (chunk 3): not JSON
        let result = try ws.expect(["append", try ws.write("import.jsonl", lines.joined(separator: "\n") + "\n")], status: 1)
        #expect(result.stderr.contains("line 2300") && !result.stderr.contains("line 1500"), "\(result.stderr)")
        #expect(try ws.eventCount() == 0)
        // Without the undecodable line, the rules' refusal is the error.
        lines[2_299] = noticeLines("G", 2_300)[2_299]
        let refused = try ws.expect(["append", try ws.write("import2.jsonl", lines.joined(separator: "\n") + "\n")], status: 1)
        #expect(refused.stderr.contains("line 1500") && refused.stderr.contains("nothing was written"), "\(refused.stderr)")
        // A missing ledger with an undecodable line: the line, as before (the input first).
        lines[2_299] = "{"
        let missing = try runProgram(try binary(), ["append", try ws.write("import3.jsonl", lines.joined(separator: "\n") + "\n"), "--db", ws.path("absent.sqlite")], in: ws.dir)
        #expect(missing.status == 1 && missing.stderr.contains("line 2300"), "\(missing)")
    }

    @Test("kill -9 while the one transaction is being written (its pages already in the WAL, nothing printed): the ledger is as before")
    func killNineMidway() throws {
        let (ws, head) = try ledger("onetx-kill", holding: noticeLines("H", 5))
        defer { ws.remove() }
        let wal = ws.db + "-wal"
        func walSize() -> Int { ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int) ?? 0 }
        let walBefore = walSize()
        let file = try ws.write("big.jsonl", noticeLines("J", 60_000).joined(separator: "\n") + "\n")
        let writer = try Launched(try binary(), ["append", file, "--db", ws.db], in: ws.dir)
        try writer.start()
        // SQLite's page cache (2 MB) spills the transaction's pages to the WAL as chunks are
        // written: 8 MB more than before means several chunks are in it, uncommitted.
        let deadline = Date().addingTimeInterval(120)
        while walSize() < walBefore + (8 << 20) && writer.process.isRunning && Date() < deadline { usleep(5_000) }
        let wasRunning = writer.process.isRunning
        writer.kill9()
        #expect(wasRunning, "the append ended before the WAL grew by 8 MB: \(writer.stderr)")
        #expect(writer.stdout.isEmpty, "printed before COMMIT: \(writer.stdout.prefix(200))")
        #expect(try ws.eventCount() == 5)
        #expect(try ws.expect(["verify", "--json"]).stdout == head)
        try ws.append(noticeLines("K", 2))
        #expect(try ws.eventCount() == 7)
    }

    @Test("memory does not grow with the input: one transaction of 30,000 events peaks within 30 MB of one of 3,000 (main: ~95 MB more)")
    func constantMemory() throws {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            Issue.record("\(time) is missing (apt-get install -y time): it measures the peak")
            return
        }
        /// The append's maximum resident set, in KB.
        func peak(_ count: Int, _ prefix: String) throws -> Int {
            let ws = try Workspace("onetx-memory")
            defer { ws.remove() }
            try ws.initLedger()
            let file = try ws.write("in.jsonl", noticeLines(prefix, count).joined(separator: "\n") + "\n")
            let measured = ws.path("rss")
            let result = try runProgram(time, ["-f", "%M", "-o", measured, try binary(), "append", file, "--db", ws.db], in: ws.dir)
            #expect(result.status == 0 && result.stdout.hasPrefix("appended \(count) events"), "\(result)")
            return Int(try String(contentsOfFile: measured, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let small = try peak(3_000, "M"), large = try peak(30_000, "N")
        #expect(small > 0 && large - small < 30_000, "3,000 events: \(small) KB, 30,000 events: \(large) KB")
    }
}
