import LedgerMerkle

/// What happened to one input event.
package enum AppendOutcome: Sendable, Equatable {
    case appended(seq: Int64)
    /// Its `id` was already stored with the same content, at this seq: stored once, not again.
    /// Also an event without `id` whose content equals a stored one (SPEC §3 "Repeats").
    case duplicate(seq: Int64)
}

/// The decisions of one append batch, without I/O: which events are accepted (the rules of
/// SPEC §3–§5), their seq, chain hash and leaf hash, and which projections change. A store
/// answers `PlannerKnowledge` inside its write transaction, feeds the events to `add` one by one
/// and carries out `finish()`'s plan in that same transaction. Entry states are loaded once and
/// written once, so a batch of 1,000 events costs one write per touched entry.
package struct AppendPlanner<Knowledge: PlannerKnowledge> {
    private let knowledge: Knowledge
    private let recordedAt: Instant
    private let allowsErasure: Bool
    private let salt: ((Int64, String) -> [UInt8])?
    private var plan: AppendPlan
    private var entries: [EntryKey: EntryState?] = [:]
    private var touchedEntries: [EntryKey] = []
    private var touched: Set<EntryKey> = []
    private var batchIDs: [IDKey: (seq: Int64, event: Event)] = [:]
    /// This batch's events without `id`, by content, for the Repeats rule.
    private var batchContents: [[UInt8]: Int64] = [:]
    private var complaints: [IDKey: ComplaintRecord] = [:]
    private var flagged: [IDKey: Int64] = [:]
    /// Obligations whose flag this batch annulled: a stored flag among them is gone (its row is
    /// deleted with the plan), so it may be flagged again in the same batch, as in a later one:
    /// where a batch ends must not change what is accepted (a one-transaction append plans in
    /// chunks, `Ledger.appendStreamed`).
    private var unflagged: Set<IDKey> = []
    /// Every event of this batch naming an entry (complaints too, as the store's log has them),
    /// to complete a history read from the store before the batch.
    private var batchEventsByEntry: [EntryKey: [RecordedEvent]] = [:]
    private var engine: ObligationEngine?

    /// - Parameters:
    ///   - now: the clock, read once by the caller; `recorded_at` never goes backwards.
    ///   - allowsErasure: only the store's erase, which deletes the values in the same
    ///     transaction, may record `personal_data_erased`.
    ///   - salt: the salt of each new personal value by seq and path; nil: random (tests fix it).
    package init(knowledge: Knowledge, now: Instant, allowsErasure: Bool = false,
                 salt: ((Int64, String) -> [UInt8])? = nil) throws {
        self.knowledge = knowledge
        let head = try knowledge.head()
        plan = AppendPlan(startSize: head.size, head: head)
        // recorded_at never lies before an earlier event's, whatever the clock says.
        recordedAt = Instant(epochMilliseconds: max(now.epochMilliseconds, head.recordedMilliseconds))
        self.allowsErasure = allowsErasure
        self.salt = salt
    }

    /// The head the batch has reached so far.
    package var head: ChainHead { plan.head }

    private mutating func entryState(_ name: String) throws -> EntryState? {
        let key = EntryKey(name)
        if let cached = entries[key] { return cached }
        let state = try knowledge.entryState(name)
        entries[key] = state
        return state
    }

    private mutating func complaint(_ id: String) throws -> ComplaintRecord? {
        if let cached = complaints[IDKey(id)] { return cached }
        let row = try knowledge.complaint(id)
        if let row { complaints[IDKey(id)] = row }
        return row
    }

    private mutating func obligationEngine() throws -> ObligationEngine {
        if let engine { return engine }
        let made = try knowledge.obligationEngine()
        engine = made
        return made
    }

    /// The complete history of `entry` up to this point of the batch.
    private func history(of entry: String) throws -> [RecordedEvent] {
        if let known = plan.histories[EntryKey(entry)] { return known }
        return try knowledge.history(ofEntry: entry) + (batchEventsByEntry[EntryKey(entry)] ?? [])
    }

    /// Decides one event: a duplicate of a stored or earlier one, or the next link.
    /// Throws `InputError` (naming the field) when the rules refuse it; the batch is then void.
    package mutating func add(_ event: Event) throws -> AppendOutcome {
        if case .personalDataErased = event.body, !allowsErasure {
            throw InputError(field: "type", "personal_data_erased is recorded only by an erasure, which also deletes the values (the command line's `erase`)")
        }
        if let id = event.id, let earlier = try batchIDs[IDKey(id)] ?? knowledge.storedEvent(id: id) {
            guard earlier.event == event else {
                throw InputError(field: "id", "\"\(id)\" is already used by seq \(earlier.seq) for a different event; an id names one fact")
            }
            return .duplicate(seq: earlier.seq)
        }
        let content = event.id == nil ? CanonicalJSON.encode(event.inputObject) : []
        if event.id == nil, let earlier = try batchContents[content] ?? knowledge.storedRepeat(of: event) {
            return .duplicate(seq: earlier)
        }
        var context = RuleContext(now: recordedAt)
        let state = try event.entry.map { try entryState($0) } ?? nil
        switch event.body {
        case .complaintReceived(let id, _), .complaintResolved(let id, _, _):
            context.complaintResolved = try complaint(id).map { $0.resolvedSeq != nil }
            if let entry = event.entry { context.complaintEntryExists = try entryState(entry) != nil }
        case .breachFlagged(let obligation):
            context.obligationAlreadyFlagged = try flagged[IDKey(obligation)] != nil
                || (!unflagged.contains(IDKey(obligation)) && knowledge.flaggedSeq(obligation: obligation) != nil)
            if let entry = event.entry, state != nil {
                // Derived from the facts effective at the flag's `at` (this batch's included).
                let effective = try history(of: entry).filter { $0.event.at <= event.at }
                let found = try obligationEngine().obligations(of: effective).first { $0.id == obligation }
                context.flaggedObligationStatus = found?.status(asOf: event.at)
            }
        default:
            break
        }
        try LedgerRules.check(event, entry: state, context: context)
        var annulledState: EntryState?
        if case .recordAnnulled(let target, _) = event.body, let entry = event.entry, let state {
            let known = try history(of: entry)
            annulledState = try Annulment.check(event, seq: plan.head.size + 1, history: known, court: state.court, now: recordedAt)
            // A flag annulled is no flag: the alert runner may flag that obligation again.
            if let undone = known.first(where: { $0.seq == target }), case .breachFlagged(let obligation) = undone.event.body {
                plan.flagsCleared.append(obligation)
                flagged[IDKey(obligation)] = nil
                unflagged.insert(IDKey(obligation))
            }
        }

        let seq = plan.head.size + 1
        // New events are sealed in encoding v2 (SPEC §7): the values go beside the log.
        let recorded = salt.map { source in
            RecordedEvent(sealing: event, seq: seq, recordedAt: recordedAt, prevHash: plan.head.hash) { source(seq, $0) }
        } ?? RecordedEvent(sealing: event, seq: seq, recordedAt: recordedAt, prevHash: plan.head.hash)
        plan.events.append(PlannedEvent(recorded: recorded, leafHash: Merkle.leafHash(canonical: recorded.canonical)))
        plan.head = ChainHead(size: seq, hash: recorded.hash, recordedMilliseconds: recordedAt.epochMilliseconds)
        plan.latestAt = max(plan.latestAt, event.at.epochMilliseconds)
        if let id = event.id { batchIDs[IDKey(id)] = (seq, event) } else { batchContents[content] = seq }
        if let entry = event.entry { batchEventsByEntry[EntryKey(entry), default: []].append(recorded) }

        if let entry = event.entry, event.type != .complaintReceived, event.type != .complaintResolved {
            let key = EntryKey(entry)
            let next: EntryState? = annulledState ?? EntryState.applying(event, seq: seq, to: state)
            entries[key] = .some(next)
            if touched.insert(key).inserted { touchedEntries.append(key) }
            if Self.changesObligations(event.type) { plan.obligationEntries.insert(key) }
            if plan.histories[key] == nil, let cached = knowledge.cachedHistory(ofEntry: entry) {
                plan.histories[key] = cached
            } else if plan.histories[key] == nil, state == nil {
                plan.histories[key] = []  // a new entry: its history starts here
            }
            plan.histories[key]?.append(recorded)
        }
        switch event.body {
        case .complaintReceived(let id, _): complaints[IDKey(id)] = ComplaintRecord(complaint: id, entry: event.entry, receivedSeq: seq, resolvedSeq: nil)
        case .complaintResolved(let id, _, _): complaints[IDKey(id)]?.resolvedSeq = seq
        case .breachFlagged(let obligation): flagged[IDKey(obligation)] = seq
        default: break
        }
        return .appended(seq: seq)
    }

    /// Types that never change an entry's obligations when accepted: the rules refuse them once
    /// an entry is shielded or revoked, and what they record (holders, measures, reposts,
    /// publication) matters only at the exit, whose own refresh reads them from the history.
    package static func changesObligations(_ type: EventType) -> Bool {
        switch type {
        case .entryPublished, .employerNotified, .pushedToUnit, .measureApplied, .repostRegistered, .breachFlagged: false
        default: true
        }
    }

    /// The plan of everything added (an empty plan when nothing was appended).
    package func finish() -> AppendPlan {
        var plan = plan
        plan.touchedEntries = touchedEntries
        plan.entryStates = touchedEntries.compactMap { entries[$0] ?? nil }
        plan.complaints = complaints.keys.sorted().map { complaints[$0]! }
        plan.flagsSet = flagged.keys.sorted().map { ($0.id, flagged[$0]!) }
        return plan
    }
}
