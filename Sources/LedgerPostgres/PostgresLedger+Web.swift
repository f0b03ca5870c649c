package import LedgerDomain
import NIOCore
import PostgresNIO

/// What the web pages ask of PostgreSQL beyond the API (schema 3, `PostgresSchema.webStatements`,
/// and a few reads of one log): the SQLite store's `Ledger+Sessions.swift` and
/// `Ledger+WebQueries.swift`. Sessions and names are the database's; the reads are one log's.
extension PostgresLedger {
    // MARK: sessions

    package func insertSession(idHash: [UInt8], user: String, csrfToken: String, createdMilliseconds: Int64, expiresMilliseconds: Int64) async throws {
        try await client.query("""
            INSERT INTO web_sessions(id_hash, user_name, csrf, created_ms, expires_ms)
            VALUES (\(ByteBuffer(bytes: idHash)), \(user), \(csrfToken), \(createdMilliseconds), \(expiresMilliseconds))
            """, logger: logger)
    }

    /// The session with this id hash when it is neither ended nor expired at `now` and its
    /// user still exists and is not disabled; else nil. The user row is joined on every
    /// lookup, so a user disabled after signing in is out on the very next request.
    package func liveSession(idHash: [UInt8], nowMilliseconds: Int64) async throws -> StoredSession? {
        let rows = try await client.query("""
            SELECT s.user_name, u.party, u.scopes, s.csrf, s.expires_ms FROM web_sessions s JOIN credential_users u ON u.name = s.user_name
            WHERE s.id_hash = \(ByteBuffer(bytes: idHash)) AND s.ended_ms IS NULL AND s.expires_ms > \(nowMilliseconds) AND u.disabled_ms IS NULL
            """, logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (user, party, scopes, csrf, expires) = try row.decode((String, String, String, String, Int64).self)
        return StoredSession(user: user, party: party, scopes: scopes.split(separator: ",").map(String.init), csrfToken: csrf, expiresMilliseconds: expires)
    }

    /// Ends a session (sign-out); false when no open session has that id hash.
    package func endSession(idHash: [UInt8], at milliseconds: Int64) async throws -> Bool {
        let rows = try await client.query("""
            UPDATE web_sessions SET ended_ms = \(milliseconds) WHERE id_hash = \(ByteBuffer(bytes: idHash)) AND ended_ms IS NULL RETURNING 1
            """, logger: logger).collect()
        return !rows.isEmpty
    }

    // MARK: names

    /// Adds the names not yet known, in one statement (a name set by the operator is kept).
    package func seedPartyNames(_ names: [(code: String, name: String)]) async throws {
        guard !names.isEmpty else { return }
        try await client.query("""
            INSERT INTO party_names(code, name) SELECT c, n FROM unnest(\(names.map(\.code))::text[], \(names.map(\.name))::text[]) AS u(c, n)
            ON CONFLICT (code) DO NOTHING
            """, logger: logger)
    }

    /// Every known party name, code → name.
    package func partyNames() async throws -> [String: String] {
        var names: [String: String] = [:]
        for try await (code, name) in try await client.query("SELECT code, name FROM party_names", logger: logger).decode((String, String).self) {
            names[code] = name
        }
        return names
    }

    // MARK: one log's reads for the pages

    /// Calls `body` with each entry's state, by entry as bytes, and when it last changed (the
    /// latest `at` of its events, epoch ms): one statement through the streamed reads' cursor in
    /// one snapshot, none held (issue 8).
    package func forEachEntryStateWithLastChange(of log: Log, _ body: (EntryState, Int64?) throws -> Void) async throws {
        var binds = PostgresBindings()
        binds.append(log.id)
        let sql = """
            SELECT s.entry, s.state, m.last FROM entry_states s
            LEFT JOIN (SELECT entry, max(at_ms) AS last FROM events WHERE log_id = $1 AND entry IS NOT NULL GROUP BY entry) m ON m.entry = s.entry
            WHERE s.log_id = $1 ORDER BY s.entry COLLATE "C"
            """
        try await inSnapshot { connection in
            try await self.forEachRow(connection, sql, binds) { row in
                let (entry, bytes, last) = try row.decode((String, ByteBuffer, Int64?).self)
                guard let state = EntryState(storage: bytes.bytes) else {
                    throw PostgresLedgerError.integrity("the projection of entry \"\(entry)\" in \(log.title) is unreadable")
                }
                try body(state, last)
            }
        }
    }

    /// Every event of `log` of these types, in seq order, read a page at a time.
    package func events(of log: Log, types: Set<EventType>, pageSize: Int64 = 5_000) async throws -> [RecordedEvent] {
        guard !types.isEmpty else { return [] }
        let names = types.map(\.rawValue).sorted()
        var events: [RecordedEvent] = []
        var after: Int64 = 0
        while true {
            var binds = Self.binds(log.id, after, pageSize)
            binds.append(names)
            let page = try await client.withConnection { connection in
                try await self.readEvents(connection, PostgresQuery(
                    unsafeSQL: "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE e.log_id = $1 AND e.seq > $2 AND e.type = ANY($4) ORDER BY e.seq LIMIT $3",
                    binds: binds))
            }
            events += page
            guard let last = page.last, page.count == Int(pageSize) else { return events }
            after = last.seq
        }
    }

    /// Every signed checkpoint of `log`, smallest first, one per size (the latest note signed
    /// at that size), with when it was made (epoch ms).
    package func allCheckpoints(of log: Log) async throws -> [(checkpoint: SignedCheckpoint, madeMilliseconds: Int64)] {
        let rows = try await client.query("""
            SELECT DISTINCT ON (size) size, root, note, floor(extract(epoch FROM made_at) * 1000)::int8 FROM checkpoints
            WHERE log_id = \(log.id) ORDER BY size, made_at DESC
            """, logger: logger)
        var found: [(checkpoint: SignedCheckpoint, madeMilliseconds: Int64)] = []
        for try await (size, root, note, made) in rows.decode((Int64, ByteBuffer, String, Int64).self) {
            found.append((SignedCheckpoint(size: size, root: root.bytes, note: note, created: false), made))
        }
        return found
    }

    /// The entries with an event among the first `size` of `log`, by entry as bytes: what a
    /// whole-log bundle of that tree holds (the 审计 download logs a read of each).
    package func entries(of log: Log, throughSeq size: Int64) async throws -> [String] {
        let rows = try await client.query("""
            SELECT entry FROM events WHERE log_id = \(log.id) AND entry IS NOT NULL AND seq <= \(size) GROUP BY entry ORDER BY entry COLLATE "C"
            """, logger: logger)
        var found: [String] = []
        for try await entry in rows.decode(String.self) { found.append(entry) }
        return found
    }
}
