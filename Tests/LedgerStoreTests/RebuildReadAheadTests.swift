import LedgerDomain
import LedgerStore
import Testing

/// `rebuild` reads and decodes the log on a second thread, handing chunks of 512 events over
/// (Ledger+Rebuild.swift): across several chunks the tables must be what the appends left, and
/// an unreadable event must still fail the rebuild with nothing changed.
@Suite struct RebuildReadAheadTests {
    static let fixed = clock("2025-06-01T00:00:00Z")

    /// 1,300 entries (three chunks) with a notice each and an inclusion for every fifth.
    func ledgerOfThreeChunks(_ temp: TempLedger) throws -> Ledger {
        let ledger = try temp.create()
        var lines: [String] = []
        for n in 1...1_300 {
            lines.append(notice("R\(n)", id: "r\(n)"))
            if n.isMultiple(of: 5) { lines.append(inclusion("R\(n)")) }
        }
        _ = try ledger.append(try events(lines), clock: { Self.fixed })
        try ledger.catchUpObligations()
        return ledger
    }

    func tables(_ ledger: Ledger) throws -> [[SQLValue]] {
        var out: [[SQLValue]] = []
        for (sql, columns) in [("SELECT * FROM entries ORDER BY entry", Int32(6)), ("SELECT * FROM obligations ORDER BY id", 13),
                               ("SELECT * FROM projector_positions ORDER BY name", 2)] {
            let statement = try ledger.connection.statement(sql)
            while try statement.step() { out.append(statement.values(count: columns)) }
        }
        return out
    }

    @Test("a rebuild over several read-ahead chunks gives the tables the appends and the projector left")
    func severalChunks() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledgerOfThreeChunks(temp)
        let before = try tables(ledger)
        #expect(before.count > 1_560)
        try ledger.rebuild()
        #expect(try tables(ledger) == before)
    }

    @Test("an unreadable event in the third chunk fails the rebuild as before; the tables stay as they were")
    func unreadableEvent() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledgerOfThreeChunks(temp)
        let before = try tables(ledger)
        // The log refuses updates by trigger; the test plays the tamperer.
        try ledger.connection.execute("DROP TRIGGER events_no_update")
        try ledger.connection.execute("UPDATE events SET canonical = CAST('{not json' AS BLOB) WHERE seq = 1400")
        do {
            try ledger.rebuild()
            Issue.record("the rebuild of a ledger with an unreadable event succeeded")
        } catch let error as LedgerError {
            #expect("\(error)".contains("a stored event cannot be read"), "\(error)")
        }
        #expect(try tables(ledger) == before)
    }
}
