import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerStore
import Testing

/// `SharedLedger`: many concurrent submitters through one writer that groups commits.
struct SharedLedgerTests {
    static let fixed = clock("2025-01-02T00:00:00Z")

    /// Two new ledgers whose salts come from one seeded source (salts are random, SPEC §7; the
    /// tests compare the two ledgers' bytes): `body(grouped, plain)`.
    func withSeededPair(_ body: (Ledger, Ledger) throws -> Void) throws {
        let temp = try TempLedger(), other = try TempLedger()
        defer { temp.remove(); other.remove() }
        let grouped = try temp.create(), plain = try other.create()
        let seeded: @Sendable (Int64, String) -> [UInt8] = { seq, path in SHA256.hash(Array("salt/\(seq)/\(path)".utf8)) }
        grouped.saltSource = seeded
        plain.saltSource = seeded
        try body(grouped, plain)
    }

    /// Every row of a projection table, as text (order fixed by its key).
    func rows(_ ledger: Ledger, _ table: String, orderBy: String, columns: Int32) throws -> [[SQLValue]] {
        let statement = try ledger.connection.statement("SELECT * FROM \(table) ORDER BY \(orderBy)")
        var out: [[SQLValue]] = []
        while try statement.step() { out.append(statement.values(count: columns)) }  // ends at SQLITE_DONE, which resets
        return out
    }

    @Test("32 concurrent submitters × 8 single-event batches: all acknowledged, seqs distinct and gapless")
    func concurrentSubmitters() async throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        _ = try temp.create()
        let shared = try SharedLedger(path: temp.path, clock: { Self.fixed })
        let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for submitter in 0..<32 {
                group.addTask {
                    var mine: [Int64] = []
                    for n in 0..<8 {
                        let outcomes = try await shared.append(Array(notice("C\(submitter)-\(n)").utf8))
                        guard case .appended(let seq) = outcomes.first, outcomes.count == 1 else { throw LedgerError.integrity("not appended: \(outcomes)") }
                        mine.append(seq)
                    }
                    // One submitter's batches are stored in the order it submitted them.
                    #expect(mine == mine.sorted())
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(seqs.count == 256 && Set(seqs) == Set(1...256))
        let report = try await shared.read { try $0.verify() }
        #expect(report.ok && report.events == 256)
        // A read sees every acknowledged append (read-your-writes).
        #expect(try await shared.read { try $0.connection.scalarInt("SELECT count(*) FROM entries") } == 256)
    }

    @Test("one refused batch among concurrent good ones fails alone")
    func badBatchFailsAlone() async throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        _ = try temp.create()
        let shared = try SharedLedger(path: temp.path, clock: { Self.fixed })
        // decision_served for an entry nobody noticed: the rules refuse it.
        let bad = simple("decision_served", "NOBODY", at: "2024-03-06T10:00:00+08:00")
        let results = await withTaskGroup(of: (Int, Result<[AppendOutcome], any Error>).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let line = index == 11 ? notice("OK-A") + "\n" + bad : notice("OK-\(index)")
                    do { return (index, .success(try await shared.append(Array(line.utf8)))) } catch { return (index, .failure(error)) }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (index, result) in results {
            switch result {
            case .success(let outcomes): #expect(index != 11 && outcomes.count == 1)
            case .failure(let error):
                #expect(index == 11)
                guard case LedgerError.input(let input) = error else { Issue.record("not an input error: \(error)"); continue }
                #expect(input.description.contains("line 2"), "\(input)")
            }
        }
        let stored = try await shared.read { ledger in
            (try ledger.connection.scalarInt("SELECT count(*) FROM events") ?? -1,
             try ledger.connection.scalarInt("SELECT count(*) FROM events WHERE entry = 'OK-A'") ?? -1,
             try ledger.verify().ok)
        }
        #expect(stored.0 == 23 && stored.1 == 0 && stored.2)
    }

    @Test("one group, savepoints: a refused batch rolls back alone; projections equal one-by-one appends")
    func savepointsAndCaches() throws {
        try withSeededPair { grouped, plain in
            let first = try events([notice("G1", id: "n1")])
            let refused = try events([inclusion("G1"), simple("decision_served", "NOBODY", at: "2024-03-06T10:00:00+08:00")])
            let second = try events([inclusion("G1")])
            let repeated = try events([notice("G1", id: "n1")])
            let later = try events([simple("decision_served", "G1", at: "2024-03-06T10:00:00+08:00")])
            guard case .success(let results) = grouped.appendGroup([first, refused, second, repeated], clock: { Self.fixed }) else {
                Issue.record("the group failed as a whole")
                return
            }
            #expect(try results[0].get() == [.appended(seq: 1)])
            #expect((try? results[1].get()) == nil)
            // The refused batch's seqs are given to the next batch: no gap.
            #expect(try results[2].get() == [.appended(seq: 2)])
            #expect(try results[3].get() == [.duplicate(seq: 1)])
            // A later append uses the entry histories the group left in memory.
            #expect(try grouped.append(later, clock: { Self.fixed }) == [.appended(seq: 3)])
            for batch in [first, second, later] { _ = try plain.append(batch, clock: { Self.fixed }) }
            // (Both ledgers draw salts from the same seeded source, set above, so their bytes can be compared.)
            // Appends leave obligations to the projector: catch both up, or the comparison below
            // would hold two empty tables.
            try grouped.catchUpObligations()
            try plain.catchUpObligations()
            #expect(try grouped.connection.scalarInt("SELECT count(*) FROM obligations") ?? 0 > 0)
            for (table, key, columns) in [("entries", "entry", Int32(6)), ("obligations", "id", 13), ("events", "seq", 9), ("tiles", "level, idx", 3), ("tile_edge", "level", 3), ("head", "id", 5)] {
                #expect(try rows(grouped, table, orderBy: key, columns: columns) == rows(plain, table, orderBy: key, columns: columns), "\(table)")
            }
            #expect(try grouped.verify().ok)
        }
    }

    @Test("one group, one tree: a batch that fails after its first event went into the tree (and completed a tile) leaves no trace of it")
    func failedBatchAfterTreeAppend() throws {
        try withSeededPair { grouped, plain in
            // The group shares one tree and writes its edges once, before COMMIT. A batch refused by
            // the store itself (here a trigger, as a constraint or an I/O error would) after the
            // first of its events was inserted and its leaf appended must take that leaf back: the
            // leaf is the 256th, so it completed a full tile, which the rollback to its SAVEPOINT
            // removes and the tree must forget too.
            try grouped.connection.execute("CREATE TEMP TRIGGER boom BEFORE INSERT ON events WHEN NEW.entry = 'BOOM' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
            let first = try events((1...255).map { notice("T\($0)", id: "t\($0)") })
            let failing = try events([notice("X1", id: "x1"), notice("BOOM", id: "boom")])
            let second = try events([notice("X2", id: "x2"), notice("X3", id: "x3")])
            guard case .success(let results) = grouped.appendGroup([first, failing, second], clock: { Self.fixed }) else {
                Issue.record("the group failed as a whole")
                return
            }
            #expect(try results[0].get().count == 255)
            #expect((try? results[1].get()) == nil)
            #expect(try results[2].get() == [.appended(seq: 256), .appended(seq: 257)])
            for batch in [first, second] { _ = try plain.append(batch, clock: { Self.fixed }) }
            for (table, key, columns) in [("events", "seq", Int32(9)), ("tiles", "level, idx", 3), ("tile_edge", "level", 3), ("head", "id", 5), ("entries", "entry", 6)] {
                #expect(try rows(grouped, table, orderBy: key, columns: columns) == rows(plain, table, orderBy: key, columns: columns), "\(table)")
            }
            #expect(try grouped.connection.scalarInt("SELECT count(*) FROM tiles") == 1)
            #expect(try grouped.verify().ok)
        }
    }
}
