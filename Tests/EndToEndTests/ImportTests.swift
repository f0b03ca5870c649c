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
        // Issue 9 point 14 (exit 1 and "nothing was written" before): exit 5, exactly what landed.
        let result = try ws.expect(["append", "--batch-size", "2", file], status: 5)
        #expect(result.stdout.contains("seq 1 2") && result.stdout.contains("seq 3 4"))
        #expect(result.stderr.contains("line 5") && result.stderr.contains("lines 1–4 were appended in earlier batches as seq 1–4"))
        #expect(!result.stderr.contains("nothing was written"))
        #expect(try ws.eventCount() == 4)
        try ws.expect(["verify"])
    }

    /// SPEC §3 "Repeats" (issue 9 point 10): the demo has no ids; re-running its import used
    /// to double every event (three R2 windows for one service).
    @Test func appendingTheDemoTwiceLeavesTheLogUnchangedAndCountsTheRepeats() throws {
        let ws = try Workspace("repeats")
        defer { ws.remove() }
        try ws.initLedger()
        let demo = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
        try ws.expect(["append", demo])
        let head = try ws.expect(["verify", "--json"]).stdout
        let again = try ws.expect(["append", demo])
        #expect(again.stdout.contains("appended nothing"))
        #expect(again.stdout.contains("375 repeats of stored events, not stored again"))
        #expect(try ws.eventCount() == 375)
        #expect(try ws.expect(["verify", "--json"]).stdout == head)
        let json = try ws.expect(["append", "--json", demo]).stdout
        #expect(json.contains(#""repeats":375"#))
        // Two equal lines in one input are one fact too.
        let twice = try ws.write("twice.jsonl", Self.lines[0] + "\n" + Self.lines[0].replacingOccurrences(of: "\"I1\"", with: "\"I2\"") + "\n" + Self.lines[0].replacingOccurrences(of: "\"I1\"", with: "\"I2\"") + "\n")
        let result = try ws.expect(["append", twice])
        #expect(result.stdout.contains("appended 2 events") && result.stdout.contains("1 repeat of stored events"))
    }
}
