/// The ledger's tables. The log and the tree's full tiles are append-only (triggers refuse UPDATE and
/// DELETE); everything else is a projection that `rebuild` can derive again from the log.
enum Schema {
    /// The schema a new ledger gets: `create` below plus every migration step. Older ledgers
    /// are brought here by `Migrations` when opened for writing.
    static var version: Int { Migrations.latest }

    static let create = """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE events(
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        id TEXT UNIQUE,
        entry TEXT,
        type TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        recorded_ms INTEGER NOT NULL,
        canonical BLOB NOT NULL,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL
    ) STRICT;
    CREATE INDEX events_by_entry ON events(entry, seq);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TABLE head(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, hash BLOB NOT NULL, recorded_ms INTEGER NOT NULL,
        latest_at_ms INTEGER) STRICT;
    INSERT INTO head VALUES (1, 0, zeroblob(32), 0, NULL);
    CREATE TABLE tree(idx INTEGER PRIMARY KEY, node BLOB NOT NULL) STRICT;
    CREATE TRIGGER tree_no_update BEFORE UPDATE ON tree BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
    CREATE TRIGGER tree_no_delete BEFORE DELETE ON tree BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
    CREATE TABLE entries(
        entry TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        court TEXT NOT NULL,
        public INTEGER,
        last_seq INTEGER NOT NULL,
        state TEXT NOT NULL
    ) STRICT;
    CREATE TABLE complaints(complaint TEXT PRIMARY KEY, entry TEXT, received_seq INTEGER NOT NULL, resolved_seq INTEGER) STRICT;
    CREATE TABLE flags(obligation TEXT PRIMARY KEY, flagged_seq INTEGER NOT NULL) STRICT;
    CREATE TABLE obligations(
        id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        entry TEXT NOT NULL,
        obligor TEXT NOT NULL,
        trigger_seq INTEGER NOT NULL,
        trigger_at TEXT NOT NULL,
        trigger_ms INTEGER NOT NULL,
        due TEXT,
        met_at TEXT,
        met_ms INTEGER,
        calendar_version TEXT NOT NULL,
        effective_ms INTEGER NOT NULL,
        detail TEXT
    ) STRICT;
    CREATE INDEX obligations_by_due ON obligations(due);
    CREATE INDEX obligations_unmet ON obligations(due) WHERE met_ms IS NULL;
    CREATE INDEX obligations_unmet_duties ON obligations(due) WHERE met_ms IS NULL AND rule <> 'R2';
    CREATE INDEX obligations_by_entry ON obligations(entry);
    CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, created_ms INTEGER NOT NULL) STRICT;
    CREATE TABLE calendars(version TEXT PRIMARY KEY, data TEXT NOT NULL, loaded_ms INTEGER NOT NULL) STRICT;
    """

    /// What `create` lacks of the latest version: the SQL of every migration step (so a new
    /// ledger and a migrated one have the same schema).
    static var createAll: String { ([create] + Migrations.steps.filter { !$0.rederives }.map { $0.sql + "\n" + $0.finish }).joined(separator: "\n") + "\nPRAGMA user_version = \(version);" }

    /// The projection tables `rebuild` empties and fills again.
    static let projectionTables = ["entries", "complaints", "flags", "obligations"]
}
