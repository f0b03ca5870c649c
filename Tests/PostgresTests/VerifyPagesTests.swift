import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerStore
import PostgresNIO
import TestSupport
import Testing

/// PostgreSQL `verify` reads a page ahead and checks each page's rows on every core, then
/// follows the chain and the tiles in order and stops at the first failure. Small pages put
/// page boundaries all over a small ledger: every kind of damage, at a boundary and inside a
/// page, must give the first bad seq and reason that one page (the default 5,000) gives, and
/// that the SQLite verify gives for the same damage to the same bytes.
@Suite("PostgreSQL: verify by pages, read ahead, rows checked in parallel", .enabled(if: serverURL != nil, skipReason))
struct PgVerifyPagesTests {
    static let profile = PolicyProfile.named("baisha-2018")!
    /// 700 events in three submissions (as PgTileTests): level-0 tiles 0 and 1 full, the
    /// level-0 edge holds leaves 512…699, the level-1 edge the roots of tiles 0 and 1.
    static let size = 700
    /// Page sizes whose boundaries fall at 10/11, 20/21… (10), at 7/8, 14/15… (7), on each
    /// event (1), and one page (the default).
    static let pageSizes = [10, 7, 1, 5_000]

    static func events() -> [[Event]] {
        let all = (1...size).map { notice("P\($0)") }
        return [Array(all[0..<250]), Array(all[250..<500]), Array(all[500..<size])]
    }

    /// A fresh database holding the 700 events (fixed salts and clock: the bytes SQLite writes).
    static func ledger(_ label: String) async throws -> PostgresURL {
        let url = try await freshDatabase(label)
        try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
            for batch in Self.events() { _ = try await ledger.submit(batch, to: log) }
        }
        return url
    }

    /// Verify with every page size; all must give the same report.
    static func reports(_ url: PostgresURL) async throws -> [Int: PostgresLedger.VerifyReport] {
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: nil)
            var reports: [Int: PostgresLedger.VerifyReport] = [:]
            for pageSize in Self.pageSizes { reports[pageSize] = try await ledger.verify(log: log, pageSize: pageSize) }
            return reports
        }
    }

    /// The SQL that flips one bit in the middle of seq `seq`'s canonical bytes, as the shared
    /// conformance kit does to the SQLite file.
    static func flip(_ seq: Int) -> String {
        "UPDATE events SET canonical = set_byte(canonical, length(canonical) / 2, get_byte(canonical, length(canonical) / 2) # 1) WHERE seq = \(seq)"
    }

    /// The SQL that flips the lowest bit of seq `seq`'s first byte: "{" becomes "z", and the
    /// event no longer decodes (its own seq still reads from the bytes).
    static func breakJSON(_ seq: Int) -> String {
        "UPDATE events SET canonical = set_byte(canonical, 0, get_byte(canonical, 0) # 1) WHERE seq = \(seq)"
    }

    static let disable = ["ALTER TABLE events DISABLE TRIGGER USER", "ALTER TABLE tiles DISABLE TRIGGER USER",
                          "ALTER TABLE tile_edges DISABLE TRIGGER USER"]
    static let hashMessage = "the stored hash does not match SHA-256(prev_hash || canonical bytes): the event or its hash was altered"
    /// The reason for a damaged hash of tree level `level` (0: a leaf), the `n`th of that
    /// level: written with seq (n + 1) << level.
    static func tree(level: Int = 0, _ n: Int64) -> String {
        "the stored Merkle tree node \(Merkle.storedHashIndex(level: level, n: n)), written with seq \((n + 1) << level), does not match the events"
    }
    /// Overwrites hash `slot` of a tile row (`table`, level, idx) with 0xff bytes.
    static func damage(_ table: String, level: Int, index: Int, slot: Int) -> String {
        "UPDATE \(table) SET hashes = overlay(hashes PLACING decode(repeat('ff', 32), 'hex') FROM \(32 * slot + 1) FOR 32) WHERE level = \(level) AND idx = \(index)"
    }

    @Test("an intact log: every page size gives the same ok report, with SQLite's root")
    func intact() async throws {
        let url = try await Self.ledger("vpok")
        let reports = try await Self.reports(url)
        let one = try #require(reports[5_000])
        #expect(one.ok && one.events == Int64(Self.size) && one.firstBadSeq == nil, "\(one)")
        for (pageSize, report) in reports { #expect(report == one, "page size \(pageSize): \(report)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-vp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try Self.sqliteLedger(dir)
        let expected = try sqlite.verify()
        #expect(expected.root == one.root && expected.head == one.head)
    }

    /// (what, SQL, first bad seq, reason): each applied to a fresh ledger.
    static let damages: [(String, [String], Int64, String)] = [
        // A broken link: seq S's prev_hash is not seq S−1's hash.
        ("chain break at a page boundary (11)", ["UPDATE events SET prev_hash = hash WHERE seq = 11"], 11, "prev_hash does not match the hash of event 10"),
        ("chain break inside a page (15)", ["UPDATE events SET prev_hash = hash WHERE seq = 15"], 15, "prev_hash does not match the hash of event 14"),
        ("chain break at seq 1", ["UPDATE events SET prev_hash = hash WHERE seq = 1"], 1, "prev_hash does not match the hash of event 0"),
        // The payload changed: one bit flipped, or a byte appended.
        ("payload changed at a page boundary (10)", [flip(10)], 10, hashMessage),
        ("payload changed inside a page (25)", [flip(25)], 25, hashMessage),
        ("payload no longer JSON at a page boundary (20)", [breakJSON(20)], 20, hashMessage),
        ("payload no longer JSON inside a page (24)", [breakJSON(24)], 24, hashMessage),
        ("payload grown by a byte (33)", ["UPDATE events SET canonical = canonical || '\\x20'::bytea WHERE seq = 33"], 33, hashMessage),
        ("payload replaced by bytes that are not JSON (40)", ["UPDATE events SET canonical = '\\x00ff'::bytea WHERE seq = 40"], 40,
         "the stored event's own seq is unreadable, not 40: rows were moved or edited"),
        // Rows moved: seq 6 holds seq 5's event.
        ("an event copied onto the next seq (6)", ["UPDATE events SET canonical = (SELECT canonical FROM events WHERE seq = 5) WHERE seq = 6"], 6,
         "the stored event's own seq is 5, not 6: rows were moved or edited"),
        // A changed tile: leaf n is slot n % 256 of level-0 tile n / 256, written with seq n + 1.
        ("full tile hash at a page boundary (10)", [damage("tiles", level: 0, index: 0, slot: 9)], 10, tree(9)),
        ("full tile hash inside a page (15)", [damage("tiles", level: 0, index: 0, slot: 14)], 15, tree(14)),
        ("edge hash at a page boundary (520)", [damage("tile_edges", level: 0, index: 2, slot: 7)], 520, tree(519)),
        ("edge hash inside a page (518)", [damage("tile_edges", level: 0, index: 2, slot: 5)], 518, tree(517)),
        // The level-1 edge's first hash (the root of tile 0, written with seq 256) is only
        // compared at the stop: a later failure (seq 300's tile hash) must not hide it.
        ("level-1 edge hash (256) before a level-0 tile hash (300)",
         [damage("tile_edges", level: 1, index: 0, slot: 0), damage("tiles", level: 0, index: 1, slot: 43)], 256, tree(level: 8, 0)),
        ("level-1 edge hash (256) before a chain break (301)",
         [damage("tile_edges", level: 1, index: 0, slot: 0), "UPDATE events SET prev_hash = hash WHERE seq = 301"], 256, tree(level: 8, 0)),
        // Missing rows.
        ("a row missing at a page boundary (10)", ["DELETE FROM events WHERE seq = 10"], 10, "event 10 is missing (the next stored seq is 11)"),
        ("the first row of a page missing (11)", ["DELETE FROM events WHERE seq = 11"], 11, "event 11 is missing (the next stored seq is 12)"),
        ("rows missing inside a page (15, 16)", ["DELETE FROM events WHERE seq IN (15, 16)"], 15, "event 15 is missing (the next stored seq is 17)"),
        ("the tail missing (698…700)", ["DELETE FROM events WHERE seq >= 698"], 698,
         "the log ends at seq 697 but the head records 700 events: the tail was cut off"),
    ]

    @Test("every kind of damage, at a page boundary and inside a page: the same first bad seq and reason for every page size", arguments: 0..<damages.count)
    func damaged(_ index: Int) async throws {
        let (what, statements, seq, reason) = Self.damages[index]
        let url = try await Self.ledger("vpdamage")
        try await PostgresAdmin.execute(Self.disable + statements, on: url)
        let reports = try await Self.reports(url)
        for pageSize in Self.pageSizes {
            let report = try #require(reports[pageSize])
            #expect(!report.ok && report.firstBadSeq == seq && report.reason == reason, "\(what), page size \(pageSize): \(report)")
            #expect(report.events == seq - 1, "\(what), page size \(pageSize): the verified prefix ends before the bad seq: \(report)")
            #expect(report.storedEvents == Int64(Self.size), "\(what): \(report)")
            #expect(report == reports[5_000], "\(what): page size \(pageSize) differs from one page")
        }
    }

    /// The same 700 events in a SQLite ledger, byte for byte (fixed salts and clock).
    static func sqliteLedger(_ dir: URL) throws -> Ledger {
        let sqlite = try Ledger.create(path: dir.appendingPathComponent("v.sqlite").path, profile: "baisha-2018", court: "court:baisha", now: demoClock)
        sqlite.saltSource = seededSalt
        var line = 0
        for batch in events() {
            _ = try sqlite.append(batch.map { line += 1; return NumberedEvent(line: line, event: $0) }, clock: { demoClock })
        }
        return sqlite
    }

    @Test("an event that no longer decodes (the kit's tampering of seq 5): exit 4 and the very output of the SQLite verify, --json and text")
    func undecodableAsOnSQLite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-vp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try Self.sqliteLedger(dir)
        let path = dir.appendingPathComponent("v.sqlite").path
        // The kit's step on SQLite (triggers dropped, one bit of seq 5's canonical bytes
        // flipped), at the first byte: the kit's middle byte may fall in a hex digit that still
        // decodes, this one never does ("{" becomes "z").
        var bytes = try #require(try sqlite.connection.scalarBlob("SELECT canonical FROM events WHERE seq = 5"))
        bytes[0] ^= 1
        #expect(throws: (any Error).self, "the tampered bytes must not decode") { try RecordedEvent(canonical: bytes, prevHash: [], hash: []) }
        try sqlite.connection.execute("DROP TRIGGER events_no_update")
        try sqlite.connection.run("UPDATE events SET canonical = ? WHERE seq = 5", [.blob(bytes)])

        let url = try await Self.ledger("vpkit")
        try await PostgresAdmin.execute(Self.disable + [Self.breakJSON(5)], on: url)
        #expect(try psqlRows("SELECT encode(canonical, 'hex') FROM events WHERE seq = 5", on: url) == [[bytes.map { String(format: "%02x", $0) }.joined()]],
                "the same bytes on both engines")

        for arguments in [["verify", "--json"], ["verify"]] {
            let onSQLite = try runProgram(try listledgerBinary(), arguments + ["--db", path])
            let onPostgres = try runProgram(try listledgerBinary(), arguments + ["--db", url.description])
            #expect(onSQLite.status == 4 && onPostgres.status == 4, "\(onSQLite) \(onPostgres)")
            #expect(onPostgres.stdout == onSQLite.stdout, "SQLite: \(onSQLite.stdout)\nPostgreSQL: \(onPostgres.stdout)")
        }
        guard case .object(let json) = try JSONParser.parse(Array(try runProgram(try listledgerBinary(), ["verify", "--json", "--db", url.description]).stdout.utf8)) else {
            Issue.record("verify --json printed no object")
            return
        }
        #expect(json.first { $0.0 == "first_bad_seq" }?.1 == .integer(5))
        #expect(json.first { $0.0 == "reason" }?.1 == .string(Self.hashMessage))
        #expect(Set(json.map(\.0)) == ["ok", "events", "head", "first_bad_seq", "reason", "root", "verified_events", "stored_events", "stored_head"])
        #expect(json.first { $0.0 == "root" }?.1 == .null)
    }
}
