import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// Sequencing under many writers (issue 13 point 3), with real processes against a real server:
/// `listledger-pg-submit` runs N single-event submitters, each a would-be sequencer.
@Suite("PostgreSQL: one sequencer per log under many writers", .enabled(if: serverURL != nil, skipReason), .serialized)
struct PgSequencerTests {
    static let profile = PolicyProfile.named("baisha-2018")!

    func submitter() throws -> String {
        let path = URL(fileURLWithPath: try listledgerBinary()).deletingLastPathComponent().appendingPathComponent("listledger-pg-submit").path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw HarnessFailure("\(path) is missing: run `swift build` first") }
        return path
    }

    func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try submitter())
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        return (process, out)
    }

    /// `ENTRY SEQ` lines the submitter printed: the acknowledged events.
    func acknowledged(_ pipe: Pipe) -> [String: Int64] {
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        var seen: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let seq = Int64(parts[1]) { seen[String(parts[0])] = seq }
        }
        return seen
    }

    /// Each stored event's entry and seq, and the verify report.
    func stored(_ url: PostgresURL, court: String) async throws -> (entries: [(String, Int64)], report: PostgresLedger.VerifyReport) {
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: court)
            while try await !ledger.sequenceRound(log: log) {}  // drain what a killed process left queued
            var entries: [(String, Int64)] = []
            try await ledger.forEachEvent(of: log) { entries.append(($0.event.entry ?? "", $0.seq)) }
            return (entries, try await ledger.verify(log: log))
        }
    }

    @Test("4 processes × 2,500 events into one log: 10,000 events, seqs 1…10,000, each once, verify ok")
    func fourProcesses() async throws {
        let url = try await freshDatabase("four")
        try await PostgresLedger.withLedger(url: url) { ledger in _ = try await ledger.createLog(court: "court:baisha", profile: Self.profile) }
        let runs = try (1...4).map { try start(["--db", url.description, "--court", "court:baisha", "--events", "2500", "--writers", "8", "--prefix", "P\($0)"]) }
        var acknowledged: [String: Int64] = [:]
        for (process, out) in runs {
            acknowledged.merge(self.acknowledged(out)) { a, _ in a }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(acknowledged.count == 10_000)
        let (entries, report) = try await stored(url, court: "court:baisha")
        #expect(entries.map(\.1) == Array(1...10_000))
        #expect(Set(entries.map(\.0)).count == 10_000)
        // Each submitter was answered with the seq its event holds.
        let bySeq = Dictionary(uniqueKeysWithValues: entries.map { ($0.1, $0.0) })
        #expect(acknowledged.allSatisfy { bySeq[$0.value] == $0.key })
        #expect(report.ok && report.events == 10_000, "\(report)")
    }

    @Test("kill -9 of a submitting, sequencing process: every acknowledged event stored once, chain intact")
    func killNine() async throws {
        let url = try await freshDatabase("kill")
        try await PostgresLedger.withLedger(url: url) { ledger in _ = try await ledger.createLog(court: "court:baisha", profile: Self.profile) }
        let (victim, victimOut) = try start(["--db", url.description, "--court", "court:baisha", "--events", "50000", "--writers", "16", "--prefix", "K"])
        let (other, otherOut) = try start(["--db", url.description, "--court", "court:baisha", "--events", "500", "--writers", "8", "--prefix", "O"])
        // Kill once the log is well under way (a fixed sleep proves nothing on a loaded machine).
        let server = url
        for _ in 0..<600 {
            let size = try await PostgresLedger.withLedger(url: server, migrate: false) { ledger in
                try await ledger.head(of: try await ledger.log(court: "court:baisha")).size
            }
            if size >= 400 { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        kill(victim.processIdentifier, SIGKILL)
        let killed = acknowledged(victimOut)
        victim.waitUntilExit()
        let survived = acknowledged(otherOut)
        other.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)
        #expect(other.terminationStatus == 0)
        #expect(!killed.isEmpty, "the victim acknowledged nothing before it was killed: the test proves nothing")
        #expect(killed.count < 50_000, "the victim finished before it was killed")
        #expect(survived.count == 500)

        let (entries, report) = try await stored(url, court: "court:baisha")
        #expect(report.ok, "\(report)")
        #expect(entries.map(\.1) == Array(1...Int64(entries.count)))
        let byEntry = Dictionary(entries.map { ($0.0, [$0.1]) }, uniquingKeysWith: +)
        #expect(byEntry.values.allSatisfy { $0.count == 1 }, "an event stored twice")
        for (entry, seq) in killed.merging(survived, uniquingKeysWith: { a, _ in a }) {
            #expect(byEntry[entry] == [seq], "acknowledged \(entry) at \(seq)")
        }
    }

    @Test("two logs written at once: each gapless from 1, only its own events, both verify")
    func twoLogs() async throws {
        let url = try await freshDatabase("two")
        try await PostgresLedger.withLedger(url: url) { ledger in
            _ = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
            _ = try await ledger.createLog(court: "court:qiongzhong", profile: Self.profile)
        }
        let a = try start(["--db", url.description, "--court", "court:baisha", "--events", "1500", "--writers", "8", "--prefix", "A"])
        let b = try start(["--db", url.description, "--court", "court:qiongzhong", "--events", "1500", "--writers", "8", "--prefix", "B"])
        _ = acknowledged(a.1); _ = acknowledged(b.1)
        a.0.waitUntilExit(); b.0.waitUntilExit()
        #expect(a.0.terminationStatus == 0 && b.0.terminationStatus == 0)
        for (court, prefix) in [("court:baisha", "A-"), ("court:qiongzhong", "B-")] {
            let (entries, report) = try await stored(url, court: court)
            #expect(entries.map(\.1) == Array(1...1500), "\(court)")
            #expect(entries.allSatisfy { $0.0.hasPrefix(prefix) }, "\(court) holds another log's events")
            #expect(report.ok, "\(court): \(report)")
        }
    }

    /// `psql URL -Atc SQL`: the server's own client, so the test reads the tables without our code.
    func psql(_ url: PostgresURL, _ sql: String) throws -> String {
        let result = try runProgram("/usr/bin/env", ["psql", url.description, "-Atc", sql])
        guard result.status == 0 else { throw HarnessFailure("psql \(sql): \(result)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Another session holds the head for 3 s, as a sequencer of another process would.
    func holdHead(_ url: PostgresURL) async throws -> Process {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["psql", url.description, "-q", "-c",
                            "BEGIN; SELECT 1 FROM heads FOR UPDATE; SELECT pg_sleep(3); COMMIT;"]
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        var holding = false
        for _ in 0..<100 {
            holding = try psql(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'BEGIN; SELECT 1 FROM heads%'") == "1"
            if holding { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(holding, "the other session never held the head")
        return holder
    }

    @Test("through the inbox a submission keeps its credential (written beside its events), its If-Match (checked after the round's earlier submissions) and its refusal's line and field")
    func inboxCarriesCredentialAndVersion() async throws {
        let url = try await freshDatabase("inbox_meta")
        try await PostgresLedger.withLedger(url: url) { ledger in _ = try await ledger.createLog(court: "court:baisha", profile: Self.profile) }
        let holder = try await holdHead(url)
        // Line 2 of the third submission is refused by the rules (a decision served on an entry
        // that does not exist); on the local path the same refusal reads the same.
        let served = try Event.decode(jsonLine: Array(#"{"type":"decision_served","entry":"NONE","at":"2024-03-06T10:00:00+08:00","actor":"court:baisha"}"#.utf8))
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: "court:baisha")
            let first = Task { try await ledger.submit([notice("M1")], to: log, credential: "token:aaaa", expectedLastSeq: 0) }
            var queued = ""
            for _ in 0..<100 {
                queued = try psql(url, "SELECT count(*) FROM inbox")
                if queued == "1" { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(queued == "1", "the first submission did not reach the inbox while the head was held")
            #expect(try psql(url, "SELECT credential || ' ' || expected_last_seq FROM inbox") == "token:aaaa 0")
            let second = Task { try await ledger.submit([notice("M1", id: "again")], to: log, credential: "token:bbbb", expectedLastSeq: 0) }
            let third = Task { try await ledger.submit([notice("M3"), served], to: log, credential: "token:cccc", expectedLastSeq: nil) }
            #expect(try await first.value == [.appended(seq: 1)])
            do {
                _ = try await second.value
                Issue.record("If-Match 0 on M1 after the round appended it was accepted")
            } catch let SubmissionRefusal.movedOn(entry, expected, lastSeq) {
                #expect(entry == "M1" && expected == 0 && lastSeq == 1)
            }
            var inboxRefusal: InputError?
            do { _ = try await third.value } catch SubmissionRefusal.input(let input) { inboxRefusal = input }
            var localRefusal: InputError?
            do { _ = try await ledger.submit([notice("M3"), served], to: log, credential: nil, expectedLastSeq: nil) } catch SubmissionRefusal.input(let input) { localRefusal = input }
            #expect(inboxRefusal?.line == 2 && inboxRefusal?.description == localRefusal?.description, "\(String(describing: inboxRefusal)) vs \(String(describing: localRefusal))")
        }
        holder.waitUntilExit()
        #expect(try psql(url, "SELECT string_agg(seq || ' ' || credential, ',' ORDER BY seq) FROM event_credentials") == "1 token:aaaa")
        #expect(try psql(url, "SELECT string_agg(entry || ' ' || seq, ',' ORDER BY seq) FROM events") == "M1 1")
    }

    @Test("a submission that finds the head held by another session goes to the inbox and is sequenced from there, answered once")
    func busyHeadUsesInbox() async throws {
        let url = try await freshDatabase("busy")
        try await PostgresLedger.withLedger(url: url) { ledger in _ = try await ledger.createLog(court: "court:baisha", profile: Self.profile) }
        let holder = try await holdHead(url)
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: "court:baisha")
            let submitted = Task { try await ledger.submit([notice("B1"), notice("B2")], to: log) }
            // While the head is held, the submission waits in the inbox (one row, both events).
            var queued = ""
            for _ in 0..<100 {
                queued = try psql(url, "SELECT count(*) FROM inbox")
                if queued == "1" { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(queued == "1", "the submission did not reach the inbox while the head was held")
            #expect(try psql(url, "SELECT size FROM heads") == "0")
            #expect(try await submitted.value == [.appended(seq: 1), .appended(seq: 2)])
        }
        holder.waitUntilExit()
        // Sequenced from the inbox: the row is gone and its answer stored; the log holds both once.
        #expect(try psql(url, "SELECT count(*) FROM inbox") == "0")
        #expect(try psql(url, "SELECT encode(outcomes, 'escape') FROM results") == "a1,a2")
        #expect(try psql(url, "SELECT string_agg(entry || ' ' || seq, ',' ORDER BY seq) FROM events") == "B1 1,B2 2")
    }
}
