package import LedgerDomain

// The server's credentials and its access log live beside the log, not in it: they are created
// here with CREATE TABLE IF NOT EXISTS (an existing ledger gains them on first `serve`, `users`
// or `tokens`), they never enter the canonical bytes, and `rebuild` leaves them alone.
//
// Which credential recorded each event is kept in `event_credentials`, a side table keyed by
// seq and written in the same transaction as the append (by a TEMP trigger on the server's
// writer connection, see `attributeAppends`). The canonical bytes, the chain and the Merkle tree
// are therefore exactly what they would be without the server, and every old proof verifies.
// The cost: the attribution is not itself covered by the signed tree; an auditor trusts the
// store for "which person", the tree for "which fact".



extension Ledger {
    static let credentialSchema = """
    CREATE TABLE IF NOT EXISTS credential_tokens(
        id TEXT PRIMARY KEY, party TEXT NOT NULL, scopes TEXT NOT NULL, token_hash BLOB NOT NULL,
        created_ms INTEGER NOT NULL, expires_ms INTEGER, revoked_ms INTEGER) STRICT;
    CREATE TABLE IF NOT EXISTS credential_users(
        name TEXT PRIMARY KEY, party TEXT NOT NULL, scopes TEXT NOT NULL, password_hash BLOB NOT NULL,
        created_ms INTEGER NOT NULL, disabled_ms INTEGER) STRICT;
    CREATE TABLE IF NOT EXISTS access_log(
        n INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, credential TEXT NOT NULL, party TEXT NOT NULL,
        entry TEXT NOT NULL, address TEXT NOT NULL, route TEXT NOT NULL) STRICT;
    CREATE INDEX IF NOT EXISTS access_log_by_entry ON access_log(entry, at_ms);
    CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
    CREATE INDEX IF NOT EXISTS entries_public_by_debtor ON entries(json_extract(state, '$.debtor')) WHERE public = 1;
    CREATE TABLE IF NOT EXISTS event_credentials(seq INTEGER PRIMARY KEY, credential TEXT NOT NULL) STRICT;
    CREATE TRIGGER IF NOT EXISTS event_credentials_no_update BEFORE UPDATE ON event_credentials BEGIN SELECT RAISE(ABORT, 'attributions are append-only'); END;
    """

    /// Creates the credential tables when the ledger has none yet (idempotent).
    package func ensureCredentialTables() throws(LedgerError) {
        do { try connection.execute(Self.credentialSchema) } catch { throw .storage(error) }
    }

    /// Whether the credential tables exist (a read-only reader cannot create them).
    package func hasCredentialTables() throws(LedgerError) -> Bool {
        do { return try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'access_log'") == 1 } catch { throw .storage(error) }
    }

    // MARK: tokens

    package func insertToken(_ token: StoredCredential) throws(LedgerError) {
        do {
            try connection.run("INSERT INTO credential_tokens(id, party, scopes, token_hash, created_ms, expires_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                               [.text(token.id), .text(token.party), .text(token.scopes.joined(separator: ",")), .blob(token.secretHash),
                                .int(token.createdMilliseconds), token.expiresMilliseconds.map(SQLValue.int) ?? .null])
        } catch { throw .storage(error) }
    }

    package func token(id: String) throws(LedgerError) -> StoredCredential? {
        try tokens(where: "id = ?", [.text(id)]).first
    }

    package func allTokens() throws(LedgerError) -> [StoredCredential] {
        try tokens(where: nil, [])
    }

    private func tokens(where filter: String?, _ arguments: [SQLValue]) throws(LedgerError) -> [StoredCredential] {
        try credentialRows("SELECT id, party, scopes, token_hash, created_ms, expires_ms, revoked_ms FROM credential_tokens"
                           + (filter.map { " WHERE " + $0 } ?? "") + " ORDER BY created_ms, id", arguments)
    }

    /// Reads `StoredCredential`s from a SELECT of id, party, scopes, secret hash, created,
    /// expires, revoked (users: name, …, NULL, disabled), for tokens and users alike.
    private func credentialRows(_ sql: String, _ arguments: [SQLValue]) throws(LedgerError) -> [StoredCredential] {
        do {
            let statement = try connection.statement(sql)
            defer { statement.reset() }
            try statement.bind(arguments)
            var found: [StoredCredential] = []
            while try statement.step() {
                found.append(StoredCredential(
                    id: statement.text(0) ?? "", party: statement.text(1) ?? "",
                    scopes: (statement.text(2) ?? "").split(separator: ",").map(String.init),
                    createdMilliseconds: statement.int(4),
                    expiresMilliseconds: statement.isNull(5) ? nil : statement.int(5),
                    revokedMilliseconds: statement.isNull(6) ? nil : statement.int(6),
                    secretHash: statement.blob(3)))
            }
            return found
        } catch { throw .storage(error) }
    }

    /// Marks a token revoked; false when no live token has that id.
    package func revokeToken(id: String, at milliseconds: Int64) throws(LedgerError) -> Bool {
        do {
            try connection.run("UPDATE credential_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL", [.int(milliseconds), .text(id)])
            return connection.changes == 1
        } catch { throw .storage(error) }
    }

    // MARK: users

    package func insertUser(_ user: StoredCredential) throws(LedgerError) {
        do {
            try connection.run("INSERT INTO credential_users(name, party, scopes, password_hash, created_ms, disabled_ms) VALUES (?, ?, ?, ?, ?, NULL)",
                               [.text(user.id), .text(user.party), .text(user.scopes.joined(separator: ",")), .blob(user.secretHash),
                                .int(user.createdMilliseconds)])
        } catch { throw .storage(error) }
    }

    package func user(name: String) throws(LedgerError) -> StoredCredential? {
        try users(where: "name = ?", [.text(name)]).first
    }

    package func allUsers() throws(LedgerError) -> [StoredCredential] {
        try users(where: nil, [])
    }

    private func users(where filter: String?, _ arguments: [SQLValue]) throws(LedgerError) -> [StoredCredential] {
        // A user never expires (NULL), and "disabled" is a user's "revoked".
        try credentialRows("SELECT name, party, scopes, password_hash, created_ms, NULL, disabled_ms FROM credential_users"
                           + (filter.map { " WHERE " + $0 } ?? "") + " ORDER BY name", arguments)
    }

    package func disableUser(name: String, at milliseconds: Int64) throws(LedgerError) -> Bool {
        do {
            try connection.run("UPDATE credential_users SET disabled_ms = ? WHERE name = ? AND disabled_ms IS NULL", [.int(milliseconds), .text(name)])
            return connection.changes == 1
        } catch { throw .storage(error) }
    }

    // MARK: attribution

    /// Installs, on this connection only, a TEMP trigger that records `credential` for every
    /// event this connection inserts from now on, inside the append's own transaction (so a
    /// rolled-back append leaves no attribution, and a committed one always has one). Call it
    /// before each append with the credential of that append; the command line never does, so
    /// its appends stay unattributed.
    package func attributeAppends(to credential: String) throws(LedgerError) {
        try installAttribution()
        do { try setAppendCredential(credential) } catch { throw .storage(error) }
    }

    /// The TEMP table and trigger of `attributeAppends`, created once per connection (the
    /// server's writer does it when it opens, so a group commit only sets the credential).
    package func installAttribution() throws(LedgerError) {
        do {
            try connection.execute("""
                CREATE TEMP TABLE IF NOT EXISTS current_credential(id INTEGER PRIMARY KEY CHECK (id = 1), credential TEXT NOT NULL);
                CREATE TEMP TRIGGER IF NOT EXISTS attribute_event AFTER INSERT ON main.events BEGIN
                    -- names inside a trigger may not be qualified; these resolve to temp, then main
                    INSERT INTO event_credentials(seq, credential) SELECT NEW.seq, credential FROM current_credential WHERE id = 1;
                END;
                """)
        } catch { throw .storage(error) }
    }

    /// Sets the credential the trigger records for the next inserts (inside the caller's
    /// transaction or savepoint, so it rolls back with it). Needs `installAttribution` first.
    func setAppendCredential(_ credential: String) throws(SQLiteError) {
        try connection.run("INSERT INTO temp.current_credential(id, credential) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET credential = excluded.credential",
                           [.text(credential)])
    }

    /// The credential that recorded `seq`, when it came through the server.
    package func credential(ofSeq seq: Int64) throws(LedgerError) -> String? {
        do { return try connection.scalarText("SELECT credential FROM event_credentials WHERE seq = ?", [.int(seq)]) } catch { throw .storage(error) }
    }

    // MARK: access log

    /// Appends access records in one transaction.
    package func logAccess(_ records: [AccessRecord]) throws(LedgerError) {
        guard !records.isEmpty else { return }
        do {
            try connection.writeTransaction {
                for record in records {
                    try connection.run("INSERT INTO access_log(at_ms, credential, party, entry, address, route) VALUES (?, ?, ?, ?, ?, ?)",
                                       [.int(record.atMilliseconds), .text(record.credential), .text(record.party), .text(record.entry),
                                        .text(record.address), .text(record.route)])
                }
            }
        } catch let error as SQLiteError { throw .storage(error) } catch { throw .integrity("\(error)") }
    }

    /// The access log, oldest first, optionally narrowed.
    package func accessLog(party: String? = nil, entry: String? = nil, fromMilliseconds: Int64? = nil) throws(LedgerError) -> [AccessRecord] {
        guard try hasCredentialTables() else { return [] }
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let party { conditions.append("party = ?"); arguments.append(.text(party)) }
        if let entry { conditions.append("entry = ?"); arguments.append(.text(entry)) }
        if let fromMilliseconds { conditions.append("at_ms >= ?"); arguments.append(.int(fromMilliseconds)) }
        let sql = "SELECT at_ms, credential, party, entry, address, route FROM access_log"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + " ORDER BY n"
        do {
            let statement = try connection.statement(sql)
            defer { statement.reset() }
            try statement.bind(arguments)
            var found: [AccessRecord] = []
            while try statement.step() {
                found.append(AccessRecord(atMilliseconds: statement.int(0), credential: statement.text(1) ?? "", party: statement.text(2) ?? "",
                                          entry: statement.text(3) ?? "", address: statement.text(4) ?? "", route: statement.text(5) ?? ""))
            }
            return found
        } catch { throw .storage(error) }
    }

    /// Events after `seq`, in order, at most `limit` (the server's feed).
    package func events(after seq: Int64, limit: Int) throws -> [RecordedEvent] {
        var found: [RecordedEvent] = []
        try forEachEvent(where: "seq > ?", [.int(seq)], orderedBy: "seq LIMIT \(max(1, limit))") { found.append($0) }
        return found
    }
}

extension Ledger {
    /// Entries that may be on the public list under this debtor name (the caller still checks
    /// `PublicList.isListed`), found through `entries_public_by_debtor`, an expression index on
    /// the projection that `ensureCredentialTables` adds (the server's own, like its tables).
    package func publicCandidates(debtorName: String, limit: Int = 100) throws -> [EntryState] {
        let statement = try connection.statement("""
            SELECT state FROM entries WHERE public = 1 AND status IN ('listed', 'correction_pending')
            AND json_extract(state, '$.debtor') = ? ORDER BY entry LIMIT ?
            """)
        defer { statement.reset() }
        try statement.bind([.text(debtorName), .int(Int64(limit))])
        var states: [EntryState] = []
        while try statement.step() {
            guard let state = EntryState(storage: statement.blob(0)) else {
                throw LedgerError.integrity("a projected entry is unreadable; run `listledger rebuild`")
            }
            states.append(state)
        }
        return states
    }
}
