package import LedgerDomain

// The web pages' sign-in sessions, beside the log like the other credential tables (never in
// the canonical bytes; `rebuild` leaves them alone). A session id is stored only as its SHA-256,
// so a copy of the file holds no usable cookie. Each lookup joins the user row: a user disabled
// or removed after signing in is out on the very next request, without any session sweep.

extension Ledger {
    static let sessionSchema = """
    CREATE TABLE IF NOT EXISTS web_sessions(
        id_hash BLOB PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL,
        created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, ended_ms INTEGER) STRICT;
    CREATE INDEX IF NOT EXISTS web_sessions_by_user ON web_sessions(user);
    CREATE TABLE IF NOT EXISTS party_names(code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
    """

    /// Creates the session and names tables when missing (idempotent; the server's writer calls it).
    package func ensureSessionTables() throws(LedgerError) {
        do { try connection.execute(Self.sessionSchema) } catch { throw .storage(error) }
    }

    package func insertSession(idHash: [UInt8], user: String, csrfToken: String, createdMilliseconds: Int64, expiresMilliseconds: Int64) throws(LedgerError) {
        do {
            try connection.run("INSERT INTO web_sessions(id_hash, user, csrf, created_ms, expires_ms, ended_ms) VALUES (?, ?, ?, ?, ?, NULL)",
                               [.blob(idHash), .text(user), .text(csrfToken), .int(createdMilliseconds), .int(expiresMilliseconds)])
        } catch { throw .storage(error) }
    }

    /// The session with this id hash when it is neither ended nor expired at `now` and its
    /// user still exists and is not disabled; else nil.
    package func liveSession(idHash: [UInt8], nowMilliseconds: Int64) throws(LedgerError) -> StoredSession? {
        do {
            guard try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'web_sessions'") == 1 else { return nil }
            let statement = try connection.statement("""
                SELECT s.user, u.party, u.scopes, s.csrf, s.expires_ms FROM web_sessions s JOIN credential_users u ON u.name = s.user
                WHERE s.id_hash = ? AND s.ended_ms IS NULL AND s.expires_ms > ? AND u.disabled_ms IS NULL
                """)
            defer { statement.reset() }
            try statement.bind([.blob(idHash), .int(nowMilliseconds)])
            guard try statement.step() else { return nil }
            return StoredSession(user: statement.text(0) ?? "", party: statement.text(1) ?? "",
                                 scopes: (statement.text(2) ?? "").split(separator: ",").map(String.init),
                                 csrfToken: statement.text(3) ?? "", expiresMilliseconds: statement.int(4))
        } catch { throw .storage(error) }
    }

    /// Ends a session (sign-out); false when no open session has that id hash.
    package func endSession(idHash: [UInt8], at milliseconds: Int64) throws(LedgerError) -> Bool {
        do {
            try connection.run("UPDATE web_sessions SET ended_ms = ? WHERE id_hash = ? AND ended_ms IS NULL", [.int(milliseconds), .blob(idHash)])
            return connection.changes == 1
        } catch { throw .storage(error) }
    }

    // MARK: names

    /// Adds the names not yet known (a name set by the operator is never overwritten).
    package func seedPartyNames(_ names: [(code: String, name: String)]) throws(LedgerError) {
        do {
            try connection.writeTransaction {
                for (code, name) in names {
                    try connection.run("INSERT OR IGNORE INTO party_names(code, name) VALUES (?, ?)", [.text(code), .text(name)])
                }
            }
        } catch let error as SQLiteError { throw .storage(error) } catch { throw .integrity("\(error)") }
    }

    /// Every known party name, code → name (empty when the table does not exist yet).
    package func partyNames() throws(LedgerError) -> [String: String] {
        do {
            guard try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'party_names'") == 1 else { return [:] }
            let statement = try connection.statement("SELECT code, name FROM party_names")
            defer { statement.reset() }
            var names: [String: String] = [:]
            while try statement.step() { names[statement.text(0) ?? ""] = statement.text(1) ?? "" }
            return names
        } catch { throw .storage(error) }
    }
}
