import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// Readers on a standby with read-your-writes (issue 13 point 4). No standby server is started
/// here (docs/postgresql.md gives the commands): the wait logic is tested against the primary
/// named as the standby too, where the head moves only when this test appends.
@Suite("PostgreSQL: --read-db and --after-seq (read-your-writes)", .enabled(if: serverURL != nil, skipReason))
struct PgReplicaReadTests {
    @Test("waitUntil: true at once when the head holds the seq, false after the timeout when not, true once an append lands")
    func waitLogic() async throws {
        let url = try await freshDatabase("wait")
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            _ = try await ledger.submit([notice("W1")], to: log)
            #expect(try await ledger.waitUntil(log, holds: 1, timeout: .seconds(2)))
            let started = ContinuousClock.now
            #expect(try await !ledger.waitUntil(log, holds: 2, timeout: .milliseconds(300)))
            #expect(ContinuousClock.now - started >= .milliseconds(300), "gave up before its timeout")
            // A reader waiting for seq 2 is let through by the append of seq 2.
            async let waited = ledger.waitUntil(log, holds: 2, timeout: .seconds(20))
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await ledger.submit([notice("W2")], to: log) == [.appended(seq: 2)])
            #expect(try await waited)
        }
    }

    @Test("state/obligations/verify with --read-db: same output; --after-seq past the head reads the primary after 2 s; writers refuse the options")
    func commandLine() async throws {
        let db = try await freshDatabase("readdb").description
        let scenario = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
        let binary = try listledgerBinary()
        #expect(try runProgram(binary, ["init", "--court", "court:baisha", "--db", db]).status == 0)
        #expect(try runProgram(binary, ["append", scenario, "--db", db]).status == 0)
        for query in [["state", "--json"], ["obligations", "--json", "--as-of", "2026-11-20"], ["verify", "--json"]] {
            let primary = try runProgram(binary, query + ["--db", db])
            #expect(primary.status == 0 && primary.stdout.count > 50, "\(primary)")
            // Caught up (the demo has 375 events): read from the standby, no note.
            let standby = try runProgram(binary, query + ["--db", db, "--read-db", db, "--after-seq", "375"])
            #expect(standby.status == 0 && standby.stdout == primary.stdout && standby.stderr.isEmpty, "\(query): \(standby)")
        }
        // Not caught up: waits its bound, says so, and reads the primary (same answer).
        let started = Date()
        let behind = try runProgram(binary, ["state", "--json", "--db", db, "--read-db", db, "--after-seq", "376"])
        #expect(Date().timeIntervalSince(started) >= 2)
        #expect(behind.status == 0 && behind.stderr.contains("had not replayed seq 376"), "\(behind)")
        #expect(behind.stdout == (try runProgram(binary, ["state", "--json", "--db", db])).stdout)
        // Bad input: exit 1, the field named, nothing written.
        for (arguments, field) in [(["append", scenario, "--db", db, "--read-db", db], "--read-db"),
                                   (["state", "--db", db, "--after-seq", "3"], "--after-seq"),
                                   (["state", "--db", db, "--read-db", "not-a-url"], "--read-db"),
                                   (["state", "--db", db, "--read-db", db, "--after-seq", "0"], "--after-seq")] {
            let refused = try runProgram(binary, arguments)
            #expect(refused.status == 1 && refused.stderr.contains(field), "\(arguments): \(refused)")
        }
        let verified = try runProgram(binary, ["verify", "--json", "--db", db])
        #expect(verified.stdout.contains(#""events":375"#), "\(verified)")
    }
}
