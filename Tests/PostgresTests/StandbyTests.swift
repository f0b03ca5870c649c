import Foundation
import LedgerPostgres
import TestSupport
import Testing

/// The hot standby the suite reads from: $LISTLEDGER_PG_STANDBY_URL, a streaming replica of
/// $LISTLEDGER_PG_URL's server (`scripts/pg start-standby`, which scripts/test runs).
let standbyURL: String? = ProcessInfo.processInfo.environment["LISTLEDGER_PG_STANDBY_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// Readers on a real hot standby (issue 13 point 4): a second PostgreSQL server made by
/// `pg_basebackup -R -X stream` from the primary, in recovery, replaying its WAL. Serialized:
/// one test pauses the standby's replay, which would stall the others' reads.
@Suite("PostgreSQL: a real hot standby (--read-db, read-your-writes)",
       .enabled(if: serverURL != nil && standbyURL != nil,
                "LISTLEDGER_PG_URL or LISTLEDGER_PG_STANDBY_URL is unset: `scripts/pg start` and `scripts/pg start-standby` print them"),
       .serialized)
struct PgStandbyTests {
    let scenario = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path

    /// A new database on the primary, its demo log appended (375 events), and the same database
    /// on the standby once the standby has replayed all of it.
    func demo(_ label: String) async throws -> (primary: String, standby: String) {
        let primary = try await freshDatabase(label)
        let standby = try PostgresURL(parsing: standbyURL!).with(database: primary.database)
        _ = try listledger(["init", "--court", "court:baisha", "--db", primary.description])
        _ = try listledger(["append", scenario, "--db", primary.description])
        try await waitForReplay(of: standby, seq: 375)
        return (primary.description, standby.description)
    }

    /// Waits (at most 20 s) until the standby holds the database (CREATE DATABASE is replayed
    /// too) and its log holds `seq`.
    func waitForReplay(of standby: PostgresURL, seq: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        // Asked in the `postgres` database first: a pool connecting to a database that is not
        // there yet would retry rather than fail.
        let server = standby.with(database: "postgres")
        while try await PostgresAdmin.scalar("SELECT count(*)::text FROM pg_database WHERE datname = '\(standby.database)'", on: server) != "1" {
            guard ContinuousClock.now < deadline else { throw HarnessFailure("the standby did not replay CREATE DATABASE \(standby.database) within 20 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
        while true {
            let size = try? await PostgresAdmin.scalar("SELECT max(size)::text FROM heads", on: standby)
            if let size, let value = Int64(size), value >= seq { return }
            guard ContinuousClock.now < deadline else { throw HarnessFailure("the standby did not replay seq \(seq) within 20 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ll-standby-\(UUID().uuidString).jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A new entry of the demo's court: one event, the test's own write.
    func newNotice(_ entry: String) throws -> String {
        try file(#"{"type":"risk_notice_issued","entry":"\#(entry)","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执9号","debtor":{"kind":"person","name":"测试乙","id_number":"460030198001010105"}}"# + "\n")
    }

    @Test("the standby is in recovery; append, init and checkpoint against it are refused (exit 1, --db named), nothing written on either server")
    func standbyRefusesWrites() async throws {
        let (primary, standby) = try await demo("sb_writes")
        let standbyURL = try PostgresURL(parsing: standby), primaryURL = try PostgresURL(parsing: primary)
        #expect(try await PostgresAdmin.scalar("SELECT pg_is_in_recovery()::text", on: standbyURL) == "true")
        #expect(try await PostgresAdmin.scalar("SELECT pg_is_in_recovery()::text", on: primaryURL) == "false")
        let binary = try listledgerBinary()
        for arguments in [["append", try newNotice("SB1"), "--db", standby],
                          ["init", "--court", "court:qiongzhong", "--db", standby],
                          ["checkpoint", "--db", standby]] {
            let refused = try runProgram(binary, arguments)
            #expect(refused.status == 1, "\(arguments): \(refused)")
            #expect(refused.stderr.contains("--db") && refused.stderr.contains("hot standby") && refused.stderr.contains("write on the primary"),
                    "\(arguments): \(refused)")
            #expect(!refused.stderr.contains("PSQLError"), "the raw driver error leaked: \(refused)")
        }
        // Nothing reached the primary (the standby can hold only what it replays from it).
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM events", on: primaryURL) == "375")
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM logs", on: primaryURL) == "1")
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM checkpoints", on: primaryURL) == "0")
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM events", on: standbyURL) == "375")
    }

    @Test("read-your-writes: state, obligations, verify, history read on the standby equal the primary's; an event appended on the primary is read back at once with --after-seq")
    func readYourWrites() async throws {
        let (primary, standby) = try await demo("sb_ryw")
        let binary = try listledgerBinary()
        for query in [["state", "--json"], ["obligations", "--json", "--as-of", "2026-11-20"], ["verify", "--json"],
                      ["history", "--entry", "(2018)琼9025执37号-符某某", "--json"]] {
            let expected = try listledger(query + ["--db", primary])
            let read = try runProgram(binary, query + ["--db", primary, "--read-db", standby, "--after-seq", "375"])
            #expect(read.status == 0 && read.stdout == expected && read.stderr.isEmpty, "\(query): \(read)")
        }
        // Append on the primary, then read the new entry from the standby straight away: the
        // command waits for the replay (loopback: milliseconds), so it needs no fallback.
        let appended = try listledger(["append", try newNotice("SB2"), "--json", "--db", primary])
        #expect(appended.contains("376"), "\(appended)")
        let read = try runProgram(binary, ["state", "--entry", "SB2", "--json", "--db", primary, "--read-db", standby, "--after-seq", "376"])
        #expect(read.status == 0 && read.stdout.contains(#""entry":"SB2""#) && read.stderr.isEmpty, "\(read)")
        #expect(read.stdout == (try listledger(["state", "--entry", "SB2", "--json", "--db", primary])))
        let verified = try runProgram(binary, ["verify", "--json", "--db", primary, "--read-db", standby, "--after-seq", "376"])
        #expect(verified.stdout.contains(#""events":376"#) && verified.stderr.isEmpty, "\(verified)")
    }

    @Test("replay paused on the standby: --after-seq waits its 2 s, says so on stderr and reads the primary; resumed, the standby serves it again")
    func pausedReplayFallsBack() async throws {
        let (primary, standby) = try await demo("sb_paused")
        let standbyURL = try PostgresURL(parsing: standby)
        let binary = try listledgerBinary()
        let expected = try await withReplayPaused(on: standbyURL) {
            _ = try listledger(["append", try newNotice("SB3"), "--db", primary])
            // The pause holds: a moment later the standby still has the 375 events.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await PostgresAdmin.scalar("SELECT size::text FROM heads", on: standbyURL) == "375")
            // Without --after-seq the standby is read as it is: the new entry is not there.
            let stale = try runProgram(binary, ["state", "--entry", "SB3", "--db", primary, "--read-db", standby])
            #expect(stale.status == 1 && stale.stderr.contains("SB3"), "\(stale)")

            let started = Date()
            let fellBack = try runProgram(binary, ["state", "--entry", "SB3", "--json", "--db", primary, "--read-db", standby, "--after-seq", "376"])
            #expect(Date().timeIntervalSince(started) >= 2, "gave up before its bound")
            #expect(fellBack.status == 0 && fellBack.stderr.contains("had not replayed seq 376") && fellBack.stderr.contains("reading the primary"), "\(fellBack)")
            let expected = try listledger(["state", "--entry", "SB3", "--json", "--db", primary])
            #expect(fellBack.stdout == expected && expected.contains(#""entry":"SB3""#), "\(fellBack)")
            return expected
        }
        let caughtUp = try runProgram(binary, ["state", "--entry", "SB3", "--json", "--db", primary, "--read-db", standby, "--after-seq", "376"])
        #expect(caughtUp.status == 0 && caughtUp.stdout == expected && caughtUp.stderr.isEmpty, "\(caughtUp)")
    }

    /// Runs `body` with the standby's WAL replay paused, resuming it however `body` ends (the
    /// standby is shared by the whole run).
    func withReplayPaused<T>(on standby: PostgresURL, _ body: () async throws -> T) async throws -> T {
        _ = try await PostgresAdmin.scalar("SELECT pg_wal_replay_pause()::text", on: standby)
        do {
            let result = try await body()
            _ = try await PostgresAdmin.scalar("SELECT pg_wal_replay_resume()::text", on: standby)
            return result
        } catch {
            _ = try? await PostgresAdmin.scalar("SELECT pg_wal_replay_resume()::text", on: standby)
            throw error
        }
    }
}
