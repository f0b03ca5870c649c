import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// `calendar load` and `keys init` on PostgreSQL (issue 13 point 1: every command on either
/// engine), each compared with the same commands on a SQLite file: the loaded calendar moves the
/// same due days on both, for the obligations derived again and for those of events appended
/// after it; a new key (`--replace`) signs the next checkpoints while the older ones still verify
/// with the old key; the refusals exit 1 naming the flag, with nothing written.
@Suite("PostgreSQL: calendar load and keys init as on SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgCalendarKeyParityTests {
    static let debtor = #"{"kind": "person", "name": "测试甲", "id_number": "460030198001010105"}"#

    /// An entry served on Mon 2025-09-22 (R2, 10 days: Thu 10-02) whose correction is asked on
    /// Mon 09-29 (R3, 3 days: Thu 10-02). The 2025 notice gives 10-01…10-08 off, so with the
    /// shipped calendar both are due Thu 10-09 (the first working day after).
    static func lines(_ entry: String) -> String {
        let at = { (day: String) in "\"at\": \"2025-\(day)T10:00:00+08:00\", \"actor\": \"court:baisha\"" }
        return [
            #"{"type": "risk_notice_issued", "entry": "\#(entry)", \#(at("09-01")), "court": "court:baisha", "case": "(2025)琼9030执\#(entry)号", "debtor": \#(debtor)}"#,
            #"{"type": "inclusion_decided", "entry": "\#(entry)", \#(at("09-15")), "court": "court:baisha", "case": "(2025)琼9030执\#(entry)号", "debtor": \#(debtor), "grounds": ["able_but_refuses"], "public": true}"#,
            #"{"type": "decision_served", "entry": "\#(entry)", \#(at("09-22"))}"#,
            #"{"type": "correction_requested", "entry": "\#(entry)", \#(at("09-29"))}"#,
        ].joined(separator: "\n") + "\n"
    }

    /// The shipped calendar with the 2025 National Day holiday (and its make-up Sundays) taken
    /// out, under a version of its own: R2 and R3 then fall due on Thu 10-02 itself.
    static func movedCalendar(in dir: URL) throws -> String {
        let shipped = repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json")
        var wire = try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as! [String: Any]
        var years = wire["years"] as! [String: Any]
        var y2025 = years["2025"] as! [String: Any]
        y2025["days_off"] = (y2025["days_off"] as! [String]).filter { !$0.hasPrefix("2025-10-") }
        y2025["makeup_workdays"] = (y2025["makeup_workdays"] as! [String]).filter { $0 != "2025-09-28" && $0 != "2025-10-11" }
        years["2025"] = y2025
        wire["years"] = years
        wire["version"] = "2026.2-no-national-day"
        let path = dir.appendingPathComponent("moved.json").path
        try JSONSerialization.data(withJSONObject: wire).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A new folder for a test's files (the caller removes it).
    static func scratch(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `obligations --json` as of the end of 2025 and the due days of E1's R2 and R3 in it.
    func obligations(_ db: String) throws -> (json: String, dues: [String: String]) {
        let text = try listledger(["obligations", "--json", "--status", "all", "--as-of", "2025-12-31", "--db", db])
        let found = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        var dues: [String: String] = [:]
        for o in found["obligations"] as? [[String: Any]] ?? [] {
            guard let rule = o["rule"] as? String, let entry = o["entry"] as? String, ["R2", "R3"].contains(rule) else { continue }
            dues["\(entry) \(rule)"] = o["due"] as? String ?? "unknown"
        }
        return (text, dues)
    }

    @Test("calendar load: the same due days and obligations on both engines, for the log so far and for events appended after")
    func calendarLoad() async throws {
        let dir = try Self.scratch("ll-pg-cal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try await freshDatabase("calendar")
        let (sqlite, postgres) = (dir.appendingPathComponent("c.sqlite").path, url.description)
        let moved = try Self.movedCalendar(in: dir)
        for db in [sqlite, postgres] {
            _ = try listledger(["init", "--court", "court:baisha", "--db", db])
            _ = try listledger(["append", "-", "--db", db], stdin: Self.lines("E1"))
        }
        let before = try obligations(postgres)
        #expect(before.json == (try obligations(sqlite)).json)
        #expect(before.dues == ["E1 R2": "2025-10-09", "E1 R3": "2025-10-09"], "\(before.dues)")

        for db in [sqlite, postgres] {
            let loaded = try listledger(["calendar", "load", moved, "--db", db])
            #expect(loaded.hasPrefix("loaded cn-official 2026.2-no-national-day"), "\(loaded)")
        }
        // Derived again with the loaded calendar, the projection's rows included.
        let after = try obligations(postgres)
        #expect(after.json == (try obligations(sqlite)).json)
        #expect(after.dues == ["E1 R2": "2025-10-02", "E1 R3": "2025-10-02"], "\(after.dues)")
        #expect(after.json.contains("2026.2-no-national-day"))
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM obligations WHERE due = '2025-10-02'", on: url) == "2")
        #expect(try await PostgresAdmin.scalar("SELECT string_agg(position::text, ',') FROM obligation_positions", on: url) == "4")
        // The calendar commands read it too.
        for db in [sqlite, postgres] {
            #expect(try listledger(["calendar", "due", "--from", "2025-09-22", "--days", "10", "--db", db]) == "2025-10-02\n")
            // A period of the log's profile (baisha-2018: correction review, 3 days).
            let period = try listledger(["calendar", "due", "--from", "2025-09-29", "--period", "correction_review", "--db", db])
            #expect(period.hasPrefix("2025-10-02\n") && period.contains("baisha-2018"), "\(period)")
            #expect(try listledger(["calendar", "status", "--json", "--as-of", "2025-12-01", "--db", db]).contains(#""calendar":"cn-official 2026.2-no-national-day""#))
        }
        // Events appended after the load: the sequencer's acceptance and the projector use it.
        for db in [sqlite, postgres] { _ = try listledger(["append", "-", "--db", db], stdin: Self.lines("E2")) }
        let appended = try obligations(postgres)
        #expect(appended.json == (try obligations(sqlite)).json)
        #expect(appended.dues == ["E1 R2": "2025-10-02", "E1 R3": "2025-10-02", "E2 R2": "2025-10-02", "E2 R3": "2025-10-02"], "\(appended.dues)")
        // Reads that derive in memory (as of a past day, alerts, the report) agree as well.
        for arguments in [["state", "--json", "--as-of", "2025-10-05"], ["alerts", "--json", "--as-of", "2025-10-05"], ["report", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"]] {
            let (a, b) = (try runProgram(try listledgerBinary(), arguments + ["--db", postgres]), try runProgram(try listledgerBinary(), arguments + ["--db", sqlite]))
            #expect(a.status == b.status && a.stdout == b.stdout, "\(arguments): \(a) vs \(b)")
        }
        // Loading the shipped calendar again moves them back, on PostgreSQL as on SQLite.
        let shipped = repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json").path
        for db in [sqlite, postgres] { _ = try listledger(["calendar", "load", shipped, "--db", db]) }
        let back = try obligations(postgres)
        #expect(back.json == (try obligations(sqlite)).json)
        #expect(Set(back.dues.values) == ["2025-10-09"], "\(back.dues)")

        // A bad file: exit 1 naming it, nothing stored.
        let bad = dir.appendingPathComponent("bad.json").path
        try Data("{\"version\": 3}".utf8).write(to: URL(fileURLWithPath: bad))
        let refused = try runProgram(try listledgerBinary(), ["calendar", "load", bad, "--db", postgres])
        #expect(refused.status == 1 && refused.stderr.contains(bad), "\(refused)")
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM calendars", on: url) == "2")
    }

    @Test("the calendar is the database's: another database keeps the built-in one; the reader role reads it, the server role may not load one")
    func calendarPerDatabaseAndRoles() async throws {
        let dir = try Self.scratch("ll-pg-calr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (loaded, other) = (try await freshDatabase("cal_a"), try await freshDatabase("cal_b"))
        for url in [loaded, other] {
            _ = try listledger(["init", "--court", "court:baisha", "--db", url.description])
            _ = try listledger(["append", "-", "--db", url.description], stdin: Self.lines("E1"))
        }
        _ = try listledger(["calendar", "load", try Self.movedCalendar(in: dir), "--db", loaded.description])
        #expect(try obligations(loaded.description).dues["E1 R2"] == "2025-10-02")
        #expect(try obligations(other.description).dues["E1 R2"] == "2025-10-09")

        // `calendar due --period` takes the profile of the database's log, as of the file's ledger
        // (spc-2017: 15 days from Mon 09-29 → Tue 10-14; baisha-2018 would give 10-09).
        let spc = try await freshDatabase("cal_spc")
        _ = try listledger(["init", "--court", "court:baisha", "--profile", "spc-2017", "--db", spc.description])
        let period = try listledger(["calendar", "due", "--from", "2025-09-29", "--period", "correction_review", "--db", spc.description])
        #expect(period.hasPrefix("2025-10-14\n") && period.contains("spc-2017"), "\(period)")

        // `pg setup`'s roles: the reader reads the calendar, the server cannot write one.
        let suffix = String(UInt32.random(in: 0...UInt32.max))
        let (server, reader) = ("ll_cal_srv_\(suffix)", "ll_cal_rd_\(suffix)")
        _ = try listledger(["pg", "setup", "--server-role", server, "--reader-role", reader, "--db", loaded.description])
        let asReader = loaded.with(user: reader).description
        #expect(try listledger(["calendar", "status", "--json", "--as-of", "2025-12-01", "--db", asReader]).contains("2026.2-no-national-day"))
        #expect(try obligations(asReader).dues["E1 R2"] == "2025-10-02")
        let shipped = repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json").path
        let refused = try runProgram(try listledgerBinary(), ["calendar", "load", shipped, "--db", loaded.with(user: server).description])
        #expect(refused.status != 0 && refused.stderr.contains("calendars"), "\(refused)")
        #expect(try await PostgresAdmin.scalar("SELECT string_agg(version, ',') FROM calendars", on: loaded) == "cn-official 2026.2-no-national-day")
    }

    @Test("a database of schema 3 gains the calendars at the owner's next command, readable at once by the roles pg setup made before")
    func upgradeToSchema4() async throws {
        let url = try await freshDatabase("cal_upgrade")
        _ = try listledger(["init", "--court", "court:baisha", "--db", url.description])
        let suffix = String(UInt32.random(in: 0...UInt32.max))
        let (server, reader) = ("ll_up_srv_\(suffix)", "ll_up_rd_\(suffix)")
        _ = try listledger(["pg", "setup", "--server-role", server, "--reader-role", reader, "--db", url.description])
        // As a database made before schema 4: no calendars table, every log with a court.
        try await PostgresAdmin.execute(["DROP TABLE calendars", "ALTER TABLE logs ALTER COLUMN court SET NOT NULL"], on: url)
        #expect(try await PostgresAdmin.scalar("SELECT to_regclass('public.calendars')::text", on: url) == nil)
        _ = try listledger(["state", "--db", url.description])
        #expect(try await PostgresAdmin.scalar("SELECT to_regclass('public.calendars')::text", on: url) == "calendars")
        #expect(try await PostgresAdmin.scalar("""
            SELECT has_table_privilege('\(server)', 'calendars', 'SELECT')::text || has_table_privilege('\(server)', 'calendars', 'INSERT')::text
                || has_table_privilege('\(reader)', 'calendars', 'SELECT')::text
            """, on: url) == "truefalsetrue")
        // The server role appends (its rounds read the calendar's version), the reader reads it.
        let appended = try listledger(["append", "-", "--db", url.with(user: server).description], stdin: Self.lines("E1"))
        #expect(appended.contains("4"), "\(appended)")
        #expect(try listledger(["calendar", "status", "--json", "--as-of", "2025-12-01", "--db", url.with(user: reader).description]).contains("cn-official"))
        let refused = try runProgram(try listledgerBinary(), ["calendar", "load", repositoryRoot.appendingPathComponent("Fixtures/calendars/cn-official.json").path,
                                                              "--db", url.with(user: reader).description])
        #expect(refused.status != 0, "\(refused)")
    }

    @Test("a running process uses a calendar another process loaded from its next read on (the cache follows the version)")
    func cacheFollowsTheVersion() async throws {
        let dir = try Self.scratch("ll-pg-calc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try await freshDatabase("cal_cache")
        _ = try listledger(["init", "--court", "court:baisha", "--db", url.description])
        _ = try listledger(["append", "-", "--db", url.description], stdin: Self.lines("E1"))
        let moved = try Self.movedCalendar(in: dir)
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: nil)
            let query = ObligationQuery(asOf: instant("2025-12-31T00:00:00+08:00"))
            func due() async throws -> String? {
                try await ledger.obligations(of: log, query).first { $0.0.rule == "R2" }?.0.due?.description
            }
            #expect(try await due() == "2025-10-09")
            _ = try listledger(["calendar", "load", moved, "--db", url.description])
            #expect(try await due() == "2025-10-02")
            #expect(try await ledger.calendarIdentity(of: log) == "cn-official 2026.2-no-national-day")
        }
    }

    @Test("keys init: refused while the log has a key unless --replace; after it new checkpoints use the new key, older ones verify with the old")
    func keysInitAndReplace() async throws {
        let dir = try Self.scratch("ll-pg-key")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try await freshDatabase("keys")
        let (sqlite, postgres) = (dir.appendingPathComponent("k.sqlite").path, url.description)
        func save(_ text: String, _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        func lastLine(_ text: String) -> String { text.split(separator: "\n").last.map(String.init) ?? "" }
        for db in [sqlite, postgres] {
            _ = try listledger(["init", "--court", "court:baisha", "--db", db])
            _ = try listledger(["append", "-", "--db", db], stdin: Self.lines("E1"))
        }
        _ = try listledger(["keys", "init", "--db", sqlite])
        var old: [String: (key: String, note: String)] = [:]
        for db in [sqlite, postgres] {
            let key = lastLine(try listledger(["keys", "show", "--db", db]))
            old[db] = (key, try save(try listledger(["checkpoint", "--db", db]), "old-\(db == sqlite ? "s" : "p").note"))
            #expect(key.hasPrefix("listledger/court:baisha+"), "\(key)")
        }
        // A second key without --replace: refused on both, naming --replace; nothing changed.
        for db in [sqlite, postgres] {
            let refused = try runProgram(try listledgerBinary(), ["keys", "init", "--db", db] + (db == sqlite ? ["--key-file", dir.appendingPathComponent("other.key").path] : []))
            #expect(refused.status == 1 && refused.stderr.contains("already has the key") && refused.stderr.contains("--replace"), "\(db): \(refused)")
            #expect(lastLine(try listledger(["keys", "show", "--db", db])) == old[db]!.key)
        }
        // Flags that mean nothing on PostgreSQL: refused naming them, nothing written.
        let keyFile = try runProgram(try listledgerBinary(), ["keys", "init", "--replace", "--key-file", dir.appendingPathComponent("x.key").path, "--db", postgres])
        #expect(keyFile.status == 1 && keyFile.stderr.contains("--key-file"), "\(keyFile)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.key").path))
        let court = try runProgram(try listledgerBinary(), ["keys", "init", "--court", "court:baisha", "--db", sqlite])
        #expect(court.status == 1 && court.stderr.contains("--court"), "\(court)")
        #expect(lastLine(try listledger(["keys", "show", "--db", postgres])) == old[postgres]!.key)

        // --replace: a new key, printed and shown; the next checkpoint (after an append) is
        // signed with it, the older one still verifies with the old key.
        let newKeyFile = dir.appendingPathComponent("new.key").path
        for db in [sqlite, postgres] {
            let made = try listledger(["keys", "init", "--replace", "--db", db] + (db == sqlite ? ["--key-file", newKeyFile] : []))
            let key = lastLine(made)
            if db == postgres { #expect(made.hasPrefix("replaced the signing key of the log listledger/court:baisha"), "\(made)") }
            #expect(key != old[db]!.key && key.hasPrefix("listledger/court:baisha+"), "\(db): \(made)")
            #expect(lastLine(try listledger(["keys", "show", "--db", db])) == key)
            _ = try listledger(["append", "-", "--db", db], stdin: Self.lines("E2"))
            let note = try save(try listledger(["checkpoint", "--db", db] + (db == sqlite ? ["--key-file", newKeyFile] : [])), "new-\(db == sqlite ? "s" : "p").note")
            #expect(try listledger(["checkpoint", "--verify", note, "--key", key]).hasPrefix("ok:"))
            let wrong = try runProgram(try listledgerBinary(), ["checkpoint", "--verify", note, "--key", old[db]!.key])
            #expect(wrong.status == 4, "\(db): \(wrong)")
            // The older checkpoint: its signature with the old key, and the log extends it.
            #expect(try listledger(["checkpoint", "--verify", old[db]!.note, "--key", old[db]!.key]).hasPrefix("ok:"))
            #expect(try listledger(["verify", "--against", old[db]!.note, "--key", old[db]!.key, "--db", db]).contains("ok"))
            #expect(try listledger(["verify", "--against", note, "--key", key, "--db", db]).contains("ok"))
            // And a proof against the newest checkpoint carries the new key's signature.
            let proof = try JSONSerialization.jsonObject(with: Data(try listledger(["prove", "--seq", "3", "--json", "--db", db]).utf8)) as! [String: Any]
            let proved = try save(proof["checkpoint"] as! String, "proved-\(db == sqlite ? "s" : "p").note")
            #expect(try listledger(["checkpoint", "--verify", proved, "--key", key]).hasPrefix("ok:"))
        }
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM checkpoints", on: url) == "2")
    }

    @Test("init without --court: the database's one log, its key named by keys init after its first court, as on SQLite")
    func logWithoutCourt() async throws {
        let dir = try Self.scratch("ll-pg-nocourt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try await freshDatabase("nocourt")
        let (sqlite, postgres) = (dir.appendingPathComponent("n.sqlite").path, url.description)
        for db in [sqlite, postgres] { _ = try listledger(["init", "--db", db]) }
        // No court and no event yet: nothing to name the key after.
        for db in [sqlite, postgres] {
            let unnamed = try runProgram(try listledgerBinary(), ["keys", "init", "--db", db])
            #expect(unnamed.status == 1 && unnamed.stderr.contains("--name"), "\(db): \(unnamed)")
        }
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM signing_keys", on: url) == "0")
        // A second log beside it is refused, with or without a court.
        for extra in [["init"], ["init", "--court", "court:qiongzhong"]] {
            let refused = try runProgram(try listledgerBinary(), extra + ["--db", postgres])
            #expect(refused.status == 1 && refused.stderr.contains("--court") && refused.stderr.contains("nothing was written"), "\(extra): \(refused)")
        }
        #expect(try await PostgresAdmin.scalar("SELECT count(*)::text FROM logs", on: url) == "1")
        let unsigned = try runProgram(try listledgerBinary(), ["checkpoint", "--db", postgres])
        #expect(unsigned.status == 1 && unsigned.stderr.contains("keys init"), "\(unsigned)")
        for db in [sqlite, postgres] {
            _ = try listledger(["append", "-", "--db", db], stdin: Self.lines("E1"))
            let made = try listledger(["keys", "init", "--db", db])
            #expect(made.hasPrefix("created the signing key"), "\(made)")
        }
        let shown = try listledger(["keys", "show", "--db", postgres])
        #expect(shown.hasPrefix("origin: listledger/court:baisha\n"), "\(shown)")
        #expect(shown.split(separator: "\n").first == (try listledger(["keys", "show", "--db", sqlite])).split(separator: "\n").first)
        let note = dir.appendingPathComponent("n.note").path
        try Data(try listledger(["checkpoint", "--db", postgres]).utf8).write(to: URL(fileURLWithPath: note))
        #expect(try listledger(["checkpoint", "--verify", note, "--key", shown.split(separator: "\n").last.map(String.init) ?? ""]).contains("listledger/court:baisha, 4 events"))
        for db in [sqlite, postgres] { #expect(try listledger(["verify", "--json", "--db", db]).contains(#""ok":true"#)) }
    }
}
