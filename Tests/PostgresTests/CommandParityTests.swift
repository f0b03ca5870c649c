import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// The commands SPEC §5 adds beyond state and obligations, run by the real `listledger` binary
/// on a SQLite file and on a PostgreSQL database with the same scenario: report, record,
/// erase and verify-value, profile, rebuild, access-log and verify --against. Each compares the
/// two engines' outputs with each other AND checks the facts the scenario fixes (counted from
/// the fixture, not from the code).
@Suite("PostgreSQL: every command gives the same results as on SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgCommandParityTests {
    static let scenario = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path

    /// The demo scenario in a new SQLite file and a new PostgreSQL database, each court:baisha.
    struct Pair {
        let dir: URL
        let sqlite: String
        let postgres: String
        let url: PostgresURL
        var both: [String] { [sqlite, postgres] }

        init(_ label: String, append: Bool = true) async throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-cmd-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            sqlite = dir.appendingPathComponent("demo.sqlite").path
            url = try await freshDatabase(label)
            postgres = url.description
            for db in both {
                _ = try listledger(["init", "--court", "court:baisha", "--db", db])
                if append { _ = try listledger(["append", PgCommandParityTests.scenario, "--db", db]) }
            }
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    static func fixtureLines() throws -> [[String: Any]] {
        try String(contentsOfFile: scenario, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test("report: md, json and html are byte for byte the same; the complaints are the fixture's")
    func report() async throws {
        let pair = try await Pair("report")
        defer { pair.remove() }
        for format in ["md", "json", "html"] {
            let arguments = ["report", "--from", "2018-01-01", "--to", "2026-11-30", "--format", format]
            let expected = try listledger(arguments + ["--db", pair.sqlite])
            #expect(expected.count > 500, "\(format): SQLite printed almost nothing")
            #expect(try listledger(arguments + ["--db", pair.postgres]) == expected, "report --format \(format) differs between the engines")
        }
        // The fixture's complaints: received, answered, and the one never resolved still open.
        let lines = try Self.fixtureLines()
        let received = lines.filter { $0["type"] as? String == "complaint_received" }.compactMap { $0["complaint"] as? String }
        let resolved = Set(lines.filter { $0["type"] as? String == "complaint_resolved" }.compactMap { $0["complaint"] as? String })
        let report = try Self.json(try listledger(["report", "--from", "2018-01-01", "--to", "2026-11-30", "--format", "json", "--db", pair.postgres]))
        let complaints = try #require(report["complaints"] as? [[String: Any]])
        let receivedInReport: Int = complaints.map { $0["received"] as? Int ?? 0 }.reduce(0, +)
        let answeredInReport: Int = complaints.map { $0["answered"] as? Int ?? 0 }.reduce(0, +)
        let openInReport: Set<String> = Set(complaints.flatMap { $0["open"] as? [String] ?? [] })
        let unresolved: Set<String> = Set(received.filter { !resolved.contains($0) })
        #expect(receivedInReport == received.count)
        #expect(answeredInReport == resolved.count)
        #expect(openInReport == unresolved)
    }

    @Test("record: the same seqs, repeats and refusals on both; on PostgreSQL an event goes to its entry's log")
    func record() async throws {
        let pair = try await Pair("record")
        defer { pair.remove() }
        let notice = ["record", "risk_notice_issued", "--entry", "E-NEW", "--at", "2026-11-19T10:00:00+08:00", "--actor", "court:baisha",
                      "--court", "court:baisha", "--case", "(2026)琼9030执9号", "--debtor-kind", "person", "--debtor-name", "王某",
                      "--debtor-id", "460030198001010201"]
        let push = ["record", "inclusion_decided", "--entry", "E-NEW", "--at", "2026-11-19T11:00:00+08:00", "--actor", "court:baisha",
                    "--court", "court:baisha", "--case", "(2026)琼9030执9号", "--debtor-kind", "person", "--debtor-name", "王某",
                    "--debtor-id", "460030198001010201", "--grounds", "able_but_refuses", "--public", "true"]
        let events = try Self.fixtureLines().count
        for db in pair.both {
            #expect(try listledger(notice + ["--db", db]) == "recorded risk_notice_issued as seq \(events + 1)\n")
            #expect(try listledger(push + ["--json", "--db", db]) == #"{"appended":[\#(events + 2)]}"# + "\n")
            // The same content again is a repeat (SPEC §3), not a new seq.
            #expect(try listledger(push + ["--db", db]) == "repeats seq \(events + 2) (same content, no id); not stored again\n")
            // A unit may not push; nothing is written (exit 1).
            let refused = try runProgram(try listledgerBinary(), ["record", "pushed_to_unit", "--entry", "E-NEW", "--at", "2026-11-19T12:00:00+08:00",
                                                                  "--actor", "unit:pboc-baisha", "--unit", "unit:x", "--db", db])
            #expect(refused.status == 1 && refused.stderr.contains("nothing was written"), "\(refused)")
            #expect(try listledger(["verify", "--json", "--db", db]).contains(#""events":\#(events + 2)"#))
        }
        let state = ["state", "--json", "--entry", "E-NEW"]
        let sqliteState = try listledger(state + ["--db", pair.sqlite])
        #expect(sqliteState.contains(#""public":true"#) && sqliteState.contains(#""status":"listed""#), "\(sqliteState)")
        #expect(try listledger(state + ["--db", pair.postgres]) == sqliteState)

        // Two logs: an inclusion naming court:qiongzhong starts an entry in its log, the next act
        // on that entry goes there too, without --court; the baisha log is untouched.
        _ = try listledger(["init", "--court", "court:qiongzhong", "--db", pair.postgres])
        _ = try listledger(["record", "inclusion_decided", "--entry", "QZ-1", "--at", "2026-11-19T10:00:00+08:00", "--actor", "court:qiongzhong",
                            "--court", "court:qiongzhong", "--case", "(2026)琼9030执10号", "--debtor-kind", "person", "--debtor-name", "李某",
                            "--debtor-id", "460030198001010201", "--grounds", "able_but_refuses", "--public", "true", "--db", pair.postgres])
        #expect(try listledger(["record", "decision_served", "--entry", "QZ-1", "--at", "2026-11-19T12:00:00+08:00", "--actor", "court:qiongzhong",
                                "--db", pair.postgres]) == "recorded decision_served as seq 2\n")
        #expect(try listledger(["verify", "--json", "--court", "court:qiongzhong", "--db", pair.postgres]).contains(#""events":2"#))
        #expect(try listledger(["verify", "--json", "--court", "court:baisha", "--db", pair.postgres]).contains(#""events":\#(events + 2)"#))
        let unknown = try runProgram(try listledgerBinary(), ["record", "decision_served", "--entry", "NOWHERE", "--at", "2026-11-19T12:00:00+08:00",
                                                              "--actor", "court:baisha", "--db", pair.postgres])
        #expect(unknown.status == 1 && unknown.stderr.contains("NOWHERE"), "\(unknown)")
    }

    @Test("erase and verify-value: the values and salts are gone from PostgreSQL, the log and proofs still verify, as on SQLite")
    func eraseAndVerifyValue() async throws {
        let pair = try await Pair("erase")
        defer { pair.remove() }
        let lines = try Self.fixtureLines()
        // An entry the fixture shields, and its debtor's ID number.
        let shielded = try #require(lines.first { $0["type"] as? String == "entry_shielded" }?["entry"] as? String)
        let debtor = try #require(lines.first { $0["entry"] as? String == shielded && $0["debtor"] != nil }?["debtor"] as? [String: Any])
        let idNumber = try #require(debtor["id_number"] as? String)
        let firstSeq = Int64(try #require(lines.firstIndex { $0["entry"] as? String == shielded && $0["debtor"] != nil })) + 1

        // verify-value before: the value and salt the store holds open the commitment.
        let event = try await PostgresLedger.withLedger(url: pair.url) { ledger in
            try await ledger.event(of: try await ledger.log(court: nil), seq: firstSeq)
        }
        let salt = try #require(event?.secrets["debtor.id_number"]?.salt).map { String(format: "%02x", $0) }.joined()
        let check = ["verify-value", "--seq", "\(firstSeq)", "--path", "debtor.id_number", "--salt", salt, "--db", pair.postgres]
        #expect(try listledger(check + ["--value", idNumber]).hasPrefix("matches:"))
        _ = try listledger(check + ["--value", "460030198001010105"], expect: 4)
        _ = try listledger(["verify-value", "--seq", "99999", "--path", "debtor.id_number", "--salt", salt, "--value", idNumber,
                            "--db", pair.postgres], expect: 1)

        var states: [String] = []
        for db in pair.both {
            let erased = try listledger(["erase", "--entry", shielded, "--reason", "PIPL art. 47", "--db", db])
            #expect(erased == "erased the personal data of 2 events of \(shielded); recorded as seq \(lines.count + 1)\n", "\(db): \(erased)")
            let again = try runProgram(try listledgerBinary(), ["erase", "--entry", shielded, "--reason", "again", "--db", db])
            #expect(again.status == 1 && again.stderr.contains("already had its personal data erased"), "\(again)")
            let history = try listledger(["history", "--entry", shielded, "--json", "--db", db])
            #expect(!history.contains(idNumber) && history.contains("personal_data_erased"), "\(db)")
            #expect(try listledger(["verify", "--json", "--db", db]).contains(#""ok":true"#))
            if db == pair.postgres {
                _ = try listledger(["checkpoint", "--db", db])
                _ = try listledger(["prove", "--seq", "\(firstSeq)", "--json", "--db", db])
            }
            let state = try listledger(["state", "--json", "--entry", shielded, "--db", db])
            #expect(!state.contains(#""debtor":"\#(debtor["name"] as! String)""#), "\(db): the projection still names the debtor")
            // The commitment (salted, random per store) differs between the engines; the rest is the same.
            states.append(state.replacingOccurrences(of: #""debtor":"sha256:[0-9a-f]{64}""#, with: #""debtor":"…""#, options: .regularExpression))
        }
        #expect(states[0] == states[1])
        // No table of the database holds a value or a salt of the entry any more.
        let left = try await PostgresAdmin.scalar("""
            SELECT count(*)::text FROM personal_data p JOIN events e USING (log_id, seq) WHERE e.entry = '\(shielded)'
            """, on: pair.url)
        #expect(left == "0")
        let mentions = try await PostgresAdmin.scalar("""
            SELECT ((SELECT count(*) FROM personal_data WHERE position(convert_to('\(idNumber)', 'UTF8') IN data) > 0)
                  + (SELECT count(*) FROM entry_states WHERE position(convert_to('\(idNumber)', 'UTF8') IN state) > 0)
                  + (SELECT count(*) FROM inbox WHERE position(convert_to('\(idNumber)', 'UTF8') IN events) > 0))::text
            """, on: pair.url)
        #expect(mentions == "0")
        // The commitment stays: whoever kept the value and salt can still open it.
        #expect(try listledger(check + ["--value", idNumber]).hasPrefix("matches:"))
        // An entry only noticed (never included, shielded or revoked) may not be erased: nothing written.
        for db in pair.both {
            _ = try listledger(["record", "risk_notice_issued", "--entry", "E-NEW", "--at", "2026-11-19T10:00:00+08:00", "--actor", "court:baisha",
                                "--court", "court:baisha", "--case", "(2026)琼9030执9号", "--debtor-kind", "person", "--debtor-name", "王某",
                                "--debtor-id", "460030198001010201", "--db", db])
            let refused = try runProgram(try listledgerBinary(), ["erase", "--entry", "E-NEW", "--reason", "too early", "--db", db])
            #expect(refused.status == 1 && refused.stderr.contains("nothing was written"), "\(db): \(refused)")
            #expect(try listledger(["verify", "--json", "--db", db]).contains(#""events":\#(lines.count + 2)"#))
        }
    }

    @Test("profile show and keys: the log's profile on PostgreSQL; keys init refused while the log has a key, naming --replace")
    func profileAndKeys() async throws {
        let pair = try await Pair("profile", append: false)
        defer { pair.remove() }
        let sqlite = try listledger(["profile", "show", "--json", "--db", pair.sqlite])
        #expect(try listledger(["profile", "show", "--json", "--db", pair.postgres]) == sqlite)
        #expect(sqlite.contains("baisha-2018"))
        // A log made with the other profile shows that one.
        _ = try listledger(["init", "--court", "court:qiongzhong", "--profile", "spc-2017", "--db", pair.postgres])
        let spc = try listledger(["profile", "show", "--court", "court:qiongzhong", "--db", pair.postgres])
        #expect(spc.hasPrefix("spc-2017:"), "\(spc)")
        // `init --court` made the key: a second needs --replace (PgCalendarKeyParityTests).
        let key = try listledger(["keys", "show", "--court", "court:baisha", "--db", pair.postgres])
        let refused = try runProgram(try listledgerBinary(), ["keys", "init", "--court", "court:baisha", "--db", pair.postgres])
        #expect(refused.status == 1 && refused.stderr.contains("--replace") && refused.stderr.contains("nothing was written"), "\(refused)")
        #expect(try listledger(["keys", "show", "--court", "court:baisha", "--db", pair.postgres]) == key)
    }

    @Test("rebuild: damaged projections come back row for row as the sequencer kept them")
    func rebuild() async throws {
        let pair = try await Pair("rebuild")
        defer { pair.remove() }
        // A flag too: the first breach, flagged as the alert runner would.
        let breaches = try Self.json(try listledger(["obligations", "--json", "--status", "breached", "--as-of", "2026-11-20", "--db", pair.postgres]))
        let first = try #require((breaches["obligations"] as? [[String: Any]])?.first)
        let (obligation, entry) = (first["id"] as! String, first["entry"] as! String)
        _ = try listledger(["record", "breach_flagged", "--entry", entry, "--at", "2026-11-19T00:00:00+08:00", "--actor", "system:alerts",
                            "--obligation", obligation, "--db", pair.postgres])
        let snapshot = """
            SELECT md5(string_agg(r, '|' ORDER BY r))::text || ':' || count(*)::text FROM (
              SELECT 's' || entry || encode(state, 'hex') AS r FROM entry_states
              UNION ALL SELECT 'c' || complaint || coalesce(entry, '-') || received_seq || '/' || coalesce(resolved_seq::text, '-') FROM complaints
              UNION ALL SELECT 'f' || obligation || flagged_seq FROM flags
              UNION ALL SELECT 'o' || id || stored FROM obligations) AS rows
            """
        let kept = try #require(try await PostgresAdmin.scalar(snapshot, on: pair.url))
        let lines = try Self.fixtureLines()
        let entries = Set(lines.compactMap { $0["entry"] as? String }).count
        let complaints = Set(lines.compactMap { $0["type"] as? String == "complaint_received" ? $0["complaint"] as? String : nil }).count
        let obligations = try #require(try await PostgresAdmin.scalar("SELECT count(*)::text FROM obligations", on: pair.url)).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(obligations) ?? 0 > 0)
        #expect(kept.hasSuffix(":\(entries + complaints + 1 + (Int(obligations) ?? 0))"), "\(kept): every entry, complaint, the flag and the obligations")
        // Damage every projection: a state rewritten, a row gone, a complaint unresolved, a flag invented, an obligation gone.
        _ = try await PostgresAdmin.scalar("""
            WITH a AS (UPDATE entry_states SET state = '\\x7b7d' WHERE entry = (SELECT min(entry) FROM entry_states) RETURNING 1),
                 b AS (DELETE FROM entry_states WHERE entry = (SELECT max(entry) FROM entry_states) RETURNING 1),
                 c AS (UPDATE complaints SET resolved_seq = NULL RETURNING 1),
                 d AS (INSERT INTO flags(log_id, obligation, flagged_seq) SELECT log_id, 'X/R4/1', 1 FROM logs RETURNING 1),
                 e AS (DELETE FROM obligations WHERE id = (SELECT min(id) FROM obligations) RETURNING 1)
            SELECT 'damaged'
            """, on: pair.url)
        #expect(try await PostgresAdmin.scalar(snapshot, on: pair.url) != kept)
        #expect(try listledger(["rebuild", "--db", pair.postgres]) == "rebuilt the projections from \(lines.count + 1) events\n")
        #expect(try await PostgresAdmin.scalar(snapshot, on: pair.url) == kept)
        // And what the commands read from them is SQLite's again.
        _ = try listledger(["record", "breach_flagged", "--entry", entry, "--at", "2026-11-19T00:00:00+08:00", "--actor", "system:alerts",
                            "--obligation", obligation, "--db", pair.sqlite])
        #expect(try listledger(["state", "--json", "--db", pair.postgres]) == listledger(["state", "--json", "--db", pair.sqlite]))
        #expect(try listledger(["obligations", "--json", "--as-of", "2026-11-20", "--db", pair.postgres])
                == listledger(["obligations", "--json", "--as-of", "2026-11-20", "--db", pair.sqlite]))
    }

    @Test("access-log: the server's reads of a log, filtered by party, entry and time, in Beijing time")
    func accessLog() async throws {
        let pair = try await Pair("access", append: false)
        defer { pair.remove() }
        let base = instant("2026-12-02T01:30:00Z").epochMilliseconds
        try await PostgresLedger.withLedger(url: pair.url) { ledger in
            try await ledger.logAccess(of: try await ledger.log(court: nil), [
                AccessRecord(atMilliseconds: base, credential: "tok_a", party: "court:baisha", entry: "E1", address: "127.0.0.1", route: "GET /api/v1/entries/E1"),
                AccessRecord(atMilliseconds: base + 60_000, credential: "tok_b", party: "unit:pboc-baisha", entry: "E1", address: "10.0.0.2", route: "GET /api/v1/entries/E1/history"),
                AccessRecord(atMilliseconds: base + 120_000, credential: "tok_a", party: "court:baisha", entry: "E2", address: "127.0.0.1", route: "GET /api/v1/entries/E2"),
            ])
        }
        let all = try Self.json(try listledger(["access-log", "--json", "--db", pair.postgres]))["reads"] as? [[String: Any]]
        #expect(all?.map { $0["entry"] as? String } == ["E1", "E1", "E2"])
        #expect(all?.first?["at"] as? String == "2026-12-02T09:30:00+08:00")
        let court = try Self.json(try listledger(["access-log", "--json", "--party", "court:baisha", "--db", pair.postgres]))["reads"] as? [[String: Any]]
        #expect(court?.map { $0["entry"] as? String } == ["E1", "E2"])
        let e1 = try Self.json(try listledger(["access-log", "--json", "--entry", "E1", "--from", "2026-12-02T09:31:00+08:00", "--db", pair.postgres]))["reads"] as? [[String: Any]]
        #expect(e1?.map { $0["party"] as? String } == ["unit:pboc-baisha"])
        #expect(try listledger(["access-log", "--db", pair.postgres]).hasSuffix("3 reads\n"))
        // The SQLite ledger has had no reads: the same empty answer in the same shape.
        #expect(try listledger(["access-log", "--json", "--db", pair.sqlite]) == #"{"reads":[]}"# + "\n")
    }

    @Test("verify --against: a log extends its own earlier checkpoint; another log of the same court does not")
    func verifyAgainst() async throws {
        let pair = try await Pair("against")
        defer { pair.remove() }
        let note = pair.dir.appendingPathComponent("checkpoint.txt").path, key = pair.dir.appendingPathComponent("key.txt").path
        try listledger(["checkpoint", "--db", pair.postgres]).write(toFile: note, atomically: true, encoding: .utf8)
        try listledger(["keys", "show", "--db", pair.postgres]).write(toFile: key, atomically: true, encoding: .utf8)
        let notice = ["record", "risk_notice_issued", "--entry", "E-NEW", "--at", "2026-11-19T10:00:00+08:00", "--actor", "court:baisha",
                      "--court", "court:baisha", "--case", "(2026)琼9030执9号", "--debtor-kind", "person", "--debtor-name", "王某",
                      "--debtor-id", "460030198001010201"]
        _ = try listledger(notice + ["--db", pair.postgres])
        let events = try Self.fixtureLines().count
        let ok = try Self.json(try listledger(["verify", "--json", "--against", note, "--key", key, "--db", pair.postgres]))
        #expect(ok["ok"] as? Bool == true)
        #expect((ok["against"] as? [String: Any])?["checkpoint_size"] as? Int == events)
        // A second database with its own court:baisha log, holding other events: the first
        // log's checkpoint (same origin, opened with its own key) is not extended by it.
        let other = try await freshDatabase("against2")
        _ = try listledger(["init", "--court", "court:baisha", "--db", other.description])
        // The same events after one of its own: every leaf from the first on differs.
        _ = try listledger(notice + ["--db", other.description])
        _ = try listledger(["append", Self.scenario, "--db", other.description])
        let failed = try runProgram(try listledgerBinary(), ["verify", "--json", "--against", note, "--key", key, "--db", other.description])
        #expect(failed.status == 4, "\(failed)")
        #expect(failed.stdout.contains(#""ok":false"#))
        // The wrong key: the checkpoint is not opened at all (integrity failure, exit 4).
        let wrongKey = try runProgram(try listledgerBinary(), ["verify", "--against", note, "--key", try listledger(["keys", "show", "--db", other.description]).split(separator: "\n").last.map(String.init) ?? "", "--db", pair.postgres])
        #expect(wrongKey.status == 4, "\(wrongKey)")
    }
}

/// `alerts` on PostgreSQL: the same findings, exit code and flags as on SQLite.
@Suite("PostgreSQL: alerts as on SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgAlertsParityTests {
    @Test("alerts --json, --record once (never twice), and the refusal of what PostgreSQL does not offer yet")
    func alerts() async throws {
        let pair = try await PgCommandParityTests.Pair("alerts")
        defer { pair.remove() }
        let json = ["alerts", "--json", "--as-of", "2026-11-20"]
        let expected = try listledger(json + ["--db", pair.sqlite], expect: 3)
        #expect(try listledger(json + ["--db", pair.postgres], expect: 3) == expected)
        // Every breach `obligations` lists (its own query, R2 windows are never breaches) is an alert.
        let breached = try PgCommandParityTests.json(try listledger(["obligations", "--json", "--status", "breached", "--as-of", "2026-11-20",
                                                                     "--db", pair.postgres]))["obligations"] as? [[String: Any]] ?? []
        #expect(!breached.isEmpty)
        #expect(expected.split(separator: "\n").filter { $0.contains(#""alert":"breach""#) }.count == breached.count)
        for db in pair.both {
            let first = try listledger(["alerts", "--record", "--as-of", "2026-11-20", "--db", db], expect: 3)
            #expect(first.hasSuffix("flagged \(breached.count) new breach\(breached.count == 1 ? "" : "es")\n"), "\(db): \(first)")
            let again = try listledger(["alerts", "--record", "--as-of", "2026-11-20", "--db", db], expect: 3)
            #expect(again.hasSuffix("flagged 0 new breaches\n"), "\(db): \(again)")
        }
        #expect(try listledger(json + ["--db", pair.postgres], expect: 3) == listledger(json + ["--db", pair.sqlite], expect: 3))
        #expect(try listledger(["verify", "--json", "--db", pair.postgres]).contains(#""events":\#(try PgCommandParityTests.fixtureLines().count + breached.count)"#))
        // The shipped calendar loaded on both (the one already in force): the obligations are
        // derived again, the alerts the same and the flags kept.
        let shipped = repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json").path
        for db in pair.both { _ = try listledger(["calendar", "load", shipped, "--db", db]) }
        #expect(try listledger(json + ["--db", pair.postgres], expect: 3) == listledger(json + ["--db", pair.sqlite], expect: 3))
    }
}

/// Webhooks on PostgreSQL: receivers per log, signed POSTs to a real HTTP receiver on
/// loopback, each breach delivered once per receiver, as on SQLite.
@Suite("PostgreSQL: webhooks as on SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgWebhookParityTests {
    /// A receiver on 127.0.0.1 (python3's http.server): answers 200 and appends each POST as a
    /// JSON line {"headers", "body"} to `log`; its port is written to `portFile`.
    static let receiver = """
        import http.server, json, os, sys, threading
        log, port_file = sys.argv[1], sys.argv[2]
        threading.Timer(120, os._exit, [0]).start()  # never outlives a stuck test
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                with open(log, 'a') as f:
                    f.write(json.dumps({'headers': {k.lower(): v for k, v in self.headers.items()}, 'body': body.decode()}) + '\\n')
                self.send_response(200); self.end_headers()
            def log_message(self, *a): pass
        s = http.server.HTTPServer(('127.0.0.1', 0), H)
        open(port_file, 'w').write(str(s.server_address[1]))
        s.serve_forever()
        """

    @Test("webhooks add/list/remove; alerts POSTs each of the party's breaches once, signed with the receiver's secret")
    func webhooks() async throws {
        let pair = try await PgCommandParityTests.Pair("webhooks")
        defer { pair.remove() }
        let script = pair.dir.appendingPathComponent("receiver.py").path
        try Self.receiver.write(toFile: script, atomically: true, encoding: .utf8)
        var delivered: [String: [String]] = [:]
        for (index, db) in pair.both.enumerated() {
            let log = pair.dir.appendingPathComponent("posts-\(index).jsonl").path, portFile = pair.dir.appendingPathComponent("port-\(index)").path
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["python3", script, log, portFile]
            // Not the test's pipes: a receiver left running must not keep the test run open.
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            server.standardInput = FileHandle.nullDevice
            try server.run()
            defer { server.terminate() }
            var port: String?
            for _ in 0..<100 where port == nil {
                try await Task.sleep(for: .milliseconds(50))
                port = try? String(contentsOfFile: portFile, encoding: .utf8)
            }
            let url = "http://127.0.0.1:\(try #require(port))/hook"
            let added = try listledger(["webhooks", "add", "--party", "court:baisha", "--url", url, "--db", db])
            let secretHex = try #require(added.split(separator: "\n").last.map(String.init))
            let listed = try listledger(["webhooks", "list", "--json", "--db", db])
            #expect(listed.contains(url) && listed.contains("court:baisha") && !listed.contains(secretHex), "\(db): \(listed)")
            _ = try listledger(["alerts", "--as-of", "2026-11-20", "--db", db], expect: 3)
            _ = try listledger(["alerts", "--as-of", "2026-11-20", "--db", db], expect: 3)  // nothing new: delivered already
            let posts = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { try PgCommandParityTests.json(String($0)) }
            var ids: [String] = []
            for post in posts {
                let headers = try #require(post["headers"] as? [String: String]), body = try #require(post["body"] as? String)
                let expected = "sha256=" + HMACSHA256.authenticationCode(key: Hex.decode(secretHex)!, message: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
                #expect(headers["x-listledger-signature"] == expected, "\(db): a POST not signed with the receiver's secret")
                #expect(headers["x-listledger-court"] == "court:baisha")
                let payload = try PgCommandParityTests.json(body)
                #expect(payload["obligor"] as? String == "court:baisha")
                ids.append(try #require(payload["id"] as? String))
            }
            delivered[db] = ids
            // Removed: nothing more is sent to it, and it is gone from the list.
            let id = try #require(try PgCommandParityTests.json(listed)["receivers"] as? [[String: Any]]).first?["id"] as? String
            _ = try listledger(["webhooks", "remove", try #require(id), "--db", db])
            #expect(try listledger(["webhooks", "list", "--json", "--db", db]) == #"{"receivers":[]}"# + "\n")
        }
        // court:baisha's breaches, each once (the second run delivered none again), the same on both engines.
        let breached = try PgCommandParityTests.json(try listledger(["obligations", "--json", "--status", "breached", "--as-of", "2026-11-20",
                                                                     "--obligor", "court:baisha", "--db", pair.sqlite]))["obligations"] as? [[String: Any]] ?? []
        #expect(!breached.isEmpty)
        #expect(Set(delivered[pair.sqlite] ?? []) == Set(breached.compactMap { $0["id"] as? String }))
        #expect(delivered[pair.sqlite]?.count == breached.count)
        #expect(delivered[pair.postgres]?.sorted() == delivered[pair.sqlite]?.sorted())
    }
}
