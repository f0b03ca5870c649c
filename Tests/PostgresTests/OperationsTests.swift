import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import PostgresNIO
import TestSupport
import Testing

/// Operations (issue 13 point 6): least-privilege roles, and a pg_dump backup restored into a
/// new database verifies.
@Suite("PostgreSQL: roles and backups", .enabled(if: serverURL != nil, skipReason), .serialized)
struct PgOperationsTests {
    static let profile = PolicyProfile.named("baisha-2018")!

    @Test("pg setup: the server role appends, but may not UPDATE or DELETE the log nor read the keys' owner tables it was not given")
    func leastPrivilege() async throws {
        let owner = try await freshDatabase("roles")
        let suffix = owner.database.split(separator: "_").last!
        let serverRole = "srv_\(suffix)", readerRole = "rdr_\(suffix)"
        let setup = try runProgram(try listledgerBinary(), ["pg", "setup", "--db", owner.description, "--server-role", serverRole, "--reader-role", readerRole])
        #expect(setup.status == 0, "\(setup)")
        try await PostgresLedger.withLedger(url: owner) { ledger in _ = try await ledger.createLog(court: "court:baisha", profile: Self.profile) }
        // The server role sequences events (INSERT into the log, UPDATE of the head only).
        let server = owner.with(user: serverRole)
        let appended = try await PostgresLedger.withLedger(url: server, clock: { demoClock }) { ledger in
            try await ledger.submit([notice("P1"), notice("P2")], to: try await ledger.log(court: nil))
        }
        #expect(appended == [.appended(seq: 1), .appended(seq: 2)])
        for statement in ["UPDATE events SET type = 'x'", "DELETE FROM events", "DELETE FROM tiles", "UPDATE tiles SET idx = 0", "UPDATE checkpoints SET note = ''",
                          "TRUNCATE events", "INSERT INTO logs(court, origin, profile) VALUES ('court:x', 'x', 'baisha-2018')"] {
            await expectDenied(statement, as: server)
        }
        // The reader may read the log, not write it, and never the signing keys or personal values.
        let reader = owner.with(user: readerRole)
        try await PostgresAdmin.execute(["SELECT count(*) FROM events"], on: reader)
        for statement in ["SELECT * FROM signing_keys", "SELECT * FROM personal_data", "INSERT INTO inbox(log_id, events) VALUES (1, '\\x00')"] {
            await expectDenied(statement, as: reader)
        }
    }

    @Test("as the server role of pg setup: prove and export sign the checkpoint that covers the head, the proof and bundle check out; the role still cannot UPDATE or DELETE the log it signed")
    func serverRoleSignsCheckpoints() async throws {
        let owner = try await freshDatabase("srvckpt")
        let suffix = owner.database.split(separator: "_").last!
        let serverRole = "srvc_\(suffix)", readerRole = "rdrc_\(suffix)"
        _ = try listledger(["pg", "setup", "--db", owner.description, "--server-role", serverRole, "--reader-role", readerRole])
        _ = try listledger(["init", "--court", "court:baisha", "--db", owner.description])
        let server = owner.with(user: serverRole).description
        let scenario = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
        _ = try listledger(["append", scenario, "--db", server])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-srv-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("court.pub").path
        try (try listledger(["keys", "show", "--db", server])).write(toFile: key, atomically: true, encoding: .utf8)
        func checkpoints() async throws -> [Int64] {
            try await PostgresLedger.withLedger(url: owner) { ledger in
                try await ledger.latestCheckpoint(of: try await ledger.log(court: nil)).map { [$0.size] } ?? []
            }
        }
        #expect(try await checkpoints() == [], "no checkpoint before prove")

        // prove: no checkpoint covers seq 10, so the server role signs one (of the whole head).
        let proofPath = dir.appendingPathComponent("proof.json").path
        try (try listledger(["prove", "--seq", "10", "--json", "--db", server])).write(toFile: proofPath, atomically: true, encoding: .utf8)
        #expect(try await checkpoints() == [375], "prove as the server role signed no checkpoint of the head")
        let checked = try listledger(["verify-proof", proofPath, "--key", key])
        #expect(checked.hasPrefix("ok: event seq 10 is leaf 9 of the tree of 375 events"), "\(checked)")

        // One event more: export must sign a new checkpoint covering 376.
        let notice = #"{"type":"risk_notice_issued","entry":"SRV1","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执7号","debtor":{"kind":"person","name":"测试丙","id_number":"460030198001010105"}}"#
        let one = dir.appendingPathComponent("one.jsonl").path
        try (notice + "\n").write(toFile: one, atomically: true, encoding: .utf8)
        _ = try listledger(["append", one, "--db", server])
        let bundle = dir.appendingPathComponent("all.json").path
        _ = try listledger(["export", "--all", "--bundle", bundle, "--db", server])
        #expect(try await checkpoints() == [376], "export as the server role did not sign a checkpoint of the new head")
        let audit = try runProgram(try listledgerBinary(), ["audit", bundle, "--key", key, "--json"])
        #expect(audit.status == 0 && audit.stdout.contains(#""ok":true"#), "\(audit)")

        // The rows it signed are still beyond its reach: privilege, not only the triggers.
        let serverURL = owner.with(user: serverRole)
        for statement in ["UPDATE checkpoints SET note = ''", "DELETE FROM checkpoints", "UPDATE events SET type = 'x' WHERE seq = 1",
                          "DELETE FROM events WHERE seq = 376", "UPDATE tiles SET hashes = hashes", "DELETE FROM tiles", "TRUNCATE checkpoints"] {
            await expectDenied(statement, as: serverURL)
        }
    }

    func expectDenied(_ statement: String, as url: PostgresURL) async {
        do {
            try await PostgresAdmin.execute([statement], on: url)
            Issue.record("\(url.user): \(statement) was allowed")
        } catch let error as PSQLError {
            // 42501: insufficient_privilege (checked before any trigger runs).
            #expect(error.serverInfo?[.sqlState] == "42501", "\(statement): \(String(reflecting: error))")
        } catch {
            Issue.record("\(statement): \(error)")
        }
    }

    @Test("pg_dump, restore into a new database, verify: the same head and root, still append-only")
    func dumpRestoreVerify() async throws {
        let source = try await freshDatabase("dump")
        let before = try await PostgresLedger.withLedger(url: source, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
            _ = try await ledger.submit(try demoEvents(), to: log)
            return try await ledger.verify(log: log)
        }
        #expect(before.ok && before.events == 375)
        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("ll-dump-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: dump) }
        let dumped = try runProgram(try tool("pg_dump"), ["-h", source.host, "-p", "\(source.port)", "-U", source.user, "-f", dump, source.database])
        #expect(dumped.status == 0, "\(dumped)")
        let target = source.with(database: source.database + "_restored")
        try await PostgresAdmin.createDatabase(target.database, on: source)
        let restored = try runProgram(try tool("psql"), ["-q", "-v", "ON_ERROR_STOP=1", "-h", target.host, "-p", "\(target.port)", "-U", target.user, "-d", target.database, "-f", dump])
        #expect(restored.status == 0, "\(restored)")
        let verify = try runProgram(try listledgerBinary(), ["verify", "--json", "--db", target.description])
        #expect(verify.status == 0, "\(verify)")
        let after = try await PostgresLedger.withLedger(url: target) { ledger in try await ledger.verify(log: try await ledger.log(court: nil)) }
        #expect(after == before)
        do {
            try await PostgresAdmin.execute(["DELETE FROM events"], on: target)
            Issue.record("the restored log accepted DELETE")
        } catch is PSQLError {}
    }

    /// A PostgreSQL client program: on PATH, else Debian's versioned folder.
    func tool(_ name: String) throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"] {
            let path = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw HarnessFailure("\(name) not found (install Debian's postgresql-client)")
    }
}
