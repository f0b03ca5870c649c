import Foundation
import TestSupport
import Testing

/// Malformed option values are a malformed command line: the argument parser refuses them with
/// exit 64 and a message naming the option, before anything is opened or written (SPEC §5).
@Suite("Option values checked by the parser")
struct OptionValueTests {
    @Test("a malformed option value exits 64 naming the option", arguments: [
        (["report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "xml"], "--format"),
        (["report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "JSON"], "--format"),
        (["obligations", "--status", "overdue"], "--status"),
        (["obligations", "--status", ""], "--status"),
        (["alerts", "--due-within", "3"], "--due-within"),
        (["alerts", "--due-within", "xd"], "--due-within"),
        (["alerts", "--due-within", "99999999999999999999d"], "--due-within"),
        (["alerts", "--interval", "0s"], "--interval"),
        (["alerts", "--interval", "5x"], "--interval"),
        (["append", "--batch-size", "0", "x.jsonl"], "--batch-size"),
        (["append", "--batch-size", "1.5", "x.jsonl"], "--batch-size"),
    ])
    func malformedValue(_ arguments: [String], option: String) throws {
        let ws = try Workspace("option-64")
        defer { ws.remove() }
        try ws.initLedger()
        let file = try ws.write("x.jsonl", Ev.notice("OV-1") + "\n")
        let result = try ws.ll(arguments.map { $0 == "x.jsonl" ? file : $0 })
        #expect(result.status == 64, "\(arguments): \(result)")
        #expect(result.stderr.contains(option), "\(arguments): the message does not name \(option): \(result.stderr)")
        #expect(try ws.eventCount() == 0)
    }

    @Test("the accepted forms still work")
    func acceptedValues() throws {
        let ws = try Workspace("option-ok")
        defer { ws.remove() }
        try ws.initLedger()
        let file = try ws.write("x.jsonl", noticeLines("OK", 3).joined(separator: "\n") + "\n")
        try ws.expect(["append", "--batch-size", "2", file])
        #expect(try ws.eventCount() == 3)
        for status in ["open", "met", "late", "breached", "closed", "all"] { try ws.expect(["obligations", "--status", status, "--json"]) }
        for format in ["md", "json", "html"] { try ws.expect(["report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", format]) }
        try ws.expect(["alerts", "--due-within", "0d", "--interval", "2h", "--json"])
    }
}
