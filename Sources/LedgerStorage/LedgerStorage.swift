package import LedgerDomain
import Synchronization

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

    /// Calls `body` with each entry state in entry order (bytewise); see `StateQuery`. All from
    /// ONE snapshot, read in chunks of `streamedChunkRows` rows, so that memory does not grow
    /// with the ledger (a replay still holds one state per entry). `body` runs on the engine's
    /// own thread, one call at a time; what it throws ends the read and is rethrown.
    func forEachEntryState(_ query: StateQuery, _ body: @escaping @Sendable (EntryState) throws -> Void) async throws

    /// Whether any stored event names `entry` (compared as bytes).
    func hasEntry(_ entry: String) async throws -> Bool

    /// Calls `body` with each stored event of one of `types` whose seq is at most `lastSeq`
    /// (every one when nil), in seq order, as `forEachEntryState` does: one snapshot, read as
    /// stepped (SQLite) or through a cursor (PostgreSQL), `body` on the engine's thread. Bounded
    /// by a head's size, two reads see the same events however many are appended between.
    func forEachEvent(ofTypes types: Set<EventType>, through lastSeq: Int64?, _ body: @escaping @Sendable (RecordedEvent) throws -> Void) async throws

    /// Calls `body` with each obligation `query` selects and its status at `query.asOf`, in the
    /// canonical order (`ObligationQuery.orderKey`: due day, entry, id), as `forEachEntryState`
    /// does: one snapshot, chunks of `streamedChunkRows`, `body` on the engine's thread. A query
    /// whose `asOf` precedes a stored fact is derived again from the log, entry by entry, and
    /// sorted through a `SortedSpool` (runs on disk beyond its limits), so memory stays bounded.
    func forEachObligation(_ query: ObligationQuery, _ body: @escaping @Sendable (Obligation, ObligationStatus) throws -> Void) async throws

    /// The obligations flagged with `breach_flagged`, with the seq of that event.
    func flaggedObligations() async throws -> [String: Int64]

    /// The event at `seq`, with its personal values when the store still holds them; nil when
    /// the log has no such seq.
    func event(seq: Int64) async throws -> RecordedEvent?

    /// The access log (SPEC §6), oldest first: reads by `party`, of `entry`, at or after
    /// `fromMilliseconds`, each when given.
    func accessLog(party: String?, entry: String?, fromMilliseconds: Int64?) async throws -> [AccessRecord]
}

/// How many rows a streamed read (`forEachEntryState`, `forEachObligation`) takes from its
/// engine at a time: enough to make the round trips cheap, few enough to hold.
package let streamedChunkRows = 1_000

extension LedgerStorage {
    /// Entry states in entry order (bytewise): `forEachEntryState`, collected.
    package func entryStates(_ query: StateQuery) async throws -> [EntryState] {
        let found = Collected<EntryState>()
        try await forEachEntryState(query) { found.append($0) }
        return found.items
    }

    /// Every stored event of one of `types`, in seq order: `forEachEvent(ofTypes:)`, collected.
    package func events(ofTypes types: Set<EventType>) async throws -> [RecordedEvent] {
        let found = Collected<RecordedEvent>()
        try await forEachEvent(ofTypes: types, through: nil) { found.append($0) }
        return found.items
    }

    /// Obligations with their status at `query.asOf`, in the canonical order:
    /// `forEachObligation`, collected.
    package func obligations(_ query: ObligationQuery) async throws -> [(Obligation, ObligationStatus)] {
        let found = Collected<(Obligation, ObligationStatus)>()
        try await forEachObligation(query) { found.append(($0, $1)) }
        return found.items
    }
}

/// The items a streamed read's `@Sendable` callback collects (it runs on the engine's thread).
package final class Collected<Item: Sendable>: Sendable {
    private let storage = Mutex<[Item]>([])

    package init() {}

    package func append(_ item: Item) { storage.withLock { $0.append(item) } }

    package var items: [Item] { storage.withLock { $0 } }
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
