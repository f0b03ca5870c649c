import LedgerCalendar
package import LedgerDomain
import NIOCore
import PostgresNIO

/// `state` and `obligations` on PostgreSQL. The entry projection is kept by the sequencer;
/// obligations by the projector (its own transactions), both following LedgerDomain's pure
/// reducers, the definitions the SQLite store's projections follow.
extension PostgresLedger {
    /// Entry states: the projection, or a replay counting only facts effective by `asOf` and
    /// recorded by `knownAt` (SPEC §5).
    package func states(of log: Log, entry: String? = nil, asOf: Instant? = nil, knownAt: Instant? = nil) async throws -> [EntryState] {
        if asOf == nil, knownAt == nil {
            let all = try await entryStates(of: log)
            return entry.map { name in all.filter { $0.entry.sameBytes(name) } } ?? all
        }
        var replay = Replay(asOf: asOf, knownAt: knownAt)
        try await forEachEvent(of: log, entry: entry) { replay.apply($0) }
        return replay.states.keys.sorted().map { replay.states[$0]! }
    }

    /// The obligations of `log` with their status at `asOf`, filtered and ordered as the SQLite
    /// store does: due day (unknown last), entry, id. Read from the projection (its table and
    /// the tail it lacks, `PostgresLedger+ObligationsProjector.swift`) unless some fact takes
    /// effect after `asOf`; then derived from the facts effective by then (annulments count at
    /// every instant), so a later act, retention or trigger does not leak into the past.
    /// `catchingUp` (the primary, a reader that may write): the projector catches up first.
    package func obligations(of log: Log, _ query: ObligationQuery, catchingUp: Bool = false) async throws -> [(Obligation, ObligationStatus)] {
        if catchingUp { try await catchUpIfAllowed(log) }
        let found = if let projected = try await projectedObligations(of: log, query) { projected }
                    else { try await obligationsReplayed(of: log, asOf: query.asOf, entry: query.entry) }
        return query.judged(found)
    }

    /// Every obligation of `log` derived by replaying the facts effective by `asOf`
    /// (annulments count at every instant) through the pure `ObligationEngine`.
    package func obligationsReplayed(of log: Log, asOf: Instant, entry: String? = nil) async throws -> [Obligation] {
        let engine = try await engine(of: log)
        // Keyed by bytes: ids that differ only in Unicode normalisation are two entries (IDKey).
        var byEntry: [EntryKey: [RecordedEvent]] = [:]
        try await forEachEvent(of: log, entry: entry) { recorded in
            guard let name = recorded.event.entry,
                  recorded.event.at.epochMilliseconds <= asOf.epochMilliseconds || recorded.event.type == .recordAnnulled else { return }
            byEntry[EntryKey(name), default: []].append(recorded)
        }
        return byEntry.keys.sorted().flatMap { engine.obligations(of: byEntry[$0]!) }
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
