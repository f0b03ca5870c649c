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
    /// `events` appended to a new SQLite ledger in one transaction at the fixed clock, with
    /// the seeded salts; the folder holding it (the caller removes it).
    static func sqliteDemo(_ events: [Event]) throws -> (Ledger, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sqlite = try Ledger.create(path: dir.appendingPathComponent("demo.sqlite").path, profile: "baisha-2018",
                                       court: "court:baisha", now: demoClock)
        sqlite.saltSource = seededSalt
        _ = try sqlite.append(events.enumerated().map { NumberedEvent(line: $0.offset + 1, event: $0.element) }, clock: { demoClock })
        return (sqlite, dir)
    }

    @Test("the demo scenario: every event's hash, the head and the tree root equal SQLite's")
    func demoScenarioHashes() async throws {
        let events = try demoEvents()
        // SQLite, one transaction at the fixed clock.
        let (sqlite, dir) = try Self.sqliteDemo(events)
        defer { try? FileManager.default.removeItem(at: dir) }
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

    /// The obligations the PostgreSQL projector serves equal the SQLite store's on the same
    /// events: read from the table after a catch-up, from the table and a tail derived in
    /// memory while the projector lags, and replayed for an instant before the last fact.
    @Test("obligations on the PostgreSQL projection equal SQLite's: caught up, lagging (the tail), and as of the past")
    func projectedObligations() async throws {
        let events = try demoEvents()
        let (sqlite, dir) = try Self.sqliteDemo(events)
        defer { try? FileManager.default.removeItem(at: dir) }
        let later = try [PgServerEngineTests.inclusion("P1", name: "测试丙", id: "460030198001010105"),
                         PgServerEngineTests.inclusion("P2", name: "测试丁", id: "460030198001010113")].map { try Event.decode(jsonLine: Array($0.utf8)) }
        let asOf = instant("2026-11-20T00:00:00+08:00"), past = instant("2020-06-30T23:59:59+08:00")
        var queries: [ObligationQuery] = [ObligationQuery(asOf: asOf), ObligationQuery(asOf: past)]
        for statuses: Set<ObligationStatus> in [[.breached], [.open], [.met, .late], [.closed]] {
            var query = ObligationQuery(asOf: asOf)
            query.statuses = statuses
            queries.append(query)
        }
        var byObligor = ObligationQuery(asOf: asOf)
        byObligor.obligor = "court:baisha"
        var byEntry = ObligationQuery(asOf: asOf)
        byEntry.entry = "(2018)琼9025执37号-符某某"
        var dutiesOnly = ObligationQuery(asOf: asOf)
        dutiesOnly.dutiesOnly = true
        dutiesOnly.statuses = [.open, .breached]
        queries += [byObligor, byEntry, dutiesOnly]
        let asked = queries
        func onSQLite() throws -> [[String]] { try asked.map { try sqlite.obligations($0).map { "\($0.0) \($0.1)" } } }
        let expected = try onSQLite()
        #expect(expected[0].count > 100 && !expected[2].isEmpty, "the demo's obligations, breaches among them")
        _ = try sqlite.append(later.enumerated().map { NumberedEvent(line: $0.offset + 1, event: $0.element) }, clock: { demoClock })
        let expectedLater = try onSQLite()
        #expect(expectedLater[0].count > expected[0].count, "the new entries open duties")

        let url = try await freshDatabase("parity_ob")
        try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            _ = try await ledger.submit(events, to: log)
            func onPostgres(catchingUp: Bool) async throws -> [[String]] {
                var out: [[String]] = []
                for query in asked {
                    out.append(try await ledger.obligations(of: log, query, catchingUp: catchingUp).map { "\($0.0) \($0.1)" })
                }
                return out
            }
            // Nothing projected yet: every entry is the tail.
            #expect(try await ledger.storedObligations(of: log).position == 0)
            #expect(try await onPostgres(catchingUp: false) == expected)
            // Caught up: the table alone.
            #expect(try await onPostgres(catchingUp: true) == expected)
            let stored = try await ledger.storedObligations(of: log)
            #expect(stored.position == Int64(events.count) && stored.obligations.count > 100)
            // Two more events, the projector not run: the table plus the tail of two entries.
            _ = try await ledger.submit(later, to: log)
            #expect(try await ledger.obligationsLag(of: log)?.position == Int64(events.count))
            #expect(try await onPostgres(catchingUp: false) == expectedLater)
            #expect(try await ledger.catchUpObligations(of: log) == 2)
            #expect(try await onPostgres(catchingUp: false) == expectedLater)
            #expect(try await ledger.obligationsLag(of: log) == nil)
        }
    }
}
