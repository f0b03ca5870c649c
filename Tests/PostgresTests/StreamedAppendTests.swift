import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// `append FILE` without `--batch-size` on PostgreSQL (issue 8): ONE transaction under the log's
/// head lock, planned and written a chunk at a time (`PostgresLedger.appendStreamed`), must leave
/// the tables as one submission of the same events does, nothing when refused or killed, and
/// other submitters waiting, then sequenced after it.
@Suite("PostgreSQL: one-transaction append in chunks", .enabled(if: serverURL != nil, skipReason), .serialized)
struct PgStreamedAppendTests {
    static let profile = PolicyProfile.named("baisha-2018")!

    static func simple(_ type: String, _ entry: String, at: String, actor: String = "court:baisha", extra: String = "") -> String {
        #"{"type":"\#(type)","entry":"\#(entry)","at":"\#(at)","actor":"\#(actor)"\#(extra)}"#
    }

    static func noticeLine(_ entry: String, id: String? = nil) -> String {
        let idField = id.map { #","id":"\#($0)""# } ?? ""
        return #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha"\#(idField),"court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#
    }

    static func inclusionLine(_ entry: String) -> String {
        #"{"type":"inclusion_decided","entry":"\#(entry)","at":"2024-03-05T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"},"grounds":["evasion"],"public":true}"#
    }

    /// After a stored PRE (seq 1): a flag (seq 5), its annulment and a new flag of the same
    /// obligation; an annulment of an earlier chunk's event (seq 9); the demo (complaints
    /// received and resolved in different chunks of 7); ids given again in later chunks
    /// (duplicates) and the demo's first 10 lines again (repeats of earlier chunks' events).
    static func mixedLines() throws -> [String] {
        let demo = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let debtor = #""court":"court:baisha","case":"(2018)琼9025执1号","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"}"#
        let flags = [
            simple("risk_notice_issued", "F1", at: "2018-08-27T10:00:00+08:00", extra: "," + debtor),
            simple("inclusion_decided", "F1", at: "2018-09-03T10:00:00+08:00", extra: "," + debtor + #","grounds":["able_but_refuses"],"public":true"#),
            simple("obligation_discharged", "F1", at: "2018-09-10T10:00:00+08:00", extra: #","basis":"full_performance""#),
            simple("breach_flagged", "F1", at: "2018-09-14T10:00:00+08:00", actor: "system:alerts", extra: #","obligation":"F1/R4/4""#),
            simple("record_annulled", "F1", at: "2018-09-14T11:00:00+08:00", extra: #","annuls":5,"reason":"误录""#),
            simple("breach_flagged", "F1", at: "2018-09-15T10:00:00+08:00", actor: "system:alerts", extra: #","obligation":"F1/R4/4""#),
        ]
        return flags + [noticeLine("AN", id: "an-1"), inclusionLine("AN"), noticeLine("S1", id: "s-1")] + demo
            + [simple("record_annulled", "AN", at: "2024-03-06T10:00:00+08:00", extra: #","annuls":9,"reason":"误录""#),
               noticeLine("AN", id: "an-1"), noticeLine("S1", id: "s-1")]
            + demo.prefix(10)
            + [noticeLine("S2", id: "s-2"), inclusionLine("S2")]
    }

    static func numbered(_ lines: [String]) throws -> [NumberedEvent] {
        try lines.enumerated().map { NumberedEvent(line: $0.offset + 1, event: try Event.decode(jsonLine: Array($0.element.utf8))) }
    }

    /// The events in chunks of `size`, as `appendStreamed` reads them; counts the chunks given.
    typealias Chunks = ChunkFeeder<NumberedEvent>

    /// `psql URL -Atc SQL`: the server's own client, so the test reads the tables without our code.
    func psql(_ url: PostgresURL, _ sql: String) throws -> String {
        let result = try runProgram("/usr/bin/env", ["psql", url.description, "-Atc", sql])
        guard result.status == 0 else { throw HarnessFailure("psql \(sql): \(result)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every table the sequencer writes, every row as text.
    static let written = ["events", "heads", "tiles", "tile_edges", "entry_states", "complaints", "flags", "personal_data", "event_credentials"]
    func dump(_ url: PostgresURL) throws -> [String: String] {
        var out: [String: String] = [:]
        for table in Self.written {
            // Ordered by the row's text: the same rows give the same text whatever order they went in.
            out[table] = try psql(url, "SELECT t::text FROM \(table) t ORDER BY 1")
        }
        return out
    }

    func seededLog(_ label: String) async throws -> PostgresURL {
        let url = try await freshDatabase(label)
        try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
            _ = try await ledger.submit([notice("PRE", id: "pre")], to: log)
        }
        return url
    }

    @Test("chunks of 7 in one transaction leave events, heads, tiles, entry states, complaints and flags row for row as one submission of the same lines")
    func chunkedEqualsOneSubmission() async throws {
        let all = try Self.numbered(try Self.mixedLines())
        let streamedURL = try await seededLog("chunked"), oneURL = try await seededLog("one")
        let chunks = Chunks(all, size: 7)
        let (range, outcomes) = try await PostgresLedger.withLedger(url: streamedURL, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.log(court: "court:baisha")
            nonisolated(unsafe) var outcomes: [LedgerPostgres.Outcome] = []
            let range = try await ledger.appendStreamed(to: log, next: chunks.next, planned: { _, chunk in outcomes += chunk })
            return (range, outcomes)
        }
        let expected = try await PostgresLedger.withLedger(url: oneURL, saltSource: seededSalt, clock: { demoClock }) { ledger in
            try await ledger.submit(all.map(\.event), to: try await ledger.log(court: "court:baisha"))
        }
        #expect(chunks.given == (all.count + 6) / 7 && chunks.given > 50)
        #expect(outcomes == expected)
        let appended = expected.filter { if case .appended = $0 { true } else { false } }.count
        #expect(range.startSize == 1 && range.endSize == 1 + Int64(appended))
        // Ids given again (lines 385, 386) and the demo's first 10 lines again: 12 repeats.
        #expect(expected.count - appended == 12)
        let streamedTables = try dump(streamedURL), oneTables = try dump(oneURL)
        for table in Self.written {
            #expect(streamedTables[table] == oneTables[table], "\(table)")
        }
        for table in ["events", "tiles", "tile_edges", "entry_states", "complaints", "flags", "personal_data"] {
            #expect(oneTables[table]?.isEmpty == false, "\(table) is empty: the comparison proves nothing")
        }
        let report = try await PostgresLedger.withLedger(url: streamedURL) { ledger in try await ledger.verify(log: try await ledger.log(court: "court:baisha")) }
        #expect(report.ok && report.events == range.endSize, "\(report)")
    }

    @Test("a refusal in the last chunk writes nothing: the tables and head as before, the error names the input line")
    func refusalInLastChunk() async throws {
        let url = try await seededLog("refused")
        let before = try dump(url)
        let lines = (1...48).map { Self.noticeLine("R\($0)", id: "r-\($0)") }
            + [Self.noticeLine("PRE", id: "pre"), Self.simple("decision_served", "NOBODY", at: "2024-03-06T10:00:00+08:00")]
        let chunks = Chunks(try Self.numbered(lines), size: 7)
        nonisolated(unsafe) var planned = 0
        try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.log(court: "court:baisha")
            do {
                _ = try await ledger.appendStreamed(to: log, next: chunks.next, planned: { _, outcomes in planned += outcomes.count })
                Issue.record("the refused line was accepted")
            } catch PostgresLedgerError.input(let text) {
                #expect(text.hasPrefix(#"line 50, field "entry": entry "NOBODY" does not exist"#), "\(text)")
            }
        }
        // Seven chunks (49 events) were planned and written in the transaction before the refusal.
        #expect(chunks.given == 8 && planned == 49)
        #expect(try dump(url) == before)
        // Appendable after the rollback, from the head as it was.
        let again = try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            try await ledger.appendStreamed(to: try await ledger.log(court: "court:baisha"),
                                            next: Chunks(try Self.numbered(Array(lines.dropLast())), size: 7).next, planned: { _, _ in })
        }
        #expect(again.startSize == 1 && again.endSize == 49)
        #expect(try psql(url, "SELECT size FROM heads") == "49")
    }

    @Test("the command line: the last line refused after 2,000 good ones — the same message and exit code as one submission, nothing written")
    func commandLineRefusal() async throws {
        let url = try await seededLog("cli_refused")
        let before = try dump(url)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgbig-refused-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let lines = (1...2_000).map { Self.noticeLine("C\($0)") } + [Self.simple("decision_served", "NOBODY", at: "2024-03-06T10:00:00+08:00")]
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try runProgram(try listledgerBinary(), ["append", "--db", url.description, file.path])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr == """
            refused: line 2001, field "entry": entry "NOBODY" does not exist; an entry begins with risk_notice_issued or inclusion_decided
            nothing was written

            """, "\(result)")
        // The same as the whole file given as one submission (the path `--batch-size` takes).
        let one = try runProgram(try listledgerBinary(), ["append", "--db", url.description, "--batch-size", "5000", file.path])
        #expect(one.status == result.status && one.stderr == result.stderr && one.stdout.isEmpty, "\(one)")
        #expect(try dump(url) == before)
    }

    /// Waits until another session holds a RowExclusiveLock on this database's `events`: a
    /// streamed append holds it from its first chunk's INSERT to its end, under the head lock.
    /// (Not "any session with a transaction id": the command's own migration at start-up has one.)
    func waitForWritingTransaction(_ url: PostgresURL) async throws -> Bool {
        for _ in 0..<500 {
            if try psql(url, """
                SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND c.relname = 'events' AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()
                """) != "0" {
                return true
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    func bigFile(_ count: Int, prefix: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgbig-\(prefix)-\(UUID().uuidString).jsonl")
        try ((1...count).map { Self.noticeLine("\(prefix)\($0)") }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try listledgerBinary())
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("--batch-size streams on PostgreSQL as on SQLite: each batch reported as it commits; a line that does not decode after two batches exits 5 and they stay, in the first batch exits 1 with nothing written")
    func batchesStreamAsOnSQLite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgbatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, badLine: Int) throws -> String {
            var lines = (1...25).map { Self.noticeLine("N\($0)") }
            lines[badLine - 1] = #"{"type":"risk_notice_issued","entry":"N\#(badLine)""#  // cut short: not JSON
            let path = dir.appendingPathComponent(name).path
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let late = try file("late.jsonl", badLine: 23), early = try file("early.jsonl", badLine: 5)
        for (path, status, stored) in [(late, Int32(5), "20"), (early, Int32(1), "0")] {
            let url = try await freshDatabase("batches")
            _ = try listledger(["init", "--court", "court:baisha", "--db", url.description])
            let sqlite = dir.appendingPathComponent("\(status).sqlite").path
            _ = try listledger(["init", "--db", sqlite])
            let onPostgres = try runProgram(try listledgerBinary(), ["append", "--db", url.description, "--batch-size", "10", path])
            let onSQLite = try runProgram(try listledgerBinary(), ["append", "--db", sqlite, "--batch-size", "10", path])
            #expect(onPostgres.status == status && onSQLite.status == status, "\(onPostgres) / \(onSQLite)")
            // The same lines on standard output: the batches committed before the bad line.
            #expect(onPostgres.stdout == onSQLite.stdout, "\(onPostgres.stdout) / \(onSQLite.stdout)")
            #expect(onPostgres.stderr.contains("line \(status == 5 ? 23 : 5)"), "\(onPostgres.stderr)")
            #expect(try psql(url, "SELECT count(*) FROM events") == stored)
        }
    }

    @Test("a --batch-size submitter started during a streamed append waits and lands after it: gapless, verify ok")
    func concurrentSubmitterWaits() async throws {
        let url = try await seededLog("concurrent")
        let big = try bigFile(20_000, prefix: "B"), small = try bigFile(30, prefix: "S")
        defer { try? FileManager.default.removeItem(at: big); try? FileManager.default.removeItem(at: small) }
        let streamed = try start(["append", "--db", url.description, big.path])
        #expect(try await waitForWritingTransaction(url), "the streamed append never began writing")
        let other = try runProgram(try listledgerBinary(), ["append", "--db", url.description, "--batch-size", "10", small.path])
        streamed.waitUntilExit()
        #expect(streamed.terminationStatus == 0)
        #expect(other.status == 0, "\(other)")
        #expect(other.stdout.contains("appended 10 events: seq 20002 20003"), "\(other)")
        // PRE, then the whole streamed file, then the submitter's 30: every seq once.
        let order = try psql(url, "SELECT string_agg(left(entry, 1), '' ORDER BY seq) FROM events")
        #expect(order == "P" + String(repeating: "B", count: 20_000) + String(repeating: "S", count: 30))
        #expect(try psql(url, "SELECT count(*) = max(seq) AND min(seq) = 1 FROM events") == "t")
        let report = try await PostgresLedger.withLedger(url: url) { ledger in try await ledger.verify(log: try await ledger.log(court: "court:baisha")) }
        #expect(report.ok && report.events == 20_031, "\(report)")
    }

    @Test("kill -9 of a streamed append midway: the log as before, verify ok, appendable")
    func killNine() async throws {
        let url = try await seededLog("kill")
        let before = try dump(url)
        let big = try bigFile(20_000, prefix: "K")
        defer { try? FileManager.default.removeItem(at: big) }
        let victim = try start(["append", "--db", url.description, big.path])
        #expect(try await waitForWritingTransaction(url), "the streamed append never began writing")
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(victim.isRunning, "the append ended before it could be killed midway")
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        // The server notices the dead connection and rolls back; wait for the session to go.
        for _ in 0..<250 {
            if try psql(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == "0" { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(try dump(url) == before)
        let small = try bigFile(5, prefix: "A")
        defer { try? FileManager.default.removeItem(at: small) }
        let out = try listledger(["append", "--db", url.description, small.path])
        #expect(out == "appended 5 events: seq 2 3 4 5 6\n")
        let report = try await PostgresLedger.withLedger(url: url) { ledger in try await ledger.verify(log: try await ledger.log(court: "court:baisha")) }
        #expect(report.ok && report.events == 6, "\(report)")
    }
}
