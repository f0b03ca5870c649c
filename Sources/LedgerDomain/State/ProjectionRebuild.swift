/// What `rebuild` derives from the log, on either engine: each entry's state (folded from its
/// history without annulled events), the complaints and the flags (those of annulled
/// `breach_flagged` events left out). The engine reads the events entry by entry and writes
/// the rows; this decides what they hold, so the two engines' projections cannot drift apart.
package struct ProjectionRebuild: Sendable {
    private var complaints: [IDKey: (entry: String?, received: Int64?, resolved: Int64?)] = [:]
    private var flagged: [(obligation: String, seq: Int64)] = []
    private var annulled: Set<Int64> = []

    package init() {}

    /// Counts one event of the log, in any order (complaints and flags are keyed by id).
    package mutating func take(_ recorded: RecordedEvent) {
        switch recorded.event.body {
        case .complaintReceived(let id, _):
            complaints[IDKey(id), default: (nil, nil, nil)].entry = recorded.event.entry
            complaints[IDKey(id), default: (nil, nil, nil)].received = recorded.seq
        case .complaintResolved(let id, _, _): complaints[IDKey(id), default: (nil, nil, nil)].resolved = recorded.seq
        case .breachFlagged(let obligation): flagged.append((obligation, recorded.seq))
        default: break
        }
    }

    /// One entry's whole history (seq order) read: its state, nil when nothing of it stands.
    package mutating func finish(entry history: [RecordedEvent]) -> EntryState? {
        annulled.formUnion(Annulment.annulledSeqs(in: history))
        return Annulment.fold(history)
    }

    /// The complaints once every event was taken (a resolution without its receipt has no row).
    package var complaintRecords: [ComplaintRecord] {
        complaints.compactMap { id, row in
            row.received.map { ComplaintRecord(complaint: id.id, entry: row.entry, receivedSeq: $0, resolvedSeq: row.resolved) }
        }
    }

    /// The flags once every entry was finished: those whose event was annulled are left out.
    package var flags: [(obligation: String, seq: Int64)] { flagged.filter { !annulled.contains($0.seq) } }
}
