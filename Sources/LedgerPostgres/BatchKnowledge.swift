import LedgerDomain
import LedgerMerkle

/// The sequencer's answers to `AppendPlanner`'s questions (`PlannerKnowledge`): the rows of
/// the log a batch's events can touch, read from PostgreSQL in a few bulk queries before
/// planning (see `Sequencer+Rows.swift`), so that planning itself is the synchronous domain
/// code the SQLite store runs too — one set of rules for both engines.
///
/// Everything is keyed by bytes (`IDKey`), as PostgreSQL's `text` equality and SQLite's
/// BINARY collation compare: two ids that differ only in Unicode normalisation are two ids.
struct BatchKnowledge: PlannerKnowledge {
    let start: ChainHead
    let engine: ObligationEngine
    var states: [EntryKey: EntryState] = [:]
    /// Stored events by `id`, for the idempotency rule.
    var byID: [IDKey: RecordedEvent] = [:]
    /// Stored events without `id` by (entry, type, at), for the Repeats rule (SPEC §3).
    var byContentKey: [ContentKey: [RecordedEvent]] = [:]
    var complaints: [IDKey: ComplaintRecord] = [:]
    var flagged: [IDKey: Int64] = [:]
    /// Whole histories of the entries an annulment or a breach flag of this batch names: the
    /// only ones the planner asks for (a new entry's history it keeps itself).
    var histories: [EntryKey: [RecordedEvent]] = [:]
    /// The partial right-edge tile of each tile level: all that appending leaves needs of the
    /// tree (read by the sequencer's write, not by the planner).
    var tileEdges: [[UInt8]] = []

    struct ContentKey: Hashable {
        var entry: IDKey?
        var type: String
        var at: Int64
    }

    init(start: ChainHead, engine: ObligationEngine) {
        self.start = start
        self.engine = engine
    }

    func head() throws -> ChainHead { start }

    func entryState(_ entry: String) throws -> EntryState? { states[EntryKey(entry)] }

    func storedEvent(id: String) throws -> (seq: Int64, event: Event)? {
        byID[IDKey(id)].map { ($0.seq, $0.event) }
    }

    func storedRepeat(of event: Event) throws -> Int64? {
        let key = ContentKey(entry: event.entry.map { IDKey($0) }, type: event.type.rawValue, at: event.at.epochMilliseconds)
        return byContentKey[key]?.first { $0.event == event }?.seq
    }

    func complaint(_ id: String) throws -> ComplaintRecord? { complaints[IDKey(id)] }

    func flaggedSeq(obligation: String) throws -> Int64? { flagged[IDKey(obligation)] }

    func history(ofEntry entry: String) throws -> [RecordedEvent] {
        guard let known = histories[EntryKey(entry)] else {
            // A planner question the preload did not foresee: refuse the batch rather than
            // plan it on a history that is not the stored one.
            throw PostgresLedgerError.integrity("the sequencer did not load the history of entry \"\(entry)\"")
        }
        return known
    }

    /// Nothing is cached across batches: every batch reads what it needs in its transaction.
    func cachedHistory(ofEntry entry: String) -> [RecordedEvent]? { nil }

    func obligationEngine() throws -> ObligationEngine { engine }
}

/// What happened to one submitted event (the SQLite store's `AppendOutcome`).
package enum Outcome: Sendable, Equatable {
    case appended(seq: Int64)
    case duplicate(seq: Int64)

    package var seq: Int64 {
        switch self { case .appended(let seq), .duplicate(let seq): seq }
    }

    init(_ outcome: AppendOutcome) {
        switch outcome {
        case .appended(let seq): self = .appended(seq: seq)
        case .duplicate(let seq): self = .duplicate(seq: seq)
        }
    }
}

/// The tree hashes a batch may read: the preloaded right edge plus what the batch added.
struct FrontierReader: HashReader {
    let known: [Int64: [UInt8]]
    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        try indexes.map { index in
            guard let hash = known[index] else { throw PostgresLedgerError.integrity("tree hash \(index) is not on the stored right edge") }
            return hash
        }
    }
}

extension Merkle {
    /// The stored indexes of the perfect subtrees that make up a tree of `size` leaves: the only
    /// hashes appending more leaves reads (each completed parent's left sibling is one of them).
    static func rightEdge(size: Int64) -> [Int64] {
        var indexes: [Int64] = []
        var level = 0
        while (size >> level) > 0 {
            if (size >> level) & 1 == 1 {
                indexes.append(Merkle.storedHashIndex(level: level, n: (size >> level) - 1))
            }
            level += 1
        }
        return indexes
    }
}
