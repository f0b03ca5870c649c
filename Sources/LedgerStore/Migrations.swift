import LedgerMerkle

/// Ordered schema migrations, run when a ledger of an older schema is opened for writing.
///
/// The version is stored twice: `meta.schema_version` (what every release so far reads) and
/// `PRAGMA user_version` (readable by any SQLite tool without knowing the tables). Each step
/// runs in the same `BEGIN IMMEDIATE` transaction as the version bump, after re-reading the
/// version under the write lock, so two processes opening an old ledger at once migrate it once.
/// The log is never rewritten by a migration: its bytes are what was signed. The tree's hashes
/// are derived from it; step 6 moves them, unchanged, from one row per node into tiles.
enum Migrations {
    struct Step {
        /// The version this step produces (the one before is `to - 1`).
        let to: Int
        let summary: String
        /// The SQL of the step. Steps marked `readable` only add things (indexes, tables): a
        /// read-only open may read the older schema as it is.
        let sql: String
        let readable: Bool
        /// The rules that derive the projections changed: the first writing open after this step
        /// derives them again from the log (`Ledger.open` runs the rebuild).
        var rederives = false
        /// Run after `sql`, in the same transaction (data a statement cannot move).
        var convert: (@Sendable (Connection) throws -> Void)? = nil
        /// SQL run after `convert` (and by a new ledger after `sql`).
        var finish = ""
    }

    /// Set in the migration's transaction, cleared in the rebuild's: a crash between the two
    /// leaves it set, so the next writing open rebuilds again.
    static let rederivePendingKey = "rederive_pending"

    /// Append new steps at the end; never edit a released one.
    static let steps: [Step] = [
        Step(to: 2, summary: "index events by type (report reads events of five types)",
             sql: "CREATE INDEX IF NOT EXISTS events_by_type ON events(type, seq);",
             readable: true),
        // Issue 9 amended the rules (SPEC §1): R6 is two duties, spc-2017 has no correction
        // window, terms bind both profiles, annulments. The log is unchanged; what is derived from
        // it is not. Readable: a read-only open shows the earlier release's projections until a
        // writing command upgrades the ledger.
        Step(to: 3, summary: "derive state and obligations again under the amended rules (issue 9)",
             sql: "INSERT INTO meta(key, value) VALUES ('\(rederivePendingKey)', '1') ON CONFLICT(key) DO UPDATE SET value = '1';",
             readable: true, rederives: true),
        // SPEC §7: the values and salts behind encoding v2's commitments, one row per event.
        // Not part of the log: `erase` deletes rows (no append-only trigger on purpose).
        Step(to: 4, summary: "personal values and salts beside the log (encoding v2)",
             sql: "CREATE TABLE IF NOT EXISTS personal_data(seq INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;",
             readable: true),
        // Issue 8 point 4: the obligations table is derived by a projector after the append,
        // not inside it; this is how far it has read the log. The obligations of an existing
        // ledger were derived by every append, so they are current: position = head size.
        // Readable: a read-only open of schema 4 has no position and its table is current.
        Step(to: 5, summary: "the obligations projector's position in the log",
             sql: """
             CREATE TABLE IF NOT EXISTS projector_positions(name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT;
             INSERT OR IGNORE INTO projector_positions(name, position) SELECT 'obligations', size FROM head;
             """,
             readable: true),
        // Issue 8: the Merkle tree as C2SP tlog-tiles (docs/design.md, "Merkle tiles"). Full
        // tiles are append-only like the log; the partial right edge of each tile level is one
        // row that every append batch rewrites, and its triggers allow only growth: a longer
        // blob with the same prefix, or the move to the next index once the full tile holding
        // the old hashes is stored (deleting it likewise). The stored hashes are copied, not recomputed,
        // so a tree damaged before the upgrade still fails `verify` after it. Readable: a read-only
        // open of an older ledger reads its `tree` table as it is (TreeStore.flat, verify).
        Step(to: 6, summary: "the Merkle tree stored as tiles of 256 hashes instead of a row per node",
             sql: """
             CREATE TABLE IF NOT EXISTS tiles(level INTEGER NOT NULL, idx INTEGER NOT NULL,
                 hashes BLOB NOT NULL CHECK (length(hashes) = 8192), PRIMARY KEY(level, idx)) STRICT;
             CREATE TRIGGER IF NOT EXISTS tiles_no_update BEFORE UPDATE ON tiles BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
             CREATE TRIGGER IF NOT EXISTS tiles_no_delete BEFORE DELETE ON tiles BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
             CREATE TABLE IF NOT EXISTS tile_edge(level INTEGER PRIMARY KEY, idx INTEGER NOT NULL,
                 hashes BLOB NOT NULL CHECK (length(hashes) BETWEEN 32 AND 8160 AND length(hashes) % 32 = 0)) STRICT;
             CREATE TRIGGER IF NOT EXISTS tile_edge_grows BEFORE UPDATE ON tile_edge
                 WHEN NEW.level <> OLD.level
                   OR (NEW.idx = OLD.idx AND (length(NEW.hashes) < length(OLD.hashes) OR substr(NEW.hashes, 1, length(OLD.hashes)) <> OLD.hashes))
                   OR (NEW.idx <> OLD.idx AND (NEW.idx < OLD.idx OR coalesce((SELECT substr(hashes, 1, length(OLD.hashes)) FROM tiles WHERE level = OLD.level AND idx = OLD.idx) <> OLD.hashes, 1)))
                 BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
             CREATE TRIGGER IF NOT EXISTS tile_edge_no_delete BEFORE DELETE ON tile_edge
                 WHEN coalesce((SELECT substr(hashes, 1, length(OLD.hashes)) FROM tiles WHERE level = OLD.level AND idx = OLD.idx) <> OLD.hashes, 1)
                 BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
             """,
             readable: true, convert: { try TileConversion.run($0) }, finish: "DROP TABLE IF EXISTS tree;"),
    ]

    static var latest: Int { steps.last?.to ?? 1 }

    /// The steps from `version` to the latest, in order.
    static func pending(from version: Int) -> ArraySlice<Step> {
        steps.drop { $0.to <= version }
    }

    /// Brings the ledger on `connection` to the latest version; returns the version found.
    @discardableResult
    static func migrate(_ connection: Connection) throws -> Int {
        try connection.writeTransaction {
            let found = try storedVersion(connection)
            for step in pending(from: found) {
                try connection.execute(step.sql)
                try step.convert?(connection)
                if !step.finish.isEmpty { try connection.execute(step.finish) }
                try connection.run("UPDATE meta SET value = ? WHERE key = 'schema_version'", [.text(String(step.to))])
            }
            try connection.execute("PRAGMA user_version = \(latest)")
            return found
        }
    }

    static func storedVersion(_ connection: Connection) throws -> Int {
        guard let text = try connection.scalarText("SELECT value FROM meta WHERE key = 'schema_version'"), let version = Int(text) else {
            throw LedgerError.integrity("meta.schema_version is missing or not a number")
        }
        return version
    }
}

/// Migration step 6: the flat `tree` rows into tiles (`FlatTreeTiler`: copied, not recomputed,
/// so a damaged tree still fails `verify` and names the node).
enum TileConversion {
    static func run(_ connection: Connection) throws {
        let size = try connection.scalarInt("SELECT size FROM head WHERE id = 1") ?? 0
        func store(_ tileLevel: Int, _ index: Int64, _ tile: [UInt8]) throws {
            let shift = Merkle.tileHeight * tileLevel + Merkle.tileHeight
            if tile.count == Merkle.tileBytes {
                try connection.run("INSERT INTO tiles(level, idx, hashes) VALUES (?, ?, ?)", [.int(Int64(tileLevel)), .int(index), .blob(tile)])
            } else if !tile.isEmpty, index == (shift < 63 ? size >> shift : 0) {
                try connection.run("INSERT INTO tile_edge(level, idx, hashes) VALUES (?, ?, ?)", [.int(Int64(tileLevel)), .int(index), .blob(tile)])
            }
        }
        var tiler = FlatTreeTiler()
        let rows = try connection.statement("SELECT idx, node FROM tree ORDER BY idx")
        defer { rows.reset() }
        while try rows.step() {
            if let finished = tiler.add(index: rows.int(0), node: rows.blob(1)) { try store(finished.tileLevel, finished.index, finished.hashes) }
        }
        rows.reset()
        for tile in tiler.remaining { try store(tile.tileLevel, tile.index, tile.hashes) }
    }
}
