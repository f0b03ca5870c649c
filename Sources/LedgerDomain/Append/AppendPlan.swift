/// One event sealed by the planner: its chain link and its Merkle leaf hash.
package struct PlannedEvent: Sendable {
    package let recorded: RecordedEvent
    package let leafHash: [UInt8]
}

/// What one accepted batch writes, decided by `AppendPlanner`; a store carries it out in the
/// transaction it answered the planner's questions in, in this order: events (log, personal
/// values, tree), entry states, complaints, flags cleared then set, obligations, head.
package struct AppendPlan: Sendable {
    /// The log size before the batch.
    package var startSize: Int64
    /// The new events, in seq order (`startSize + 1 …`).
    package var events: [PlannedEvent] = []
    /// Every entry the batch changed, in first-touched order (ids keyed by bytes, `IDKey`).
    package var touchedEntries: [EntryKey] = []
    /// The final state of each of them (an entry whose every event was annulled has none).
    package var entryStates: [EntryState] = []
    /// Complaint rows to upsert (`resolved_seq` replaces the stored one).
    package var complaints: [ComplaintRecord] = []
    /// Obligations whose `breach_flagged` the batch annulled: their flag rows go.
    package var flagsCleared: [String] = []
    /// Obligations the batch flagged, with the seq of the flag.
    package var flagsSet: [(obligation: String, seq: Int64)] = []
    /// Entries whose obligations must be derived again (see `AppendPlanner.changesObligations`).
    package var obligationEntries: Set<EntryKey> = []
    /// Complete event lists (this batch's events included) of entries whose history the planner
    /// knew; the store derives the others' obligations from its log after writing the events.
    package var histories: [EntryKey: [RecordedEvent]] = [:]
    /// The head after the batch.
    package var head: ChainHead
    /// The latest `at` among the batch's events (`Int64.min` for none), for as-of queries.
    package var latestAt: Int64 = .min
}
