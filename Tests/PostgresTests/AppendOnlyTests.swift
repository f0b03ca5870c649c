import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import PostgresNIO
import TestSupport
import Testing

/// The log tables refuse UPDATE, DELETE and TRUNCATE by trigger, as SQLite's do (SPEC §8);
/// a refused submission writes nothing and leaves the seqs to the next one.
@Suite("PostgreSQL: append-only log, all-or-nothing submissions", .enabled(if: serverURL != nil, skipReason))
struct PgAppendOnlyTests {
    @Test("UPDATE, DELETE and TRUNCATE on events, the tree's tiles and checkpoints are refused, even for the owner")
    func triggersRefuseChanges() async throws {
        let url = try await freshDatabase("triggers")
        try await PostgresLedger.withLedger(url: url, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            _ = try await ledger.submit([notice("T1")], to: log)
            _ = try await ledger.checkpoint(log: log)
        }
        for statement in ["UPDATE events SET type = 'x'", "DELETE FROM events", "TRUNCATE events",
                          // One event fills no tile: the row triggers of `tiles` are PgTileTests'.
                          "TRUNCATE tiles CASCADE",
                          "UPDATE checkpoints SET note = ''", "DELETE FROM checkpoints"] {
            do {
                try await PostgresAdmin.execute([statement], on: url)
                Issue.record("\(statement) was not refused")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.message]?.contains("the log is append-only") == true, "\(statement): \(String(reflecting: error))")
            }
        }
        let report = try await PostgresLedger.withLedger(url: url) { ledger in try await ledger.verify(log: try await ledger.log(court: nil)) }
        #expect(report.ok && report.events == 1)
    }

    @Test("a refused submission writes nothing; the next gets the seq it would have had; a repeat is not stored twice")
    func refusedSubmission() async throws {
        let url = try await freshDatabase("refused")
        try await PostgresLedger.withLedger(url: url, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            #expect(try await ledger.submit([notice("R1", id: "n1")], to: log) == [.appended(seq: 1)])
            // Line 2 names an entry that does not exist: the whole submission is refused.
            let orphan = try Event.decode(jsonLine: Array(#"{"type":"decision_served","entry":"NOBODY","at":"2024-03-06T10:00:00+08:00","actor":"court:baisha"}"#.utf8))
            await #expect(throws: PostgresLedgerError.self) { try await ledger.submit([notice("R2"), orphan], to: log) }
            #expect(try await ledger.submit([notice("R3")], to: log) == [.appended(seq: 2)])
            // The same id again is a duplicate of seq 1; the same content without id a repeat.
            #expect(try await ledger.submit([notice("R1", id: "n1"), notice("R3")], to: log) == [.duplicate(seq: 1), .duplicate(seq: 2)])
            let states = try await ledger.states(of: log)
            #expect(states.map(\.entry) == ["R1", "R3"])
            let report = try await ledger.verify(log: log)
            #expect(report.ok && report.events == 2)
        }
    }

    @Test("verify reads the head first, yet an event inserted past the head behind the sequencer's back is still named (exit 4)")
    func eventBeyondTheHead() async throws {
        let url = try await freshDatabase("beyond")
        try await PostgresLedger.withLedger(url: url, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            _ = try await ledger.submit([notice("V1"), notice("V2")], to: log)
            #expect(try await ledger.verify(log: log).ok)
        }
        // INSERT is not refused by the triggers: the owner copies seq 2 to seq 3, head untouched.
        try await PostgresAdmin.execute(["""
            INSERT INTO events(log_id, seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash)
            SELECT log_id, 3, NULL, entry, type, at_ms, recorded_ms, canonical, hash, hash FROM events WHERE seq = 2
            """], on: url)
        let verified = try runProgram(try listledgerBinary(), ["verify", "--json", "--db", url.description])
        #expect(verified.status == 4 && verified.stdout.contains(#""first_bad_seq":3"#) && verified.stdout.contains("after the recorded head"), "\(verified)")
    }
}
