import Foundation
import TestSupport
import Testing

/// Issue 8 point 5: entry ids are compared as bytes. "é" as U+00E9 and as "e" + U+0301 are
/// equal Swift `String`s (canonical equivalence) but different UTF-8, and SQLite keeps them as
/// two rows; so the ledger holds two entries, in one batch or two, before and after `rebuild`.
struct NormalisationTests {
    static let composed = "N\u{E9}1"
    static let decomposed = "Ne\u{301}1"

    /// The lifecycle start of `entry` as JSON lines written by hand (no Foundation serialiser
    /// between the bytes and the file, so neither form is normalised on the way).
    static func lines(_ entry: String) -> [String] {
        let debtor = #"{"kind":"person","name":"测试甲","id_number":"460030198001010105"}"#
        return [
            #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":\#(debtor)}"#,
            #"{"type":"inclusion_decided","entry":"\#(entry)","at":"2024-03-05T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":\#(debtor),"grounds":["able_but_refuses"],"public":true}"#,
            // Service opens the debtor's windows (R2): one obligation per entry.
            #"{"type":"decision_served","entry":"\#(entry)","at":"2024-03-06T10:00:00+08:00","actor":"court:baisha"}"#,
        ]
    }

    static func entryBytes(_ object: [String: Any], _ list: String) -> [[UInt8]] {
        ((object[list] as? [[String: Any]]) ?? []).compactMap { ($0["entry"] as? String).map { Array($0.utf8) } }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test("two ids differing only in normalisation stay two entries", arguments: [true, false])
    func twoEntries(oneBatch: Bool) throws {
        #expect(Self.composed == Self.decomposed && Array(Self.composed.utf8) != Array(Self.decomposed.utf8))
        // The reference: the same two lifecycles under ids that differ plainly.
        let plain = try Workspace("nfc-plain")
        defer { plain.remove() }
        try plain.initLedger()
        try plain.append(Self.lines("A1") + Self.lines("B1"))
        let plainObligations = try jsonObject(try plain.expect(["obligations", "--json"]).stdout)
        let perLedger = (plainObligations["obligations"] as? [Any])?.count ?? 0
        #expect(perLedger == 2)

        let ws = try Workspace("nfc")
        defer { ws.remove() }
        try ws.initLedger()
        if oneBatch {
            try ws.append(Self.lines(Self.composed) + Self.lines(Self.decomposed))
        } else {
            try ws.append(Self.lines(Self.composed))
            try ws.append(Self.lines(Self.decomposed))
        }
        let expected = [Array(Self.composed.utf8), Array(Self.decomposed.utf8)].sorted { $0.lexicographicallyPrecedes($1) }
        // SQLite compares bytes: two rows.
        #expect(try ws.sqlInt("SELECT count(*) FROM entries;") == 2)
        for pass in ["after append", "after rebuild"] {
            let state = try jsonObject(try ws.expect(["state", "--json"]).stdout)
            #expect(Self.entryBytes(state, "entries") == expected, "\(pass)")
            let obligations = try jsonObject(try ws.expect(["obligations", "--json"]).stdout)
            #expect((obligations["obligations"] as? [Any])?.count == perLedger, "\(pass)")
            #expect(Set(Self.entryBytes(obligations, "obligations")) == Set(expected), "\(pass)")
            // Each entry alone, by its own bytes.
            for entry in [Self.composed, Self.decomposed] {
                let one = try jsonObject(try ws.expect(["state", "--json", "--entry", entry]).stdout)
                #expect(Self.entryBytes(one, "entries") == [Array(entry.utf8)], "\(pass)")
            }
            // As of a past instant the log is replayed (another code path, keyed the same way).
            let past = try jsonObject(try ws.expect(["state", "--json", "--as-of", "2024-03-10"]).stdout)
            #expect(Self.entryBytes(past, "entries") == expected, "\(pass)")
            try ws.expect(["rebuild"])
        }
        try ws.expect(["verify"])
    }
}
