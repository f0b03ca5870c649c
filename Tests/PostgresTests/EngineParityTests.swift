import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerStore
import Testing

/// The demo scenario imported into SQLite and into PostgreSQL with the same clock and salts
/// gives the same bytes: the same hash for every event, the same head and the same root.
/// The expected values come from the SQLite store (the engine the audit tools were checked
/// against), not from the code under test.
@Suite("PostgreSQL: same bytes and hashes as SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgEngineParityTests {
    @Test("the demo scenario: every event's hash, the head and the tree root equal SQLite's")
    func demoScenarioHashes() async throws {
        let events = try demoEvents()
        // SQLite, one transaction at the fixed clock.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try Ledger.create(path: dir.appendingPathComponent("demo.sqlite").path, profile: "baisha-2018",
                                       court: "court:baisha", now: demoClock)
        sqlite.saltSource = seededSalt
        _ = try sqlite.append(events.enumerated().map { NumberedEvent(line: $0.offset + 1, event: $0.element) }, clock: { demoClock })
        var expected: [(Int64, [UInt8])] = []
        try sqlite.forEachEvent { expected.append(($0.seq, $0.hash)) }
        let sqliteVerify = try sqlite.verify()
        #expect(sqliteVerify.ok)

        let url = try await freshDatabase("parity")
        let (hashes, head, root, report) = try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            let outcomes = try await ledger.submit(events, to: log)
            #expect(outcomes.map(\.seq) == Array(1...Int64(events.count)))
            var hashes: [(Int64, [UInt8])] = []
            try await ledger.forEachEvent(of: log) { hashes.append(($0.seq, $0.hash)) }
            let head = try await ledger.head(of: log)
            return (hashes, head, try await ledger.treeHash(of: log, size: head.size), try await ledger.verify(log: log))
        }
        #expect(hashes.count == events.count)
        #expect(hashes.map(\.0) == expected.map(\.0))
        #expect(hashes.map(\.1) == expected.map(\.1))
        #expect(head.hash == expected.last!.1)
        #expect(root == sqliteVerify.root)
        #expect(report.ok, "\(report)")
        #expect(report.events == Int64(events.count))
    }
}
