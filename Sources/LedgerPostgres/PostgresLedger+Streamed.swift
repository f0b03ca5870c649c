package import LedgerDomain
package import LedgerStorage
import NIOCore
import PostgresNIO

/// `state` and `obligations` streamed (issue 8: every command in constant memory): the rows
/// are read through a server-side cursor, `streamedChunkRows` at a time, inside ONE
/// REPEATABLE READ transaction (one snapshot however long the read), sorted by the server.
/// The array-returning reads (`states(of:)`, `obligations(of:)`) collect these.
extension PostgresLedger {
    /// Calls `body` with each entry state of `log` in entry order (bytes): the projection, or a
    /// replay counting only facts effective by `asOf` and recorded by `knownAt` (SPEC §5; a
    /// replay holds one state per entry). With `entry`, one primary-key lookup.
    package func forEachState(of log: Log, entry: String? = nil, asOf: Instant? = nil, knownAt: Instant? = nil,
                              _ body: (EntryState) throws -> Void) async throws {
        guard asOf == nil, knownAt == nil else {
            try await forEachReplayedState(of: log, entry: entry, asOf: asOf, knownAt: knownAt, body)
            return
        }
        var binds = PostgresBindings()
        binds.append(log.id)
        var sql = "SELECT entry, state FROM entry_states WHERE log_id = $1"
        if let entry {
            // The primary key (log_id, entry); equality under a deterministic collation is bytes.
            binds.append(entry)
            sql += " AND entry = $2"
        } else {
            sql += " ORDER BY entry COLLATE \"C\""
        }
        try await inSnapshot { connection in
            try await self.forEachRow(connection, sql, binds) { row in
                let (name, state) = try row.decode((String, ByteBuffer).self)
                guard let decoded = EntryState(storage: state.bytes) else {
                    throw PostgresLedgerError.integrity("the projection of entry \"\(name)\" in \(log.court) is unreadable")
                }
                try body(decoded)
            }
        }
    }

    /// Calls `body` with each obligation of `log` that `query` selects and its status at
    /// `query.asOf`, in the canonical order (`ObligationQuery.orderKey`), filtered as the SQLite
    /// store does. Read from the projection — its rows ordered by the server, merged with the
    /// tail it lacks (`ObligationMerge`), all in one snapshot — unless some fact takes effect
    /// after `asOf`; then derived from the facts effective by then (annulments count at every
    /// instant), entry by entry, and sorted through a `SortedSpool` (`spooling`: its limits;
    /// tests make them tiny), so a later act, retention or trigger does not leak into the past
    /// and memory does not grow with the log. `catchingUp` (the primary, a reader that may
    /// write): the projector catches up first.
    package func forEachObligation(of log: Log, _ query: ObligationQuery, catchingUp: Bool = false,
                                   spooling limits: SortedSpool.Limits = .standard,
                                   _ body: (Obligation, ObligationStatus) throws -> Void) async throws {
        if catchingUp { try await catchUpIfAllowed(log) }
        let engine = try await engine(of: log)
        let projected = try await inSnapshot { connection -> Bool in
            guard let stored = try await self.projectionPosition(connection, of: log) else { return false }
            let size = try await self.headSize(connection, of: log)
            var tail: (entries: Set<EntryKey>, latestAt: Int64?) = ([], nil)
            if stored.position < size {
                tail = try await self.entriesChangingObligations(connection, of: log, after: stored.position, through: size)
            }
            if let latest = [stored.latestAt, tail.latestAt].compactMap({ $0 }).max(), latest > query.asOf.epochMilliseconds { return false }
            if let entry = query.entry { tail.entries = tail.entries.filter { $0 == EntryKey(entry) } }

            // A PREFILTER, as on SQLite (the same conditions): `query.judge` judges every row
            // kept, the SQL only narrows the scan to a superset, through the unmet index.
            var binds = PostgresBindings()
            binds.append(log.id)
            var conditions = ["log_id = $1"]
            func bind(_ value: some PostgresNonThrowingEncodable) -> String {
                binds.append(value)
                return "$\(binds.count)"
            }
            if let entry = query.entry { conditions.append("entry = \(bind(entry))") }
            if let rule = query.rule { conditions.append("rule = \(bind(rule))") }
            if let obligor = query.obligor { conditions.append("obligor = \(bind(obligor))") }
            if let due = query.dueOnOrBefore { conditions.append("(due IS NULL OR due <= \(bind(due)))") }
            conditions.append("effective_ms <= \(bind(query.asOf.epochMilliseconds))")
            conditions += query.unmetRowConditions { bind($0) }
            let tailObligations = try await self.derivedObligations(connection, of: log, entries: tail.entries, engine: engine).flatMap(\.1)
            var merged = ObligationMerge(tail: tailObligations)
            func judged(_ obligation: Obligation) throws {
                if let status = query.judge(obligation) { try body(obligation, status) }
            }
            // `due` is ISO text in "C" order: due day, entry, id as bytes is the canonical order.
            let sql = "SELECT entry, stored FROM obligations WHERE " + conditions.joined(separator: " AND ")
                + " ORDER BY due IS NULL, due, entry COLLATE \"C\", id COLLATE \"C\""
            try await self.forEachRow(connection, sql, binds) { row in
                let (rowEntry, text) = try row.decode((String, String).self)
                if !tail.entries.isEmpty, tail.entries.contains(EntryKey(rowEntry)) { return }
                guard let obligation = Self.obligation(storage: text) else {
                    throw PostgresLedgerError.integrity("the stored obligation of entry \"\(rowEntry)\" in \(log.court) is unreadable")
                }
                try merged.add(obligation, judged)
            }
            try merged.finish(judged)
            return true
        }
        guard !projected else { return }
        try await forEachReplayedObligation(of: log, query, spooling: limits, body)
    }

    /// Calls `body` with each event of `log` of one of `types` (with a seq at most `lastSeq`,
    /// when given), in seq order, through a cursor in one snapshot (`report`'s inputs: it holds
    /// none of them).
    package func forEachEvent(of log: Log, ofTypes types: Set<EventType>, through lastSeq: Int64? = nil,
                              _ body: (RecordedEvent) throws -> Void) async throws {
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(types.map(\.rawValue).sorted())
        var sql = "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE e.log_id = $1 AND e.type = ANY($2)"
        if let lastSeq {
            binds.append(lastSeq)
            sql += " AND e.seq <= $3"
        }
        try await inSnapshot { connection in
            try await self.forEachRow(connection, sql + " ORDER BY e.seq", binds) { row in
                try body(try Self.recorded(try row.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer?).self)))
            }
        }
    }

    /// Runs `body` in one REPEATABLE READ READ ONLY transaction (also allowed on a standby).
    func inSnapshot<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: self.logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// A replay (`state --as-of/--known-at`): one entry's events, or every entry's entry by
    /// entry — (entry, seq) order through a cursor in one snapshot, one entry's history held at a
    /// time (`EntryByEntryReplay`), so memory does not grow with the log, as on SQLite.
    private func forEachReplayedState(of log: Log, entry: String?, asOf: Instant?, knownAt: Instant?,
                                      _ body: (EntryState) throws -> Void) async throws {
        var binds = PostgresBindings()
        binds.append(log.id)
        var condition = "e.entry IS NOT NULL"
        if let entry {
            // Equality under a deterministic collation is bytes, as SQLite's.
            binds.append(entry)
            condition = "e.entry = $2"
        }
        let sql = "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE e.log_id = $1 AND \(condition) ORDER BY e.entry COLLATE \"C\", e.seq"
        try await inSnapshot { connection in
            var replay = EntryByEntryReplay(asOf: asOf, knownAt: knownAt)
            try await self.forEachRow(connection, sql, binds) { row in
                try replay.add(try Self.recorded(try row.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer?).self)), body)
            }
            try replay.finish(body)
        }
    }

    /// Calls `body` with each row of `sql` (with `binds`), fetched through a cursor
    /// `streamedChunkRows` rows at a time; inside a transaction (`inSnapshot`), which closes it.
    func forEachRow(_ connection: PostgresConnection, _ sql: String, _ binds: PostgresBindings,
                    _ body: (PostgresRow) throws -> Void) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: "DECLARE listledger_rows NO SCROLL CURSOR FOR " + sql, binds: binds), logger: logger)
        while true {
            var count = 0
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: "FETCH \(streamedChunkRows) FROM listledger_rows"), logger: logger) {
                try body(row)
                count += 1
            }
            if count < streamedChunkRows { break }
        }
        try await connection.query(PostgresQuery(unsafeSQL: "CLOSE listledger_rows"), logger: logger)
    }
}
