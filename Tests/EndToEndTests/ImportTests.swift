import Foundation
import TestSupport
import Testing

/// Large imports: `append --batch-size` streams its input and commits batch by batch.
struct ImportTests {
    static let lines = [
        #"{"type":"risk_notice_issued","entry":"I1","at":"2025-04-01T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"c","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"}}"#,
        #"{"type":"inclusion_decided","entry":"I1","at":"2025-04-10T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"c","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"},"grounds":["evasion"],"public":true}"#,
        #"{"type":"decision_served","entry":"I1","at":"2025-04-11T10:00:00+08:00","actor":"court:baisha"}"#,
        #"{"type":"entry_published","entry":"I1","at":"2025-04-11T15:00:00+08:00","actor":"court:baisha"}"#,
    ]

    @Test("a UTF-8 byte-order mark before the first line is accepted", arguments: [[], ["--batch-size", "3"]])
    func byteOrderMark(options: [String]) throws {
        let ws = try Workspace("bom")
        defer { ws.remove() }
        try ws.initLedger()
        let file = ws.path("bom.jsonl")
        try Data([0xEF, 0xBB, 0xBF] + Array((Self.lines.joined(separator: "\r\n") + "\r\n").utf8)).write(to: URL(fileURLWithPath: file))
        try ws.expect(["append", file] + options)
        #expect(try ws.eventCount() == 4)
    }

    @Test func aRefusedLineInALaterBatchKeepsTheEarlierBatchesAndSaysSo() throws {
        let ws = try Workspace("batches")
        defer { ws.remove() }
        try ws.initLedger()
        let bad = #"{"type":"entry_shielded","entry":"NOPE","at":"2025-05-01T10:00:00+08:00","actor":"court:baisha"}"#
        let file = try ws.write("import.jsonl", (Self.lines + [bad]).joined(separator: "\n") + "\n")
        let result = try ws.expect(["append", "--batch-size", "2", file], status: 1)
        #expect(result.stdout.contains("seq 1 2") && result.stdout.contains("seq 3 4"))
        #expect(result.stderr.contains("line 5") && result.stderr.contains("lines 1–4 were appended"))
        #expect(try ws.eventCount() == 4)
        try ws.expect(["verify"])
    }
}
