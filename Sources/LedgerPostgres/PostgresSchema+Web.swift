/// Schema 3: what the web pages need beside the log (the SQLite store's `sessionSchema`).
///
/// Both tables are the database's, not one log's, as the credentials are (`credential_users`):
/// a session is a signed-in user, and the user is the database's; several servers of one
/// court's log (behind one address) must all know it, and a unit's or a court's name does not
/// depend on which court's log a page shows. Neither is in the canonical bytes or the tree.
/// A session id is stored only as its SHA-256; the only change a session row takes is its
/// ending (`ended_ms`). The names are seeded at `serve` start (insert where missing); a name
/// the operator changed is kept, and the server role may not change one (`pg setup`).
extension PostgresSchema {
    static let webStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS web_sessions (
            id_hash bytea PRIMARY KEY CHECK (length(id_hash) = 32),
            user_name text NOT NULL,
            csrf text NOT NULL,
            created_ms bigint NOT NULL,
            expires_ms bigint NOT NULL,
            ended_ms bigint
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS party_names (
            code text PRIMARY KEY,
            name text NOT NULL
        )
        """,
        // Last: `migrate` probes for it, so a database that has it has both tables.
        "CREATE INDEX IF NOT EXISTS web_sessions_by_user ON web_sessions(user_name)",
    ]
}
