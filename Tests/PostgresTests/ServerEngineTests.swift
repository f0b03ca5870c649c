import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerPostgres
import LedgerServer
import LedgerStore
import Logging
import NIOCore
import TestSupport
import Testing

/// The server's API on both engines, one scenario with the engine as its parameter: the same
/// ledger made by the same commands of the real binary (`init`, `append`, `tokens issue`,
/// `checkpoint`) in a SQLite file and in a PostgreSQL database, then the same requests over the
/// real router. Each engine is held to the scenario's expectations, and the two transcripts are
/// compared: the same statuses and the same JSON, apart from what is random or the clock's by
/// design (v2 salts, so hashes, leaves and roots; `recorded_at`).
@Suite("PostgreSQL: serve answers the same API as on SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgServerEngineTests {
    enum Engine: String, CaseIterable, Sendable, CustomStringConvertible {
        case sqlite, postgresql
        var description: String { rawValue }
    }

    static let court = "court:baisha", unit = "unit:pboc-baisha", auditor = "auditor:spc"
    static let json: HTTPFields = [.contentType: "application/json"]
    static let jsonl: HTTPFields = [.contentType: "application/jsonl"]

    static func line(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func inclusion(_ entry: String, name: String, id: String) -> String {
        line(["type": "inclusion_decided", "entry": entry, "at": "2024-03-05T10:00:00+08:00", "actor": court, "court": court,
              "case": "(2024)琼9030执\(entry)号", "debtor": ["kind": "person", "name": name, "id_number": id],
              "grounds": ["able_but_refuses"], "public": true])
    }

    static func event(_ type: String, _ entry: String, _ at: String, actor: String? = court, _ fields: [String: Any] = [:]) -> String {
        var object: [String: Any] = ["type": type, "entry": entry, "at": at]
        if let actor { object["actor"] = actor }
        for (key, value) in fields { object[key] = value }
        return line(object)
    }

    /// Entry A published and pushed to the unit, which applied a measure; entry B decided only.
    static let baseEvents = [
        inclusion("A", name: "测试甲", id: "460030198001010105"),
        event("decision_served", "A", "2024-03-06T10:00:00+08:00"),
        event("entry_published", "A", "2024-03-07T10:00:00+08:00"),
        event("pushed_to_unit", "A", "2024-03-08T10:00:00+08:00", ["unit": unit]),
        event("measure_applied", "A", "2024-03-09T10:00:00+08:00", actor: unit, ["unit": unit, "measure": "credit_restriction"]),
        inclusion("B", name: "测试乙", id: "460030198001010113"),
    ]

    /// A ledger on `engine` made by the real binary: its `--db`, and tokens by holder.
    struct Made {
        var db: String
        var tokens: [String: String] = [:]
        var tokenIDs: [String: String] = [:]
        var dir: URL
    }

    static func make(_ engine: Engine) async throws -> Made {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = engine == .sqlite ? dir.appendingPathComponent("ledger.sqlite").path : try await freshDatabase("serve").description
        var made = Made(db: db, dir: dir)
        _ = try listledger(["init", "--court", court, "--db", db])
        let events = dir.appendingPathComponent("base.jsonl")
        try (baseEvents.joined(separator: "\n") + "\n").write(to: events, atomically: true, encoding: .utf8)
        _ = try listledger(["append", events.path, "--db", db])
        for (holder, party, scopes) in [("court", court, "record,read"), ("unit", unit, "record,read"), ("auditor", auditor, "audit")] {
            let printed = try listledger(["tokens", "issue", "--party", party, "--scope", scopes, "--db", db])
            let token = String(printed.split(separator: "\n").last ?? "")
            made.tokens[holder] = token
            made.tokenIDs[holder] = tokenID(token)
        }
        // SQLite signs with a key file beside the ledger; PostgreSQL with the log's key in the database.
        if engine == .sqlite { try run(["keys", "init", "--db", db], in: dir) }
        try run(["checkpoint", "--db", db], in: dir)
        return made
    }

    static func run(_ arguments: [String], in dir: URL) throws {
        let result = try runProgram(try listledgerBinary(), arguments, in: dir)
        #expect(result.status == 0, "listledger \(arguments.joined(separator: " ")): \(result)")
    }

    /// `ll_ID_SECRET` → ID.
    static func tokenID(_ token: String) -> String { String(token.split(separator: "_")[1]) }

    /// Runs `body` with the server over `made` on `engine` (on PostgreSQL, with the pool open).
    static func withServer<T: Sendable>(_ engine: Engine, _ made: Made,
                                        _ body: @escaping @Sendable (LedgerServerApp, PostgresLedger?) async throws -> T) async throws -> T {
        var configured = ServerSettings(databasePath: made.db)
        configured.port = 0
        let settings = configured
        switch engine {
        case .sqlite:
            return try await body(try LedgerServerApp(settings: settings), nil)
        case .postgresql:
            return try await PostgresLedger.withLedger(url: try PostgresURL(parsing: made.db)) { database in
                let log = try await database.log(court: nil)
                return try await body(try await LedgerServerApp(settings: settings, postgres: database, log: log), database)
            }
        }
    }

    /// One answer of the transcript: the request, its status and its body with what differs
    /// by design between two ledgers of the same events taken out.
    struct Answer: Equatable, CustomStringConvertible {
        var request: String
        var status: Int
        var body: String
        var description: String { "\(request) → \(status) \(body)" }
    }

    /// Removes `recorded_at`, `hash`, and the proof's salted bytes (leaf, path, notes, root);
    /// JSON Lines (the feed) line by line.
    static func normalised(_ text: String) -> String {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
            let lines = text.split(separator: "\n")
            return lines.count > 1 ? lines.map { normalised(String($0)) }.joined(separator: "\n") : text
        }
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                var kept: [String: Any] = [:]
                for (key, member) in object where !["recorded_at", "hash", "leaf", "checkpoint", "old_checkpoint", "new_checkpoint", "root", "note"].contains(key) {
                    kept[key] = key == "proof" ? ((member as? [Any])?.count ?? -1) : strip(member)
                }
                return kept
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let data = try! JSONSerialization.data(withJSONObject: strip(value), options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// The scenario; its expectations hold on either engine. Returns the transcript.
    static func scenario(_ engine: Engine) async throws -> [Answer] {
        let made = try await make(engine)
        defer { try? FileManager.default.removeItem(at: made.dir) }
        let tokens = made.tokens, ids = made.tokenIDs
        return try await withServer(engine, made) { server, database in
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let app = server.makeApplication(logger: logger)
            let transcript = try await app.test(.router) { client -> [Answer] in
                var transcript: [Answer] = []
                func send(_ holder: String?, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil,
                          _ headers: HTTPFields = [:]) async throws -> TestResponse {
                    var fields = headers
                    if let holder { fields[.authorization] = "Bearer \(tokens[holder]!)" }
                    let response = try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
                    transcript.append(Answer(request: "\(holder ?? "public") \(method) \(uri)", status: Int(response.status.code),
                                             body: normalised(String(buffer: response.body))))
                    return response
                }
                // A court posts its act: 201 with the next seq.
                let posted = try await send("court", .post, "/api/v1/events", event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil), json)
                #expect(posted.status == .created, "\(engine): \(String(buffer: posted.body))")
                #expect(String(buffer: posted.body) == #"{"duplicates":[],"seqs":[7]}"# + "\n", "\(engine)")
                // The same again: a repeat, 200 with the stored seq.
                let repeated = try await send("court", .post, "/api/v1/events", event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil), json)
                #expect(repeated.status == .ok && String(buffer: repeated.body).contains(#""seqs":[7]"#), "\(engine): \(String(buffer: repeated.body))")
                // Two lines, the second refused by the rules (publishing an entry not yet decided):
                // 400 naming its line and field, and nothing of either line written.
                let refused = try await send("court", .post, "/api/v1/events", [
                    inclusion("D", name: "测试丁", id: "460030198001010121"),
                    event("entry_published", "NONE", "2024-03-21T10:00:00+08:00", actor: nil),
                ].joined(separator: "\n"), jsonl)
                #expect(refused.status == .badRequest, "\(engine): \(String(buffer: refused.body))")
                #expect(String(buffer: refused.body).contains(#""line":2"#), "\(engine): \(String(buffer: refused.body))")
                let unwritten = try await send("court", .get, "/api/v1/entries/D")
                #expect(unwritten.status == .notFound, "\(engine): line 1 of the refused post was written")
                // A unit's token cannot act as the court: 403, nothing written.
                let notYours = try await send("unit", .post, "/api/v1/events", event("entry_published", "B", "2024-03-22T10:00:00+08:00", actor: Self.court), json)
                #expect(notYours.status == .forbidden, "\(engine): \(String(buffer: notYours.body))")
                // If-Match on an entry that moved on: 409 with its last seq and the changes.
                let moved = try await send("court", .post, "/api/v1/events", event("entry_published", "B", "2024-03-22T10:00:00+08:00", actor: nil),
                                           [.contentType: "application/json", .ifMatch: "\"6\""])
                #expect(moved.status == .conflict && String(buffer: moved.body).contains(#""last_seq":7"#), "\(engine): \(String(buffer: moved.body))")
                // With the right version it is recorded.
                let versioned = try await send("court", .post, "/api/v1/events", event("entry_published", "B", "2024-03-22T10:00:00+08:00", actor: nil),
                                               [.contentType: "application/json", .ifMatch: "\"7\""])
                #expect(versioned.status == .created && String(buffer: versioned.body).contains(#""seqs":[8]"#), "\(engine): \(String(buffer: versioned.body))")
                // Reads: the list, one entry, its history, obligations at a fixed instant.
                let history = try await send("court", .get, "/api/v1/entries/B/history")
                #expect(history.status == .ok)
                let seqs = (try? JSONSerialization.jsonObject(with: Data(String(buffer: history.body).utf8)) as? [String: Any])?["events"] as? [[String: Any]]
                #expect(seqs?.compactMap { $0["seq"] as? Int } == [6, 7, 8], "\(engine): nothing of the refused posts is in B's history")
                _ = try await send("court", .get, "/api/v1/entries")
                let entry = try await send("unit", .get, "/api/v1/entries/A")
                #expect(entry.status == .ok && entry.headers[.eTag] == "\"5\"", "\(engine)")
                _ = try await send("unit", .get, "/api/v1/entries/B")  // not the unit's: 404
                _ = try await send("court", .get, "/api/v1/obligations?as_of=2024-12-31")
                _ = try await send("unit", .get, "/api/v1/obligations?as_of=2024-12-31&status=all")
                _ = try await send("court", .get, "/api/v1/obligations?status=nope")
                _ = try await send("court", .get, "/api/v1/feed?after=4")
                // The public list, no credential.
                let search = try await send(nil, .get, "/api/v1/public/search?name=%E6%B5%8B%E8%AF%95%E7%94%B2")
                #expect(search.status == .ok && String(buffer: search.body).contains("\"A\""), "\(engine): \(String(buffer: search.body))")
                _ = try await send(nil, .get, "/api/v1/public/search?name=%E6%97%A0%E4%BA%BA")
                // The checkpoint of the 6 base events and proofs into it.
                let checkpoint = try await send(nil, .get, "/api/v1/checkpoint")
                #expect(checkpoint.status == .ok && String(buffer: checkpoint.body).contains(#""size":6"#), "\(engine): \(String(buffer: checkpoint.body))")
                let proof = try await send("auditor", .get, "/api/v1/proofs/inclusion?seq=2")
                #expect(proof.status == .ok && String(buffer: proof.body).contains(#""tree_size":6"#), "\(engine): \(String(buffer: proof.body))")
                _ = try await send("unit", .get, "/api/v1/proofs/inclusion?seq=6")     // B: hidden from the unit
                _ = try await send("auditor", .get, "/api/v1/proofs/inclusion?seq=8")  // after the checkpoint: 409
                _ = try await send("auditor", .get, "/api/v1/proofs/consistency?from=2&to=6")
                _ = try await send("auditor", .get, "/api/v1/proofs/consistency?from=7&to=99")
                // A revoked or unknown token: 401.
                _ = try await send(nil, .get, "/api/v1/entries", nil, [.authorization: "Bearer ll_0123456789abcdef_" + String(repeating: "0", count: 64)])
                return transcript
            }
            // Who recorded what, and who read what: beside the log, in the same store.
            let court = "token:\(ids["court"]!)"
            if let database {
                let log = try await database.log(court: nil)
                #expect(try await database.credentials(of: log, seqs: [1, 7, 8]) == [7: court, 8: court], "\(engine)")
                let reads = try await database.accessLog(of: log, entry: "A")
                #expect(reads.contains { $0.route == "/api/v1/entries/{entry}" && $0.credential == "token:\(ids["unit"]!)" }, "\(engine): \(reads)")
            } else {
                let ledger = try Ledger.open(path: made.db)
                #expect(try ledger.credentials(ofSeqs: [1, 7, 8]) == [7: court, 8: court], "\(engine)")
                #expect(try ledger.accessLog(entry: "A").contains { $0.route == "/api/v1/entries/{entry}" && $0.credential == "token:\(ids["unit"]!)" })
            }
            return transcript
        }
    }

    @Test("posts (201, repeat, refusal 400 with nothing written, 403 for another's act, If-Match 409), reads, public search, checkpoint and proofs",
          arguments: Engine.allCases)
    func api(_ engine: Engine) async throws {
        let transcript = try await Self.scenario(engine)
        #expect(transcript.count > 20)
        #expect(!transcript.contains { $0.status >= 500 }, "\(engine): \(transcript.filter { $0.status >= 500 })")
    }

    @Test("the two engines answer the scenario alike: same statuses, same JSON")
    func sameAnswers() async throws {
        let sqlite = try await Self.scenario(.sqlite)
        let postgres = try await Self.scenario(.postgresql)
        #expect(sqlite.count == postgres.count)
        // The normalisation leaves the answers apart: the comparison is not of empty shells.
        #expect(Set(sqlite.map(\.body)).count > 15, "\(sqlite)")
        for (expected, actual) in zip(sqlite, postgres) {
            #expect(actual == expected)
        }
    }

    @Test("tokens and users on PostgreSQL: issue, list, revoke (401 at once), a user's Basic sign-in, disable")
    func credentialsOnPostgres() async throws {
        let made = try await Self.make(.postgresql)
        defer { try? FileManager.default.removeItem(at: made.dir) }
        let listed = try listledger(["tokens", "list", "--json", "--db", made.db])
        #expect(listed.contains(made.tokenIDs["court"]!) && listed.contains(#""state":"live""#), "\(listed)")
        _ = try runProgram(try listledgerBinary(), ["users", "add", "clerk-wang", "--party", Self.court, "--scope", "read", "--db", made.db],
                           stdin: "a long enough password\n")
        #expect(try listledger(["users", "list", "--db", made.db]).contains("clerk-wang"))
        let basic = "Basic " + Data("clerk-wang:a long enough password".utf8).base64EncodedString()
        let court = made.tokens["court"]!
        let statuses = try await Self.withServer(.postgresql, made) { server, _ in
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            return try await server.makeApplication(logger: logger).test(.router) { client -> [Int] in
                var statuses: [Int] = []
                func status(_ authorization: String) async throws -> Int {
                    Int(try await client.execute(uri: "/api/v1/entries", method: .get, headers: [.authorization: authorization]).status.code)
                }
                statuses.append(try await status(basic))
                statuses.append(try await status("Bearer \(court)"))
                _ = try listledger(["tokens", "revoke", Self.tokenID(court), "--db", made.db])
                _ = try listledger(["users", "disable", "clerk-wang", "--db", made.db])
                statuses.append(try await status(basic))
                statuses.append(try await status("Bearer \(court)"))
                // The pages are served on PostgreSQL too (ServerTests' page suites run on both engines).
                let page = try await client.execute(uri: "/login", method: .get)
                statuses.append(Int(page.status.code))
                #expect(String(buffer: page.body).contains(#"<html lang="zh-CN">"#))
                return statuses
            }
        }
        #expect(statuses == [200, 200, 401, 401, 200])
        let revoked = try runProgram(try listledgerBinary(), ["tokens", "revoke", Self.tokenID(court), "--db", made.db])
        #expect(revoked.status == 1 && revoked.stderr.contains("no live token"), "\(revoked)")
    }

    @Test("the real `serve` process as the server role of `pg setup`: posts (201, attributed), reads (logged), a page sign-in and sign-out, and the role may not change the access log, the attribution, the credentials, a session's expiry or the names")
    func serveAsServerRole() async throws {
        let owner = try await freshDatabase("serve_role")
        let suffix = owner.database.split(separator: "_").last!
        let serverRole = "srv_\(suffix)", readerRole = "rdr_\(suffix)"
        _ = try listledger(["init", "--court", Self.court, "--db", owner.description])
        _ = try listledger(["pg", "setup", "--db", owner.description, "--server-role", serverRole, "--reader-role", readerRole])
        let token = String(try listledger(["tokens", "issue", "--party", Self.court, "--scope", "record,read", "--db", owner.description])
            .split(separator: "\n").last ?? "")
        _ = try runProgram(try listledgerBinary(), ["users", "add", "clerk-wang", "--party", Self.court, "--scope", "record,read", "--db", owner.description],
                           stdin: "a long enough password\n")
        let server = owner.with(user: serverRole)
        let (process, port) = try await startServe(["--db", server.description])
        defer { if process.isRunning { process.terminate() } }
        let post = try runProgram("/usr/bin/env", ["curl", "-s", "-w", " %{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(token)",
                                                   "-H", "Content-Type: application/json", "--data", Self.baseEvents[0],
                                                   "http://127.0.0.1:\(port)/api/v1/events"]).stdout
        #expect(post == #"{"duplicates":[],"seqs":[1]}"# + "\n 201", "\(post)")
        let read = try runProgram("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
                                                   "http://127.0.0.1:\(port)/api/v1/entries/A"]).stdout
        #expect(read == "200")
        // The pages as that role: sign in (a session row), a page, sign out (its end time only).
        let jar = FileManager.default.temporaryDirectory.appendingPathComponent("ll-jar-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: jar) }
        func curl(_ arguments: [String]) throws -> String {
            try runProgram("/usr/bin/env", ["curl", "-s", "-b", jar, "-c", jar] + arguments).stdout
        }
        func csrf(_ page: String) -> String {
            guard let range = page.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) else { return "" }
            return String(page[range].dropFirst(#"name="csrf" value=""#.count).prefix(64))
        }
        let base = "http://127.0.0.1:\(port)"
        let login = try curl([base + "/login"])
        let signedIn = try curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "csrf=\(csrf(login))", "--data-urlencode", "user=clerk-wang",
                                 "--data-urlencode", "password=a long enough password", base + "/login"])
        #expect(signedIn == "303")
        let entries = try curl([base + "/entries"])
        #expect(entries.contains(">A</a>") && entries.contains("白沙黎族自治县人民法院"), "\(entries)")
        #expect(try curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "csrf=\(csrf(entries))", base + "/logout"]) == "303")
        #expect(try curl(["-o", "/dev/null", "-w", "%{http_code}", base + "/entries"]) == "303", "signed out: sent to sign in")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SIGTERM stops serve gracefully")
        try await PostgresLedger.withLedger(url: owner) { database in
            let log = try await database.log(court: nil)
            #expect(try await database.credentials(of: log, seqs: [1]) == [1: "token:\(Self.tokenID(token))"])
            // The API's read, then the page's list, which shows A's debtor (logged by that role too).
            #expect(try await database.accessLog(of: log, entry: "A").map(\.route) == ["/api/v1/entries/{entry}", "/entries"])
        }
        for statement in ["DELETE FROM access_log", "UPDATE event_credentials SET credential = 'x'", "UPDATE credential_tokens SET revoked_ms = NULL",
                          "INSERT INTO credential_users(name, party, scopes, password_hash, created_ms) VALUES ('x', 'court:x', 'admin', '\\x00', 0)",
                          // The pages' tables: a session's only change is its end; names are the operator's.
                          "UPDATE web_sessions SET expires_ms = 0", "DELETE FROM web_sessions", "UPDATE party_names SET name = 'x'"] {
            await PgOperationsTests().expectDenied(statement, as: server)
        }
    }

    @Test("a database of schema 2 gains the pages' tables (schema 3) at the owner's next command")
    func webSchemaMigrates() async throws {
        let url = try await freshDatabase("schema2")
        _ = try listledger(["init", "--court", Self.court, "--db", url.description])
        // Schema 2 as it was: without the pages' tables (the probe is their last index).
        try await PostgresAdmin.execute(["DROP TABLE web_sessions", "DROP TABLE party_names"], on: url)
        #expect(try await PostgresAdmin.scalar("SELECT to_regclass('public.web_sessions')::text", on: url) == nil)
        _ = try listledger(["tokens", "list", "--db", url.description])
        for table in ["web_sessions", "party_names", "web_sessions_by_user"] {
            #expect(try await PostgresAdmin.scalar("SELECT to_regclass('public.\(table)')::text", on: url) == table)
        }
    }

    @Test("serve on a database without that court's log refuses before binding, naming --court")
    func serveNeedsTheLog() async throws {
        let db = try await freshDatabase("serve_nolog").description
        _ = try listledger(["init", "--court", Self.court, "--db", db])
        let refused = try runProgram(try listledgerBinary(), ["serve", "--db", db, "--court", "court:nowhere", "--port", "0"])
        #expect(refused.status == 1 && refused.stderr.contains("--court"), "\(refused)")
    }
}
