/// The tables of SPEC §8 on PostgreSQL: many court logs side by side in one database.
///
/// The log tables (`events`, `tiles`, `checkpoints`; `tile_edges` only grows) refuse UPDATE, DELETE and TRUNCATE by
/// trigger, as the SQLite store's do. What is not the log may change: the head row (the
/// sequencer's lock and its high-water mark, always equal to the log's last seq), the inbox
/// (submissions waiting for the sequencer), the results the submitters wait for, the entry
/// projection and the personal values (erasable, SPEC §7).
enum PostgresSchema {
    static let version = 4

    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS logs (
            log_id serial PRIMARY KEY,
            court text NOT NULL UNIQUE,
            origin text NOT NULL,
            profile text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        // One row per log: taken FOR UPDATE by the one sequencer of that log at a time.
        """
        CREATE TABLE IF NOT EXISTS heads (
            log_id integer PRIMARY KEY REFERENCES logs,
            size bigint NOT NULL,
            hash bytea NOT NULL,
            recorded_ms bigint NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS events (
            log_id integer NOT NULL REFERENCES logs,
            seq bigint NOT NULL CHECK (seq >= 1),
            id text,
            entry text,
            type text NOT NULL,
            at_ms bigint NOT NULL,
            recorded_ms bigint NOT NULL,
            canonical bytea NOT NULL,
            prev_hash bytea NOT NULL,
            hash bytea NOT NULL,
            PRIMARY KEY (log_id, seq)
        )
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events(log_id, id) WHERE id IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS events_by_entry ON events(log_id, entry, type, at_ms)",
        """
        CREATE TABLE IF NOT EXISTS checkpoints (
            log_id integer NOT NULL REFERENCES logs,
            size bigint NOT NULL,
            root bytea NOT NULL,
            note text NOT NULL,
            made_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (log_id, size, note)
        )
        """,
        // Each log's Ed25519 note key; readable by the owner role only (`pg setup`).
        """
        CREATE TABLE IF NOT EXISTS signing_keys (
            log_id integer PRIMARY KEY REFERENCES logs,
            secret text NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS personal_data (
            log_id integer NOT NULL REFERENCES logs,
            seq bigint NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (log_id, seq)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS entry_states (
            log_id integer NOT NULL REFERENCES logs,
            entry text NOT NULL,
            state bytea NOT NULL,
            PRIMARY KEY (log_id, entry)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS complaints (
            log_id integer NOT NULL REFERENCES logs,
            complaint text NOT NULL,
            entry text,
            received_seq bigint NOT NULL,
            resolved_seq bigint,
            PRIMARY KEY (log_id, complaint)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS flags (
            log_id integer NOT NULL REFERENCES logs,
            obligation text NOT NULL,
            flagged_seq bigint NOT NULL,
            PRIMARY KEY (log_id, obligation)
        )
        """,
        // Submissions wait here, durably, until the log's sequencer takes them (issue 13 point 3).
        """
        CREATE TABLE IF NOT EXISTS inbox (
            ticket bigserial PRIMARY KEY,
            log_id integer NOT NULL REFERENCES logs,
            events bytea NOT NULL,
            submitted_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX IF NOT EXISTS inbox_by_log ON inbox(log_id, ticket)",
        // The sequencer's answer to each ticket, written in the transaction that sequenced it.
        """
        CREATE TABLE IF NOT EXISTS results (
            ticket bigint PRIMARY KEY,
            log_id integer NOT NULL REFERENCES logs,
            outcomes bytea NOT NULL,
            error text,
            answered_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        // The sequencer's clean-up of old answers walks this, not the whole table.
        "CREATE INDEX IF NOT EXISTS results_by_age ON results(log_id, answered_at)",
        """
        CREATE OR REPLACE FUNCTION listledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
        END $$
        """,
    ] + ["events", "checkpoints"].flatMap(appendOnly) + serverStatements

    /// UPDATE, DELETE and TRUNCATE on `table` refused by trigger, for everyone.
    static func appendOnly(_ table: String) -> [String] {
        [
            "DROP TRIGGER IF EXISTS \(table)_append_only ON \(table)",
            "CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION listledger_refuse_change()",
            "DROP TRIGGER IF EXISTS \(table)_no_truncate ON \(table)",
            "CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION listledger_refuse_change()",
        ]
    }

    /// The Merkle tree of each log as C2SP tlog-tiles (height 8), as the SQLite store keeps it
    /// since its schema 6 (docs/design.md, "Merkle tiles"): full tiles of 256 hashes in `tiles`,
    /// append-only; the partial right edge of each tile level one row in `tile_edges`, which
    /// may only grow (a longer value with the same prefix) or move on to the next tile once the
    /// full tile holding its hashes is stored (and be deleted likewise). The probe of this step
    /// is `tile_edges`; a database made before it has the flat `tree` table of one row per node,
    /// converted by `PostgresLedger.convertFlatTree` and then dropped.
    static let tileStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS tiles (
            log_id integer NOT NULL REFERENCES logs,
            level integer NOT NULL,
            idx bigint NOT NULL,
            hashes bytea NOT NULL CHECK (length(hashes) = 8192),
            PRIMARY KEY (log_id, level, idx)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS tile_edges (
            log_id integer NOT NULL REFERENCES logs,
            level integer NOT NULL,
            idx bigint NOT NULL,
            hashes bytea NOT NULL CHECK (length(hashes) BETWEEN 32 AND 8160 AND length(hashes) % 32 = 0),
            PRIMARY KEY (log_id, level)
        )
        """,
        """
        CREATE OR REPLACE FUNCTION listledger_edge_grows() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            full_tile bytea;
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.log_id = OLD.log_id AND NEW.level = OLD.level AND NEW.idx = OLD.idx
               AND length(NEW.hashes) >= length(OLD.hashes)
               AND substring(NEW.hashes FROM 1 FOR length(OLD.hashes)) = OLD.hashes THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'DELETE' OR (NEW.log_id = OLD.log_id AND NEW.level = OLD.level AND NEW.idx > OLD.idx) THEN
                SELECT hashes INTO full_tile FROM tiles WHERE log_id = OLD.log_id AND level = OLD.level AND idx = OLD.idx;
                IF full_tile IS NOT NULL AND substring(full_tile FROM 1 FOR length(OLD.hashes)) = OLD.hashes THEN
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION 'the Merkle tree is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
        END $$
        """,
        "DROP TRIGGER IF EXISTS tile_edges_grow ON tile_edges",
        "CREATE TRIGGER tile_edges_grow BEFORE UPDATE OR DELETE ON tile_edges FOR EACH ROW EXECUTE FUNCTION listledger_edge_grows()",
        "DROP TRIGGER IF EXISTS tile_edges_no_truncate ON tile_edges",
        "CREATE TRIGGER tile_edges_no_truncate BEFORE TRUNCATE ON tile_edges FOR EACH STATEMENT EXECUTE FUNCTION listledger_refuse_change()",
    ] + appendOnly("tiles")

    /// The alert runner's webhook receivers and deliveries, per log (the SQLite ledger keeps
    /// them in its file): operational state beside the log, never in it, not touched by
    /// `rebuild`. A delivery row says a breach reached an address; the runner retries the rest.
    /// The probe of this step is `webhook_deliveries`.
    static let webhookStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS webhook_receivers (
            log_id integer NOT NULL REFERENCES logs,
            id text NOT NULL,
            party text NOT NULL,
            url text NOT NULL,
            secret bytea NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (log_id, id)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            log_id integer NOT NULL REFERENCES logs,
            obligation text NOT NULL,
            address text NOT NULL,
            delivered_ms bigint NOT NULL,
            PRIMARY KEY (log_id, obligation, address)
        )
        """,
    ]

    /// Schema 2: what `serve` needs beside the log (the SQLite store's `credentialSchema`).
    /// Credentials are the database's, not one log's: a person or a program of a province holds
    /// one credential whichever court's log a server serves. The access log and the event
    /// attribution are per log. Neither is in the canonical bytes or the tree; both are
    /// append-only by trigger. A submission carries its credential and If-Match version through
    /// the inbox, so the sequencer writes the attribution in the transaction that sequences it.
    static let serverStatements: [String] = [
        "ALTER TABLE inbox ADD COLUMN IF NOT EXISTS credential text",
        "ALTER TABLE inbox ADD COLUMN IF NOT EXISTS expected_last_seq bigint",
        """
        CREATE TABLE IF NOT EXISTS credential_tokens (
            id text PRIMARY KEY,
            party text NOT NULL,
            scopes text NOT NULL,
            token_hash bytea NOT NULL,
            created_ms bigint NOT NULL,
            expires_ms bigint,
            revoked_ms bigint
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS credential_users (
            name text PRIMARY KEY,
            party text NOT NULL,
            scopes text NOT NULL,
            password_hash bytea NOT NULL,
            created_ms bigint NOT NULL,
            disabled_ms bigint
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS access_log (
            n bigserial PRIMARY KEY,
            log_id integer NOT NULL REFERENCES logs,
            at_ms bigint NOT NULL,
            credential text NOT NULL,
            party text NOT NULL,
            entry text NOT NULL,
            address text NOT NULL,
            route text NOT NULL
        )
        """,
        // Which credential recorded each seq through the server (absent: the command line).
        """
        CREATE TABLE IF NOT EXISTS event_credentials (
            log_id integer NOT NULL REFERENCES logs,
            seq bigint NOT NULL,
            credential text NOT NULL,
            PRIMARY KEY (log_id, seq)
        )
        """,
    ] + ["access_log", "event_credentials"].flatMap(appendOnly) + [
        // Last: `migrate` probes for it, so a database that has it has all of the above.
        "CREATE INDEX IF NOT EXISTS access_log_by_entry ON access_log(log_id, entry, at_ms)",
    ]
}
