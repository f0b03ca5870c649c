/// The head of the chain as a store keeps it: number of events, the last chain hash, the
/// last `recorded_at` (epoch milliseconds).
package struct ChainHead: Sendable, Equatable {
    package var size: Int64
    package var hash: [UInt8]
    package var recordedMilliseconds: Int64

    package init(size: Int64, hash: [UInt8], recordedMilliseconds: Int64) {
        self.size = size
        self.hash = hash
        self.recordedMilliseconds = recordedMilliseconds
    }
}

/// A complaint as the `complaints` projection keeps it (SPEC §3 complaint events).
package struct ComplaintRecord: Sendable, Equatable {
    package var complaint: String
    package var entry: String?
    package var receivedSeq: Int64
    package var resolvedSeq: Int64?

    package init(complaint: String, entry: String?, receivedSeq: Int64, resolvedSeq: Int64?) {
        self.complaint = complaint
        self.entry = entry
        self.receivedSeq = receivedSeq
        self.resolvedSeq = resolvedSeq
    }
}

/// What `AppendPlanner` must know of the ledger as stored, answered synchronously by a store
/// inside its write transaction (so the answers cannot change under the plan). Every lookup is
/// of the ledger BEFORE the batch being planned: the planner itself remembers what the batch
/// adds. SQLite (`Ledger`) implements it; a second engine (PostgreSQL) implements the same.
package protocol PlannerKnowledge {
    /// The stored head (size 0 and the genesis hash for an empty ledger).
    func head() throws -> ChainHead
    /// The projected state of `entry`, nil when no event names it.
    func entryState(_ entry: String) throws -> EntryState?
    /// The seq and content of the stored event with this `id`, if any.
    func storedEvent(id: String) throws -> (seq: Int64, event: Event)?
    /// The seq of a stored event WITHOUT `id` whose content equals `event` (SPEC §3 "Repeats").
    func storedRepeat(of event: Event) throws -> Int64?
    /// The stored row of complaint `id`, if received.
    func complaint(_ id: String) throws -> ComplaintRecord?
    /// The seq of the stored `breach_flagged` for `obligation`, if flagged.
    func flaggedSeq(obligation: String) throws -> Int64?
    /// Every stored event naming `entry`, in seq order.
    func history(ofEntry entry: String) throws -> [RecordedEvent]
    /// A complete history of `entry` the store already holds in memory, else nil. Never reads:
    /// the planner asks it for every entry it touches, to spare a read at the end.
    func cachedHistory(ofEntry entry: String) -> [RecordedEvent]?
    /// The obligation engine of the ledger's profile and newest calendar.
    func obligationEngine() throws -> ObligationEngine
}
