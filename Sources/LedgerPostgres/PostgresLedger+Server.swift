package import LedgerDomain
import NIOCore
import PostgresNIO

/// What `serve` and the credential commands (`tokens`, `users`) need on PostgreSQL beyond the
/// log (schema 2, `PostgresSchema.serverStatements`): credentials (the database's), the access
/// log and event attribution (one log's), and the few reads the routes make that the command
/// line does not.
extension PostgresLedger {
    /// A token or a user as stored (secrets only hashed): the server's `StoredCredential`.
    package typealias Credential = StoredCredential

    // MARK: tokens

    package func insertToken(_ token: Credential) async throws {
        try await client.query("""
            INSERT INTO credential_tokens(id, party, scopes, token_hash, created_ms, expires_ms)
            VALUES (\(token.id), \(token.party), \(token.scopes.joined(separator: ",")), \(ByteBuffer(bytes: token.secretHash)),
                    \(token.createdMilliseconds), \(token.expiresMilliseconds))
            """, logger: logger)
    }

    package func token(id: String) async throws -> Credential? {
        try await credentials(PostgresQuery(unsafeSQL: Self.tokenColumns + " WHERE id = $1", binds: Self.binds(id))).first
    }

    package func allTokens() async throws -> [Credential] {
        try await credentials(PostgresQuery(unsafeSQL: Self.tokenColumns + " ORDER BY created_ms, id"))
    }

    /// Marks a live token revoked; false when no live token has that id.
    package func revokeToken(id: String, at milliseconds: Int64) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE credential_tokens SET revoked_ms = \(milliseconds) WHERE id = \(id) AND revoked_ms IS NULL RETURNING id", logger: logger).collect()
        return !rows.isEmpty
    }

    // MARK: users

    /// Adds a user; false when the name is taken (nothing written).
    package func insertUser(_ user: Credential) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO credential_users(name, party, scopes, password_hash, created_ms)
            VALUES (\(user.id), \(user.party), \(user.scopes.joined(separator: ",")), \(ByteBuffer(bytes: user.secretHash)), \(user.createdMilliseconds))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """, logger: logger).collect()
        return !rows.isEmpty
    }

    package func user(name: String) async throws -> Credential? {
        try await credentials(PostgresQuery(unsafeSQL: Self.userColumns + " WHERE name = $1", binds: Self.binds(name))).first
    }

    package func allUsers() async throws -> [Credential] {
        try await credentials(PostgresQuery(unsafeSQL: Self.userColumns + " ORDER BY name"))
    }

    /// Disables an active user; false when there is none of that name.
    package func disableUser(name: String, at milliseconds: Int64) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE credential_users SET disabled_ms = \(milliseconds) WHERE name = \(name) AND disabled_ms IS NULL RETURNING name", logger: logger).collect()
        return !rows.isEmpty
    }

    static let tokenColumns = "SELECT id, party, scopes, token_hash, created_ms, expires_ms, revoked_ms FROM credential_tokens"
    static let userColumns = "SELECT name, party, scopes, password_hash, created_ms, NULL::int8, disabled_ms FROM credential_users"

    static func binds(_ text: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(text)
        return binds
    }

    private func credentials(_ query: PostgresQuery) async throws -> [Credential] {
        var found: [Credential] = []
        let rows = try await client.query(query, logger: logger)
        for try await (id, party, scopes, hash, created, expires, revoked) in rows.decode((String, String, String, ByteBuffer, Int64, Int64?, Int64?).self) {
            found.append(Credential(id: id, party: party, scopes: scopes.split(separator: ",").map(String.init), createdMilliseconds: created,
                                    expiresMilliseconds: expires, revokedMilliseconds: revoked, secretHash: hash.bytes))
        }
        return found
    }

    // MARK: the access log and attribution

    /// One read of personal data through the server (SPEC §6): the SQLite store's row.
    package typealias AccessRow = AccessRecord

    /// Appends access-log rows to `log`'s, in one statement (one synchronous commit).
    package func logAccess(of log: Log, _ rows: [AccessRow]) async throws {
        guard !rows.isEmpty else { return }
        try await client.query("""
            INSERT INTO access_log(log_id, at_ms, credential, party, entry, address, route)
            SELECT \(log.id), a, c, p, e, d, r
            FROM unnest(\(rows.map(\.atMilliseconds))::int8[], \(rows.map(\.credential))::text[], \(rows.map(\.party))::text[],
                        \(rows.map(\.entry))::text[], \(rows.map(\.address))::text[], \(rows.map(\.route))::text[]) AS u(a, c, p, e, d, r)
            """, logger: logger)
    }

    /// `log`'s access-log rows about `entry`, oldest first.
    package func accessLog(of log: Log, entry: String) async throws -> [AccessRow] {
        let rows = try await client.query("""
            SELECT at_ms, credential, party, entry, address, route FROM access_log WHERE log_id = \(log.id) AND entry = \(entry) ORDER BY n
            """, logger: logger)
        var found: [AccessRow] = []
        for try await (at, credential, party, entry, address, route) in rows.decode((Int64, String, String, String, String, String).self) {
            found.append(AccessRow(atMilliseconds: at, credential: credential, party: party, entry: entry, address: address, route: route))
        }
        return found
    }

    /// The credential that recorded each of these seqs through the server (absent: the command line).
    package func credentials(of log: Log, seqs: [Int64]) async throws -> [Int64: String] {
        guard !seqs.isEmpty else { return [:] }
        let rows = try await client.query("SELECT seq, credential FROM event_credentials WHERE log_id = \(log.id) AND seq = ANY(\(seqs))", logger: logger)
        var found: [Int64: String] = [:]
        for try await (seq, credential) in rows.decode((Int64, String).self) { found[seq] = credential }
        return found
    }

    // MARK: the routes' reads

    /// One entry's state from the projection (compared as bytes), nil when there is none.
    package func entryState(of log: Log, entry: String) async throws -> EntryState? {
        try await entryStates(of: log, named: [entry]).first
    }

    /// The states of these entries that exist.
    package func entryStates(of log: Log, named entries: [String]) async throws -> [EntryState] {
        guard !entries.isEmpty else { return [] }
        return try await states(of: log, "SELECT entry, state FROM entry_states WHERE log_id = \(log.id) AND entry = ANY(\(Self.distinct(entries)))")
    }

    /// Events of `log` after `seq`, in order, at most `limit` (the server's feed).
    package func events(of log: Log, after seq: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await client.withConnection { connection in
            try await self.readEvents(connection, PostgresQuery(
                unsafeSQL: "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE e.log_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3",
                binds: Self.binds(log.id, seq, Int64(max(1, limit)))))
        }
    }

    static func binds(_ log: Int32, _ values: Int64...) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(log)
        for value in values { binds.append(value) }
        return binds
    }

    /// The canonical bytes of event `seq`, nil when the log has none.
    package func canonical(of log: Log, seq: Int64) async throws -> [UInt8]? {
        let rows = try await client.query("SELECT canonical FROM events WHERE log_id = \(log.id) AND seq = \(seq)", logger: logger).collect()
        return try rows.first?.decode(ByteBuffer.self).bytes
    }

    /// Entries whose projected debtor name is exactly `debtorName`, public and listed or
    /// awaiting a correction (the SQLite store's `publicCandidates`), by entry as bytes, at most
    /// `limit`. The projection's bytes are searched for the name first and each hit decoded and
    /// checked: no expression index yet, so this scans the log's projection (see docs).
    package func publicCandidates(of log: Log, debtorName: String, limit: Int = 100) async throws -> [EntryState] {
        let hits = try await states(of: log, """
            SELECT entry, state FROM entry_states WHERE log_id = \(log.id) AND position(\(ByteBuffer(string: debtorName)) IN state) > 0
            ORDER BY entry COLLATE "C"
            """)
        // Bytes, as SQLite's `=` compares: a name in another Unicode normalisation is another name.
        return Array(hits.filter { state in
            state.debtor.sameBytes(debtorName) && state.isPublic == true && (state.status == .listed || state.status == .correctionPending)
        }.prefix(limit))
    }
}
