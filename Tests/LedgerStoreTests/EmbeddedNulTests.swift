import Foundation
import LedgerDomain
import LedgerStore
import TestSupport
import Testing

/// JSON allows U+0000 inside strings. Ids that differ only after one must stay different
/// entries and complaints once stored (SQLite text bound by length, not as a C string).
struct EmbeddedNulTests {
    @Test func entriesDifferingAfterANulStayApart() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let first = #"{"type":"inclusion_decided","entry":"E\u0000A","at":"2024-03-05T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"c1","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"},"grounds":["evasion"],"public":true}"#
        let second = first.replacingOccurrences(of: #"E\u0000A"#, with: #"E\u0000B"#)
        _ = try ledger.append(try events([first, second]), clock: { clock("2025-01-02T00:00:00Z") })
        let states = try ledger.allEntryStates()
        #expect(states.map(\.entry).sorted() == ["E\u{0}A", "E\u{0}B"])
        #expect(try ledger.storedEntryState("E\u{0}B")?.entry == "E\u{0}B")
        #expect(try ledger.storedEntryState("E") == nil)
        // A complaint about the second is another complaint than one about the first.
        let complaint = #"{"type":"complaint_received","complaint":"C\u0000X","at":"2024-03-06T10:00:00+08:00","actor":"court:baisha"}"#
        _ = try ledger.append(try events([complaint, complaint.replacingOccurrences(of: #"C\u0000X"#, with: #"C\u0000Y"#)]), clock: { clock("2025-01-02T00:00:00Z") })
        #expect(try ledger.verify().ok)
    }
}
