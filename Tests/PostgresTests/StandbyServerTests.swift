import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerPostgres
import LedgerServer
import Logging
import NIOCore
import TestSupport
import Testing

/// `serve --read-db` against a real hot standby (issue 13 point 4): the reads go to the standby,
/// a read that needs its own write (the same credential through the same process, or any
/// request naming the seq in `Ledger-After-Seq`) waits for the replay or reads the primary.
/// Tests of `PgStandbyTests` (serialized): they pause the standby's replay, which would stall the
/// suite's other reads if they ran at once. The pause is lifted however a test ends.
extension PgStandbyTests {

    /// The server test ledger on the primary (6 events, tokens, a checkpoint of 6), one more
    /// token of the same court (`court2`), and the standby's URL of it once replayed.
    func serverLedger() async throws -> (made: PgServerEngineTests.Made, standby: PostgresURL) {
        var made = try await PgServerEngineTests.make(.postgresql)
        let printed = try listledger(["tokens", "issue", "--party", PgServerEngineTests.court, "--scope", "record,read", "--db", made.db])
        made.tokens["court2"] = String(printed.split(separator: "\n").last ?? "")
        let standby = try PostgresURL(parsing: standbyURL!).with(database: try PostgresURL(parsing: made.db).database)
        try await waitForReplay(of: standby, seq: 6)
        return (made, standby)
    }

    /// `servers` server processes' ledgers over the same primary and standby (each its own
    /// `StandbyServerLedger`, as two `serve --read-db` processes behind one balancer).
    func withServers<T: Sendable>(_ made: PgServerEngineTests.Made, standby: PostgresURL, count: Int = 1,
                                  _ body: @escaping @Sendable ([LedgerServerApp]) async throws -> T) async throws -> T {
        var settings = ServerSettings(databasePath: made.db)
        settings.port = 0
        let configured = settings
        return try await PostgresLedger.withLedger(url: try PostgresURL(parsing: made.db)) { primary in
            let log = try await primary.log(court: nil)
            return try await PostgresLedger.withLedger(url: standby, migrate: false) { replica in
                let replicaLog = try await replica.log(court: nil)
                #expect(replicaLog == log)
                let apps = (0..<count).map { _ in
                    LedgerServerApp(settings: configured, ledger: StandbyServerLedger(primary: PostgresServerLedger(database: primary, log: log),
                                                                                     standby: PostgresServerLedger(database: replica, log: replicaLog)))
                }
                return try await body(apps)
            }
        }
    }

    static func inclusion(_ entry: String) -> String {
        PgServerEngineTests.inclusion(entry, name: "测试戊", id: "460030198001010148")
    }

    @Test("serve --read-db: a write then an immediate read through a --read-db server sees the write; with replay paused, the writer's reads fall back to the primary after 2 s while another credential's read is served by the standby")
    func readYourWritesOnTheStandby() async throws {
        let (made, standby) = try await serverLedger()
        defer { try? FileManager.default.removeItem(at: made.dir) }
        let tokens = made.tokens
        try await withServers(made, standby: standby, count: 2) { apps in
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let one = apps[0].makeApplication(logger: logger), two = apps[1].makeApplication(logger: logger)
            try await one.test(.router) { first in
                try await two.test(.router) { second in
                    func send(_ client: some TestClientProtocol, _ holder: String?, _ method: HTTPRequest.Method, _ uri: String,
                              _ body: String? = nil, _ headers: HTTPFields = [:]) async throws -> (status: Int, body: String, headers: HTTPFields, seconds: Double) {
                        var fields = headers
                        if let holder { fields[.authorization] = "Bearer \(tokens[holder]!)" }
                        if body != nil { fields[.contentType] = "application/json" }
                        let started = ContinuousClock.now
                        let response = try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
                        let elapsed = ContinuousClock.now - started
                        return (Int(response.status.code), String(buffer: response.body), response.headers,
                                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                    }
                    // Replay running: post, then read back at once through the same server.
                    let posted = try await send(first, "court", .post, "/api/v1/events", Self.inclusion("S1"))
                    #expect(posted.status == 201 && posted.body.contains(#""seqs":[7]"#), "\(posted)")
                    #expect(posted.headers[HTTPField.Name("Ledger-Seq")!] == "7", "the post answers the seq to name later: \(posted.headers)")
                    let read = try await send(first, "court", .get, "/api/v1/entries/S1")
                    #expect(read.status == 200 && read.body.contains(#""entry":"S1""#), "\(read)")

                    // Replay paused: the standby stays at 7 while the primary moves on to 8.
                    try await withReplayPaused(on: standby) {
                        let paused = try await send(first, "court", .post, "/api/v1/events", Self.inclusion("S2"))
                        #expect(paused.status == 201 && paused.headers[HTTPField.Name("Ledger-Seq")!] == "8", "\(paused)")
                        try await Task.sleep(for: .milliseconds(300))
                        #expect(try await PostgresAdmin.scalar("SELECT size::text FROM heads", on: standby) == "7", "the pause holds")

                        // Another credential, no header: served by the standby, which lacks S2.
                        let other = try await send(first, "court2", .get, "/api/v1/entries/S2")
                        #expect(other.status == 404 && other.seconds < 1.5, "read from the standby at once: \(other)")
                        let list = try await send(first, "court2", .get, "/api/v1/entries")
                        #expect(list.status == 200 && list.body.contains(#""entry":"S1""#) && !list.body.contains(#""entry":"S2""#), "\(list.body)")
                        // The writer through the same process: waits its 2 s, then the primary.
                        let mine = try await send(first, "court", .get, "/api/v1/entries/S2")
                        #expect(mine.status == 200 && mine.body.contains(#""entry":"S2""#), "\(mine)")
                        #expect(mine.seconds >= 2, "fell back before the bound: \(mine.seconds) s")
                        // Another process (no memory of the post): the header carries the seq.
                        let named = try await send(second, "court2", .get, "/api/v1/entries/S2", nil, [HTTPField.Name("Ledger-After-Seq")!: "8"])
                        #expect(named.status == 200 && named.seconds >= 2, "\(named)")
                        let unnamed = try await send(second, "court", .get, "/api/v1/entries/S2")
                        #expect(unnamed.status == 404, "the second process never acknowledged seq 8 to this credential: \(unnamed)")
                        // A proof naming seq 8 is not answered 404 by the standby: the primary
                        // answers 409 (no checkpoint covers 8), as a server without a standby does.
                        let proof = try await send(second, "auditor", .get, "/api/v1/proofs/inclusion?seq=8")
                        #expect(proof.status == 409, "\(proof)")
                        // Obligations: the writer's read shows the duties S2 opened, the other's not yet.
                        let duties = try await send(first, "court", .get, "/api/v1/obligations?as_of=2026-01-01")
                        let stale = try await send(first, "court2", .get, "/api/v1/obligations?as_of=2026-01-01")
                        #expect(duties.status == 200 && duties.body.contains(#""entry":"S2""#), "\(duties.body)")
                        #expect(stale.status == 200 && !stale.body.contains(#""entry":"S2""#) && stale.body.contains(#""entry":"S1""#), "\(stale.body)")
                        // A header that is not a seq: 400 naming it.
                        let bad = try await send(second, "court", .get, "/api/v1/entries/S1", nil, [HTTPField.Name("Ledger-After-Seq")!: "soon"])
                        #expect(bad.status == 400 && bad.body.contains(#""field":"Ledger-After-Seq""#), "\(bad)")
                    }
                    // Replay resumed: the standby catches up and serves everyone.
                    try await waitForReplay(of: standby, seq: 8)
                    let caughtUp = try await send(first, "court2", .get, "/api/v1/entries/S2")
                    #expect(caughtUp.status == 200 && caughtUp.seconds < 1.5, "\(caughtUp)")
                    let writer = try await send(first, "court", .get, "/api/v1/entries/S2")
                    #expect(writer.status == 200 && writer.seconds < 1.5, "\(writer)")
                }
            }
        }
    }

    @Test("serve --read-db, the real process: a post then an immediate read sees it; --read-db that is not a standby of --db, --after-seq, and --read-db on a SQLite file are refused before binding")
    func serveProcess() async throws {
        let (made, standby) = try await serverLedger()
        defer { try? FileManager.default.removeItem(at: made.dir) }
        let binary = try listledgerBinary()
        let (process, port) = try await startServe(["--db", made.db, "--read-db", standby.description])
        defer { if process.isRunning { process.terminate() } }
        let token = made.tokens["court"]!
        let posted = try runProgram("/usr/bin/env", ["curl", "-s", "-i", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                                                     "--data-binary", Self.inclusion("S9"), "http://127.0.0.1:\(port)/api/v1/events"]).stdout
        #expect(posted.contains("201") && posted.lowercased().contains("ledger-seq: 7"), "\(posted)")
        let read = try runProgram("/usr/bin/env", ["curl", "-s", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/api/v1/entries/S9"]).stdout
        #expect(read.contains(#""entry":"S9""#), "\(read)")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SIGTERM stops serve gracefully")

        // Another database's log as the "standby": refused, naming --read-db, before binding.
        let other = try await freshDatabase("sb_other")
        _ = try listledger(["init", "--court", PgServerEngineTests.court, "--db", other.description])
        for (arguments, field) in [(["serve", "--db", made.db, "--read-db", other.description, "--port", "0"], "--read-db"),
                                   (["serve", "--db", made.db, "--read-db", standby.description, "--after-seq", "3", "--port", "0"], "--after-seq"),
                                   (["serve", "--db", made.dir.appendingPathComponent("x.sqlite").path, "--read-db", standby.description, "--port", "0"], "--read-db")] {
            let refused = try runProgram(binary, arguments)
            #expect(refused.status == 1 && refused.stderr.contains(field), "\(arguments): \(refused)")
        }
    }
}
