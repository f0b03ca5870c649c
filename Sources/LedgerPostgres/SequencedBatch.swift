import LedgerCrypto
import LedgerDomain
import LedgerMerkle

/// What the sequencer knows before it plans a batch: the rows of the log the batch's events
/// can touch, read from PostgreSQL in a few bulk queries (see `Sequencer.loadKnowledge`), so
/// that planning itself is synchronous, pure domain code.
struct BatchKnowledge {
    var states: [String: EntryState] = [:]
    /// Stored events by `id`, for the idempotency rule.
    var byID: [String: RecordedEvent] = [:]
    /// Stored events without `id` by (entry, type, at), for the Repeats rule (SPEC §3).
    var byContentKey: [ContentKey: [RecordedEvent]] = [:]
    var complaints: [String: (entry: String?, received: Int64, resolved: Int64?)] = [:]
    var flagged: [String: Int64] = [:]
    /// Whole histories of the entries an annulment or a breach flag of this batch names.
    var histories: [String: [RecordedEvent]] = [:]
    /// The stored tree hashes of the right edge: all that appending leaves needs.
    var frontier: [Int64: [UInt8]] = [:]

    struct ContentKey: Hashable {
        var entry: String?
        var type: String
        var at: Int64
    }
}

/// One batch of submissions planned in memory: each submission is all or nothing (a refused
/// one leaves the batch as it was), the accepted ones get consecutive seqs, chain hashes, tree
/// hashes and projection updates, written by the sequencer in its one transaction.
///
/// The rules are the SQLite store's (`AppendBatch`): same checks, same sealing, so the bytes
/// and hashes are the same for the same events, clock and salts.
struct SequencedBatch {
    let engine: ObligationEngine
    let recordedAt: Instant
    let salt: (@Sendable (Int64, String) -> [UInt8])?
    let startSize: Int64
    private(set) var size: Int64
    private(set) var headHash: [UInt8]
    var knowledge: BatchKnowledge
    private(set) var recorded: [RecordedEvent] = []
    private(set) var treeRows: [(Int64, [UInt8])] = []
    private(set) var touched: Set<String> = []
    private(set) var touchedComplaints: Set<String> = []
    private(set) var newFlags: [String: Int64] = [:]
    private(set) var removedFlags: Set<String> = []
    private var batchContents: [[UInt8]: Int64] = [:]

    init(engine: ObligationEngine, size: Int64, headHash: [UInt8], recordedAt: Instant,
         knowledge: BatchKnowledge, salt: (@Sendable (Int64, String) -> [UInt8])?) {
        self.engine = engine
        self.startSize = size
        self.size = size
        self.headHash = headHash
        self.recordedAt = recordedAt
        self.knowledge = knowledge
        self.salt = salt
    }

    /// Plans one submission: its outcomes (a seq each; a repeat gives the stored seq), or the
    /// refusal of its first bad event, in which case nothing of it stays in the batch.
    mutating func add(submission events: [Event]) -> Result<[Outcome], InputError> {
        let before = self
        var outcomes: [Outcome] = []
        for (index, event) in events.enumerated() {
            do {
                outcomes.append(try add(event))
            } catch {
                self = before
                return .failure(error.at(line: index + 1))
            }
        }
        return .success(outcomes)
    }

    private mutating func add(_ event: Event) throws(InputError) -> Outcome {
        if case .personalDataErased = event.body {
            throw InputError(field: "type", "personal_data_erased is recorded by `listledger erase`, which the PostgreSQL engine does not offer yet")
        }
        if let id = event.id, let earlier = knowledge.byID[id] {
            guard earlier.event == event else {
                throw InputError(field: "id", "\"\(id)\" is already used by seq \(earlier.seq) for a different event; an id names one fact")
            }
            return .duplicate(seq: earlier.seq)
        }
        if event.id == nil {
            if let seq = batchContents[CanonicalJSON.encode(event.inputObject)] { return .duplicate(seq: seq) }
            let key = BatchKnowledge.ContentKey(entry: event.entry, type: event.type.rawValue, at: event.at.epochMilliseconds)
            if let earlier = knowledge.byContentKey[key]?.first(where: { $0.event == event }) { return .duplicate(seq: earlier.seq) }
        }
        var context = RuleContext(now: recordedAt)
        let state = event.entry.flatMap { knowledge.states[$0] }
        switch event.body {
        case .complaintReceived(let id, _), .complaintResolved(let id, _, _):
            context.complaintResolved = knowledge.complaints[id].map { $0.resolved != nil }
            if let entry = event.entry { context.complaintEntryExists = knowledge.states[entry] != nil }
        case .breachFlagged(let obligation):
            context.obligationAlreadyFlagged = knowledge.flagged[obligation] != nil
            if let entry = event.entry, state != nil {
                let history = (knowledge.histories[entry] ?? []).filter { $0.event.at <= event.at }
                let found = engine.obligations(of: history).first { $0.id == obligation }
                context.flaggedObligationStatus = found?.status(asOf: event.at)
            }
        default:
            break
        }
        try LedgerRules.check(event, entry: state, context: context)
        let seq = size + 1
        var annulledState: EntryState?
        if case .recordAnnulled(let target, _) = event.body, let entry = event.entry, let state {
            let history = knowledge.histories[entry] ?? []
            annulledState = try Annulment.check(event, seq: seq, history: history, court: state.court, now: recordedAt)
            if let undone = history.first(where: { $0.seq == target }), case .breachFlagged(let obligation) = undone.event.body {
                knowledge.flagged[obligation] = nil
                newFlags[obligation] = nil
                removedFlags.insert(obligation)
            }
        }

        // Sealed in encoding v2 (SPEC §7), as the SQLite store seals new events.
        let sealed = salt.map { source in
            RecordedEvent(sealing: event, seq: seq, recordedAt: recordedAt, prevHash: headHash) { source(seq, $0) }
        } ?? RecordedEvent(sealing: event, seq: seq, recordedAt: recordedAt, prevHash: headHash)
        do {
            let reader = FrontierReader(known: knowledge.frontier)
            let hashes = try Merkle.storedHashes(forLeaf: seq - 1, leafHash: Merkle.leafHash(canonical: sealed.canonical), reader: reader)
            var position = Merkle.storedHashCount(seq - 1)
            for hash in hashes {
                treeRows.append((position, hash))
                knowledge.frontier[position] = hash
                position += 1
            }
        } catch {
            throw InputError("the Merkle tree's right edge is not stored: \(error)")
        }
        recorded.append(sealed)
        size = seq
        headHash = sealed.hash
        if let id = event.id { knowledge.byID[id] = sealed } else { batchContents[CanonicalJSON.encode(event.inputObject)] = seq }

        if let entry = event.entry, event.type != .complaintReceived, event.type != .complaintResolved {
            if let next = annulledState ?? EntryState.applying(event, seq: seq, to: state) {
                knowledge.states[entry] = next
                touched.insert(entry)
            }
            // A new entry's history starts here (an annulment later in the batch reads it).
            if state == nil, knowledge.histories[entry] == nil { knowledge.histories[entry] = [] }
            knowledge.histories[entry]?.append(sealed)
        }
        switch event.body {
        case .complaintReceived(let id, _):
            knowledge.complaints[id] = (event.entry, seq, nil)
            touchedComplaints.insert(id)
        case .complaintResolved(let id, _, _):
            knowledge.complaints[id]?.resolved = seq
            touchedComplaints.insert(id)
        case .breachFlagged(let obligation):
            knowledge.flagged[obligation] = seq
            newFlags[obligation] = seq
            removedFlags.remove(obligation)
        default:
            break
        }
        return .appended(seq: seq)
    }
}

/// What happened to one submitted event (the SQLite store's `AppendOutcome`).
package enum Outcome: Sendable, Equatable {
    case appended(seq: Int64)
    case duplicate(seq: Int64)

    package var seq: Int64 {
        switch self { case .appended(let seq), .duplicate(let seq): seq }
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
