import LedgerCalendar
package import LedgerDomain
import LedgerStorage
import NIOCore
import PostgresNIO

/// `state` and `obligations` on PostgreSQL. The entry projection is kept by the sequencer;
/// obligations by the projector (its own transactions), both following LedgerDomain's pure
/// reducers, the definitions the SQLite store's projections follow.
extension PostgresLedger {
    /// Entry states: `forEachState` (the projection, or a replay; SPEC §5), collected.
    package func states(of log: Log, entry: String? = nil, asOf: Instant? = nil, knownAt: Instant? = nil) async throws -> [EntryState] {
        var states: [EntryState] = []
        try await forEachState(of: log, entry: entry, asOf: asOf, knownAt: knownAt) { states.append($0) }
        return states
    }

    /// The obligations of `log` with their status at `asOf`, filtered and ordered as the SQLite
    /// store does: `forEachObligation` (`PostgresLedger+Streamed.swift`), collected.
    package func obligations(of log: Log, _ query: ObligationQuery, catchingUp: Bool = false) async throws -> [(Obligation, ObligationStatus)] {
        var found: [(Obligation, ObligationStatus)] = []
        try await forEachObligation(of: log, query, catchingUp: catchingUp) { found.append(($0, $1)) }
        return found
    }

    /// Every obligation of `log` derived by replaying the facts effective by `asOf`
    /// (annulments count at every instant) through the pure `ObligationEngine`, entry by entry
    /// (bytes): `forEachEntryReplayedObligations`, collected.
    package func obligationsReplayed(of log: Log, asOf: Instant, entry: String? = nil) async throws -> [Obligation] {
        var found: [Obligation] = []
        try await forEachEntryReplayedObligations(of: log, asOf: asOf, entry: entry) { found += $0 }
        return found
    }

    /// Calls `body` with each entry's obligations derived from the facts effective by `asOf`
    /// (annulments count at every instant), entry by entry in byte order: (entry, seq) order
    /// through the cursor in one snapshot, one entry's history held at a time (its obligations
    /// depend on its own events only: an annulment names an event of its entry), as the state
    /// replay reads. With `entry`, that entry's only.
    func forEachEntryReplayedObligations(of log: Log, asOf: Instant, entry: String?,
                                         _ body: ([Obligation]) throws -> Void) async throws {
        let engine = try await engine(of: log)
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(asOf.epochMilliseconds)
        var condition = "e.log_id = $1 AND (e.at_ms <= $2 OR e.type = 'record_annulled')"
        if let entry {
            binds.append(entry)
            condition += " AND e.entry = $3"
        } else {
            condition += " AND e.entry IS NOT NULL"
        }
        let sql = "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE \(condition) ORDER BY e.entry COLLATE \"C\", e.seq"
        try await inSnapshot { connection in
            var histories = EntryHistories()
            func derive(_ history: [RecordedEvent]) throws { try body(engine.obligations(of: history)) }
            try await self.forEachRow(connection, sql, binds) { row in
                try histories.add(try Self.recorded(try row.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer?).self)), derive)
            }
            try histories.finish(derive)
        }
    }

    /// A past `forEachObligation`: each entry's replayed obligations that `query` selects,
    /// spooled under their canonical order key in their stored form (`storage`, as the projector
    /// writes them) and streamed to `body` in that order (a `SortedSpool` with `limits`), so
    /// that memory does not grow with the log.
    func forEachReplayedObligation(of log: Log, _ query: ObligationQuery, spooling limits: SortedSpool.Limits,
                                   _ body: (Obligation, ObligationStatus) throws -> Void) async throws {
        let spool = SortedSpool(limits: limits)
        try await forEachEntryReplayedObligations(of: log, asOf: query.asOf, entry: query.entry) { obligations in
            for obligation in obligations where query.judge(obligation) != nil {
                try spool.append(key: ObligationQuery.orderKey(obligation).bytes, value: CanonicalJSON.encode(Self.storage(obligation)))
            }
        }
        try spool.drain { _, value in
            guard let obligation = Self.obligation(storage: String(decoding: value, as: UTF8.self)) else {
                throw PostgresLedgerError.integrity("a spooled obligation of \(log.court) cannot be read back from its temporary file")
            }
            if let status = query.judge(obligation) { try body(obligation, status) }
        }
    }

    /// Obligations flagged with `breach_flagged`, with that event's seq.
    package func flaggedObligations(of log: Log) async throws -> [String: Int64] {
        var flags: [String: Int64] = [:]
        let rows = try await client.query("SELECT obligation, flagged_seq FROM flags WHERE log_id = \(log.id)", logger: logger)
        for try await (obligation, seq) in rows.decode((String, Int64).self) { flags[obligation] = seq }
        return flags
    }

    /// The obligation engine's calendar identity (the command line prints it beside the profile).
    package func calendarIdentity(of log: Log) async throws -> String { try await calendar().identity }
}
