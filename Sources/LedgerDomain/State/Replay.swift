/// Folds events into entry states: the projection's definition, used by `rebuild`, by
/// `state --as-of/--known-at` and by the offline audit.
package struct Replay: Sendable {
    /// Only facts effective at or before this instant (nil: all).
    package var asOf: Instant?
    /// Only facts recorded at or before this instant (nil: all).
    package var knownAt: Instant?
    package private(set) var states: [EntryKey: EntryState] = [:]
    /// Each entry's events so far: an annulment folds its entry again without the annulled one.
    private var histories: [EntryKey: [RecordedEvent]] = [:]

    package init(asOf: Instant? = nil, knownAt: Instant? = nil) {
        self.asOf = asOf
        self.knownAt = knownAt
    }

    /// Whether `recorded` counts under the as-of and known-at cut-offs.
    package func includes(_ recorded: RecordedEvent) -> Bool {
        // An annulment undoes a clerical error: the annulled event never was a fact, so it is
        // left out at every as-of instant (but only once the annulment is known).
        if let asOf, recorded.event.type != .recordAnnulled, recorded.event.at.epochMilliseconds > asOf.epochMilliseconds { return false }
        if let knownAt, recorded.recordedAt.epochMilliseconds > knownAt.epochMilliseconds { return false }
        return true
    }

    /// The states folded so far, in entry order.
    package var entryStates: [EntryState] { states.sorted { $0.key < $1.key }.map(\.value) }

    /// How many entries' histories the replay holds.
    package var heldEntries: Int { histories.count }

    package mutating func apply(_ recorded: RecordedEvent) {
        guard includes(recorded), let entry = recorded.event.entry,
              recorded.event.type != .complaintReceived, recorded.event.type != .complaintResolved else { return }
        let key = EntryKey(entry)
        histories[key, default: []].append(recorded)
        if case .recordAnnulled = recorded.event.body {
            states[key] = Annulment.fold(histories[key]!)
        } else if let next = EntryState.applying(recorded.event, seq: recorded.seq, to: states[key]) {
            states[key] = next
        }
    }
}

/// A replay of a whole log fed in (entry, seq) order — entries compared as bytes (`EntryKey`),
/// as SQLite's events_by_entry index and PostgreSQL's `ORDER BY entry COLLATE "C", seq` give
/// them — holding one entry's history at a time: an entry's state depends on its own events
/// only (SPEC §3 refuses an annulment of another entry's event), so memory does not grow with
/// the log, and each state is handed on, in entry order, as soon as its entry's events end.
/// Both engines' `state --as-of/--known-at` read through it.
package struct EntryByEntryReplay: Sendable {
    private var replay: Replay
    private var current: EntryKey?

    package init(asOf: Instant? = nil, knownAt: Instant? = nil) {
        replay = Replay(asOf: asOf, knownAt: knownAt)
    }

    /// How many entries' histories are held now: at most one.
    package var heldEntries: Int { replay.heldEntries }

    /// Folds `recorded`; when it begins a new entry, first hands the previous entry's state to `emit`.
    package mutating func add(_ recorded: RecordedEvent, _ emit: (EntryState) throws -> Void) rethrows {
        // Compared as bytes: ids that differ only in normalisation are two entries.
        let key = recorded.event.entry.map { EntryKey($0) }
        if key != current {
            try finish(emit)
            current = key
        }
        replay.apply(recorded)
    }

    /// Hands the last entry's state to `emit`; the replay is then empty (and may go on).
    package mutating func finish(_ emit: (EntryState) throws -> Void) rethrows {
        for state in replay.entryStates { try emit(state) }
        replay = Replay(asOf: replay.asOf, knownAt: replay.knownAt)
    }
}

/// Events read in (entry, seq) order — entries compared as bytes (`EntryKey`) — handed on one
/// entry's history at a time, as soon as the next entry begins: what a past `obligations
/// --as-of` derives from on both engines (an entry's obligations depend on its own events only).
package struct EntryHistories: Sendable {
    private var history: [RecordedEvent] = []
    private var current: EntryKey?

    package init() {}

    /// Adds `recorded`; when it begins a new entry, first hands the previous entry's history to `emit`.
    package mutating func add(_ recorded: RecordedEvent, _ emit: ([RecordedEvent]) throws -> Void) rethrows {
        // Compared as bytes: ids that differ only in normalisation are two entries.
        let key = recorded.event.entry.map { EntryKey($0) }
        if key != current {
            try finish(emit)
            current = key
        }
        history.append(recorded)
    }

    /// Hands the last entry's history to `emit` (if any); then empty, and may go on.
    package mutating func finish(_ emit: ([RecordedEvent]) throws -> Void) rethrows {
        if !history.isEmpty { try emit(history) }
        history.removeAll(keepingCapacity: true)
    }
}

extension EntryState {
    /// The JSON of `state` (SPEC §5) with the details a clerk needs.
    package var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("entry", .string(entry)), ("status", .string(status.rawValue)), ("court", .string(court)),
            ("public", isPublic.map(JSONValue.bool) ?? .null),
            ("units", .array(units.map(JSONValue.string))),
            ("case", .string(caseNumber)), ("debtor", .string(debtor)),
            ("published", .bool(published && !exited)),
            ("employers", .array(employers.map(JSONValue.string))),
            ("measures", .array(measures.map { measure in
                var fields: [(String, JSONValue)] = [("unit", .string(measure.unit)), ("measure", .string(measure.measure)), ("status", .string(measure.status))]
                if let until = measure.until { fields.append(("until", .string(until))) }
                return .object(fields)
            })),
            ("reposts", .array(reposts.map { .object([("unit", .string($0.unit)), ("deleted", .bool($0.deleted))]) })),
            ("pending_correction", .bool(correctionPending || reconsiderationPending)),
            ("last_seq", .integer(lastSeq)),
        ]
        if let discharge { members.append(("discharge", .string(discharge))) }
        if !notifiedOfExit.isEmpty { members.append(("notified_of_exit", .array(notifiedOfExit.map(JSONValue.string)))) }
        return .object(members)
    }
}
