package import LedgerDomain

/// The one seam between the ledger's callers (the command line, the server) and an engine that
/// stores it (SQLite today, PostgreSQL next). Typed queries only: no SQL text and no engine
/// values cross it, and its errors (`StorageError`) name no command-line flag.
///
/// Every method is one snapshot of the ledger (a read sees every append acknowledged before it
/// was called), may be called from any task, and never blocks the cooperative pool: an engine
/// runs its blocking I/O on threads of its own. The decisions of an append (rules, seqs,
/// hashes, projections) are `AppendPlanner`'s; an engine answers `PlannerKnowledge` inside its
/// write transaction and carries out the plan.
package protocol LedgerStorage: Sendable {
    /// Appends `events` as ONE all-or-nothing batch (SPEC §3) and returns one outcome per event
    /// (`duplicate` for a repeat). Returns only once the batch is durable. Throws
    /// `StorageError.input` naming the line and field when the batch is refused (nothing stored).
    func append(_ events: [NumberedEvent]) async throws -> [AppendOutcome]

    /// The head of the chain.
    func head() async throws -> ChainHead

    /// The name of the ledger's policy profile.
    func profileName() async throws -> String

    /// Entry states in entry order (bytewise); see `StateQuery`.
    func entryStates(_ query: StateQuery) async throws -> [EntryState]

    /// Whether any stored event names `entry` (compared as bytes).
    func hasEntry(_ entry: String) async throws -> Bool

    /// Every stored event of one of `types`, in seq order.
    func events(ofTypes types: Set<EventType>) async throws -> [RecordedEvent]

    /// Obligations with their status at `query.asOf`, in due-day, entry, id order.
    func obligations(_ query: ObligationQuery) async throws -> [(Obligation, ObligationStatus)]

    /// The obligations flagged with `breach_flagged`, with the seq of that event.
    func flaggedObligations() async throws -> [String: Int64]

    /// The event at `seq`, with its personal values when the store still holds them; nil when
    /// the log has no such seq.
    func event(seq: Int64) async throws -> RecordedEvent?

    /// The access log (SPEC §6), oldest first: reads by `party`, of `entry`, at or after
    /// `fromMilliseconds`, each when given.
    func accessLog(party: String?, entry: String?, fromMilliseconds: Int64?) async throws -> [AccessRecord]
}

/// Which entry states a caller wants. Without `asOf` and `knownAt` the projection answers;
/// with either the log is replayed counting only facts effective by `asOf` and recorded by
/// `knownAt` (`Replay`).
package struct StateQuery: Sendable, Equatable {
    /// Only this entry (bytes compared: ids differing in Unicode normalisation are two entries).
    package var entry: String?
    package var asOf: Instant?
    package var knownAt: Instant?

    package init(entry: String? = nil, asOf: Instant? = nil, knownAt: Instant? = nil) {
        self.entry = entry
        self.asOf = asOf
        self.knownAt = knownAt
    }

    /// Whether the log must be replayed (the projection holds only the present).
    package var replays: Bool { asOf != nil || knownAt != nil }
}
