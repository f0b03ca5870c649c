import LedgerCalendar
package import LedgerDomain
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
