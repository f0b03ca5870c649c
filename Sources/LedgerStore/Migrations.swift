/// Ordered schema migrations, run when a ledger of an older schema is opened for writing.
///
/// The version is stored twice: `meta.schema_version` (what every release so far reads) and
/// `PRAGMA user_version` (readable by any SQLite tool without knowing the tables). Each step
/// runs in the same `BEGIN IMMEDIATE` transaction as the version bump, after re-reading the
/// version under the write lock, so two processes opening an old ledger at once migrate it once.
/// The log and the tree are never rewritten by a migration: their bytes are what was signed.
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
