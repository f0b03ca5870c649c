import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import LedgerStore
import Testing

/// Two entry ids that differ only in Unicode normalisation ("é" as U+00E9 and as "e" + U+0301)
/// are two entries on PostgreSQL, as they are on SQLite (Tests/EndToEndTests'
/// NormalisationTests): both engines plan with LedgerDomain's AppendPlanner, keyed by bytes.
/// The expected counts come from the SQLite store run on the same events in the same test.
@Suite("PostgreSQL: ids differing only in normalisation stay two entries", .enabled(if: serverURL != nil, skipReason))
struct PgNormalisationTests {
    static let composed = "N\u{E9}1"
    static let decomposed = "Ne\u{301}1"

    /// The lifecycle start of `entry` (SPEC §3): notice, inclusion, service — service opens
    /// the debtor's R2 windows, one obligation per entry.
    static func lifecycle(_ entry: String) throws -> [Event] {
        let debtor = #"{"kind":"person","name":"测试甲","id_number":"460030198001010105"}"#
        return try [
            #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":\#(debtor)}"#,
            #"{"type":"inclusion_decided","entry":"\#(entry)","at":"2024-03-05T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":\#(debtor),"grounds":["able_but_refuses"],"public":true}"#,
            #"{"type":"decision_served","entry":"\#(entry)","at":"2024-03-06T10:00:00+08:00","actor":"court:baisha"}"#,
        ].map { try Event.decode(jsonLine: Array($0.utf8)) }
    }

    static func bytes(_ ids: [String]) -> [[UInt8]] { ids.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) } }

    @Test("NFC and NFD spellings: two entry rows, two obligations, each entry by its own bytes", arguments: [true, false])
    func twoEntries(oneSubmission: Bool) async throws {
        #expect(Self.composed == Self.decomposed && Array(Self.composed.utf8) != Array(Self.decomposed.utf8))
        let first = try Self.lifecycle(Self.composed), second = try Self.lifecycle(Self.decomposed)
        let expected = Self.bytes([Self.composed, Self.decomposed])

        // The reference: SQLite, the same events at the same clock.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-nfc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try Ledger.create(path: dir.appendingPathComponent("nfc.sqlite").path, profile: "baisha-2018",
                                       court: "court:baisha", now: demoClock)
        _ = try sqlite.append((first + second).enumerated().map { NumberedEvent(line: $0.offset + 1, event: $0.element) }, clock: { demoClock })
        let sqliteEntries = try sqlite.allEntryStates().map(\.entry)
        #expect(Self.bytes(sqliteEntries) == expected)

        let url = try await freshDatabase("nfc")
        let (entries, obligations, each, seqs) = try await PostgresLedger.withLedger(url: url, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            let outcomes = oneSubmission
                ? try await ledger.submit(first + second, to: log)
                : try await ledger.submit(first, to: log) + ledger.submit(second, to: log)
            let entries = try await ledger.states(of: log).map(\.entry)
            let obligations = try await ledger.obligations(of: log, ObligationQuery(asOf: demoClock)).map(\.0.entry)
            var each: [[String]] = []
            for entry in [Self.composed, Self.decomposed] { each.append(try await ledger.states(of: log, entry: entry).map(\.entry)) }
            return (entries, obligations, each, outcomes)
        }
        // Six events appended, none taken for a repeat of the other spelling's.
        #expect(seqs == (1...6).map { Outcome.appended(seq: Int64($0)) })
        #expect(Self.bytes(entries) == expected)
        #expect(entries.count == sqliteEntries.count)
        #expect(Self.bytes(obligations) == expected, "one R2 obligation per entry, as on SQLite")
        #expect(each.map(Self.bytes) == [Self.bytes([Self.composed]), Self.bytes([Self.decomposed])])
    }
}
