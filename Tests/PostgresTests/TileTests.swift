import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerStore
import PostgresNIO
import TestSupport
import Testing

/// Each PostgreSQL log's tree as C2SP tlog-tiles, as the SQLite store keeps it (issue 13): the
/// same tile bytes for the same events (the SQLite tiles are checked against hashlib by
/// scripts/tests/test_tiles.py and against RFC 6962 written out by TileStoreTests), the same
/// proofs, the log's triggers on the tile tables, verify naming a damaged tile's seq, and the
/// upgrade of a database made before tiles (Fixtures/postgres/flat-tree-v1.sql, a `pg_dump`
/// of a database written by the release before this change).
@Suite("PostgreSQL: Merkle tiles", .enabled(if: serverURL != nil, skipReason))
struct PgTileTests {
    static let profile = PolicyProfile.named("baisha-2018")!

    /// 700 events in three submissions of 250, 250, 200: tiles complete inside a round and
    /// across rounds, and the edge moves on twice.
    static func events() -> [[Event]] {
        let all = (1...700).map { notice("T\($0)") }
        return [Array(all[0..<250]), Array(all[250..<500]), Array(all[500..<700])]
    }

    /// Every tile and edge of a ledger as (level, index, bytes), sorted.
    typealias Tiles = [[String]]

    static func sqliteTiles() throws -> (tiles: Tiles, ledger: Ledger, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-tiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sqlite = try Ledger.create(path: dir.appendingPathComponent("t.sqlite").path, profile: "baisha-2018", court: "court:baisha", now: demoClock)
        sqlite.saltSource = seededSalt
        var line = 0
        for batch in events() {
            _ = try sqlite.append(batch.map { line += 1; return NumberedEvent(line: line, event: $0) }, clock: { demoClock })
        }
        var tiles: Tiles = []
        for table in ["tiles", "tile_edge"] {
            let rows = try sqlite.connection.statement("SELECT level, idx, hex(hashes) FROM \(table)")
            while try rows.step() { tiles.append(["\(rows.int(0))", "\(rows.int(1))", (rows.text(2) ?? "").lowercased()]) }
        }
        return (tiles.sorted { $0.lexicographicallyPrecedes($1) }, sqlite, dir)
    }

    static func postgresTiles(_ url: PostgresURL) throws -> Tiles {
        try psqlRows("SELECT level, idx, encode(hashes, 'hex') FROM tiles UNION ALL SELECT level, idx, encode(hashes, 'hex') FROM tile_edges", on: url)
            .sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test("700 events in three rounds: the same tiles, edges, root and proofs as SQLite's; verify ok")
    func sameTilesAsSQLite() async throws {
        let (expected, sqlite, dir) = try Self.sqliteTiles()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(expected.count == 4, "SQLite: 2 full level-0 tiles, edges at levels 0 and 1: \(expected.map { $0.prefix(2) })")
        let (sqliteRoot, sqliteRoot300, sqliteConsistency) = (try sqlite.verify().root, try sqlite.treeRoot(size: 300),
                                                              try sqlite.consistencyProof(oldSize: 300, newSize: 700))
        let url = try await freshDatabase("tiles")
        try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
            for batch in Self.events() { _ = try await ledger.submit(batch, to: log) }
            let report = try await ledger.verify(log: log)
            #expect(report.ok && report.events == 700, "\(report)")
            #expect(report.root == sqliteRoot)
            #expect(try await ledger.treeHash(of: log, size: 300) == sqliteRoot300)
            #expect(try await ledger.consistencyProof(of: log, oldSize: 300, newSize: 700) == sqliteConsistency)
        }
        #expect(try Self.postgresTiles(url) == expected)
    }

    @Test("full tiles refuse UPDATE, DELETE and TRUNCATE; an edge may not shrink, change or vanish")
    func tileTriggers() async throws {
        let url = try await freshDatabase("tiletrig")
        try await PostgresLedger.withLedger(url: url, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
            _ = try await ledger.submit(Array(Self.events()[0]) + Array(Self.events()[1].prefix(20)), to: log)
        }
        let refusals: [(String, String)] = [
            ("UPDATE tiles SET hashes = hashes", "the log is append-only"),
            ("DELETE FROM tiles", "the log is append-only"),
            ("TRUNCATE tiles CASCADE", "the log is append-only"),
            ("UPDATE tile_edges SET hashes = substring(hashes FROM 1 FOR 32) WHERE level = 0", "the Merkle tree is append-only"),
            ("UPDATE tile_edges SET hashes = decode(repeat('00', length(hashes)), 'hex') WHERE level = 0", "the Merkle tree is append-only"),
            ("UPDATE tile_edges SET idx = idx + 1 WHERE level = 0", "the Merkle tree is append-only"),
            ("DELETE FROM tile_edges", "the Merkle tree is append-only"),
            ("TRUNCATE tile_edges", "the log is append-only"),
        ]
        for (statement, message) in refusals {
            do {
                try await PostgresAdmin.execute([statement], on: url)
                Issue.record("\(statement) was not refused")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.message]?.contains(message) == true, "\(statement): \(String(reflecting: error))")
            }
        }
        let report = try await PostgresLedger.withLedger(url: url) { ledger in try await ledger.verify(log: try await ledger.log(court: nil)) }
        #expect(report.ok && report.events == 270, "\(report)")
    }

    @Test("verify names the seq that wrote a damaged hash, in a full tile and in the edge")
    func damagedTiles() async throws {
        // Leaf n (0-based) is slot n % 256 of level-0 tile n / 256; it was written with seq n+1,
        // and its flat index is storedHashIndex(0, n) (Crosby–Wallach: n + n/2 + n/4 + …).
        let cases: [(statement: String, seq: Int64, node: Int64)] = [
            ("UPDATE tiles SET hashes = overlay(hashes PLACING '\\xff'::bytea FROM 33 FOR 1) WHERE level = 0 AND idx = 0", 2, 1),
            ("UPDATE tile_edges SET hashes = overlay(hashes PLACING '\\xff'::bytea FROM 32 * 5 + 1 FOR 1) WHERE level = 0", 262, 519),
        ]
        #expect(Merkle.storedHashIndex(level: 0, n: 261) == 261 + 130 + 65 + 32 + 16 + 8 + 4 + 2 + 1)
        for (statement, seq, node) in cases {
            let url = try await freshDatabase("tiledamage")
            try await PostgresLedger.withLedger(url: url, clock: { demoClock }) { ledger in
                let log = try await ledger.createLog(court: "court:baisha", profile: Self.profile)
                _ = try await ledger.submit(Array(Self.events()[0]) + Array(Self.events()[1].prefix(20)), to: log)
            }
            try await PostgresAdmin.execute(["ALTER TABLE tiles DISABLE TRIGGER USER", "ALTER TABLE tile_edges DISABLE TRIGGER USER", statement], on: url)
            let report = try await PostgresLedger.withLedger(url: url) { ledger in try await ledger.verify(log: try await ledger.log(court: nil)) }
            #expect(!report.ok)
            #expect(report.firstBadSeq == seq, "\(statement): \(report)")
            #expect(report.reason == "the stored Merkle tree node \(node), written with seq \(seq), does not match the events", "\(report)")
        }
    }

    @Test("a database made before tiles (flat tree rows) upgrades: tiles copied, tree dropped, proofs and verify unchanged")
    func upgradeFromFlatTree() async throws {
        for damaged in [false, true] {
            let url = try await freshDatabase("flat")
            var dump = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/postgres/flat-tree-v1.sql"), encoding: .utf8)
            if damaged {
                // Leaf 5's stored hash (flat index 8) changed in the dump, as an attacker with
                // the database would: copied as it is, so verify still names it.
                dump = try Self.damagingTreeRow(8, in: dump)
            }
            try runPsql(dump, on: url)
            #expect(try psqlRows("SELECT to_regclass('public.tree') IS NOT NULL", on: url) == [["t"]], "the fixture is a database before tiles")
            let (report, checkpoint, root) = try await PostgresLedger.withLedger(url: url) { ledger in
                let log = try await ledger.log(court: nil)
                let checkpoint = try await ledger.latestCheckpoint(of: log)
                return (try await ledger.verify(log: log), checkpoint, try await ledger.treeHash(of: log, size: checkpoint?.size ?? 0))
            }
            #expect(try psqlRows("SELECT to_regclass('public.tree') IS NULL", on: url) == [["t"]], "the flat tree table is dropped")
            let signed = try #require(checkpoint, "the fixture holds a signed checkpoint")
            if damaged {
                #expect(!report.ok && report.firstBadSeq == 6, "\(report)")
            } else {
                #expect(report.ok && report.events == 300, "\(report)")
                #expect(root == signed.root, "the converted tiles give the root the old release signed")
            }
        }
    }

    /// The dump with the tree row of flat index `index` given another hash (its first byte flipped).
    static func damagingTreeRow(_ index: Int64, in dump: String) throws -> String {
        var lines = dump.components(separatedBy: "\n")
        var inTree = false
        for i in lines.indices {
            if lines[i].hasPrefix("COPY public.tree ") { inTree = true; continue }
            if inTree, lines[i] == "\\." { break }
            let fields = lines[i].components(separatedBy: "\t")
            if inTree, fields.count == 3, fields[1] == "\(index)", fields[2].hasPrefix("\\\\x") {
                let hex = Array(fields[2].dropFirst(3))
                let flipped = hex[0] == "f" ? "0" : "f"
                lines[i] = [fields[0], fields[1], "\\\\x" + flipped + String(hex.dropFirst())].joined(separator: "\t")
                return lines.joined(separator: "\n")
            }
        }
        throw CocoaError(.fileReadCorruptFile)
    }
}

/// Loads `sql` into the database at `url` with psql (stopping at the first error).
func runPsql(_ sql: String, on url: PostgresURL) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ll-psql-\(UUID().uuidString).sql")
    try sql.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let result = try runProgram("/usr/bin/env", ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url.description, "-f", file.path])
    #expect(result.status == 0, "psql: \(result)")
}

/// The rows `query` gives at `url`, read with psql (unaligned, tab-separated).
func psqlRows(_ query: String, on url: PostgresURL) throws -> [[String]] {
    let result = try runProgram("/usr/bin/env", ["psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url.description, "-c", query])
    #expect(result.status == 0, "psql: \(result)")
    return result.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
}
