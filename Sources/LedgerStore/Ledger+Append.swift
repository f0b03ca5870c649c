import LedgerDomain
import LedgerMerkle

/// What happened to one input event.
package enum AppendOutcome: Sendable, Equatable {
    case appended(seq: Int64)
    /// Its `id` was already stored with the same content, at this seq: stored once, not again.
    /// Also an event without `id` whose content equals a stored one (SPEC §3 "Repeats").
    case duplicate(seq: Int64)
}

/// One event to append, with the input line it came from (for error messages).
package struct NumberedEvent: Sendable {
    package var line: Int
    package var event: Event
    package init(line: Int, event: Event) {
        self.line = line
        self.event = event
    }
}

extension Ledger {
    /// Appends `events` in one `BEGIN IMMEDIATE` transaction: all are stored, or none.
    /// `clock` is read once; `recorded_at` never goes backwards even if the clock does.
    package func append(_ events: [NumberedEvent], clock: () -> Instant,
                        afterEach: ((Int64) -> Void)? = nil) throws(LedgerError) -> [AppendOutcome] {
        do {
            var committedLists: [String: [RecordedEvent]] = [:]
            var sizes: (Int64, Int64) = (0, 0)
            let outcomes = try connection.writeTransaction {
                var batch = try AppendBatch(ledger: self, now: clock())
                var outcomes: [AppendOutcome] = []
                outcomes.reserveCapacity(events.count)
                for numbered in events {
                    do {
                        outcomes.append(try batch.add(numbered.event))
                    } catch let error as InputError {
                        throw LedgerError.input(error.at(line: numbered.line))
                    }
                }
                try batch.finish()
                committedLists = batch.entryEvents
                sizes = (batch.startSize, batch.head.size)
                return outcomes
            }
            eventCache.committed(fromSize: sizes.0, toSize: sizes.1, entries: committedLists)
            return outcomes
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw .storage(error)
        } catch {
            throw .integrity("\(error)")
        }
    }
}

/// The working set of one append transaction: entry states loaded on first use and written
/// once at the end, so a batch of 1,000 events costs one write per touched entry.
struct AppendBatch {
    let ledger: Ledger
    let connection: Connection
    let tree: TreeStore
    var head: Ledger.Head
    let recordedAt: Instant
    var entries: [String: EntryState?] = [:]
    var touchedEntries: Set<String> = []
    var batchIDs: [String: (seq: Int64, event: Event)] = [:]
    /// This batch's events without `id`, by content, for the Repeats rule.
    var batchContents: [[UInt8]: Int64] = [:]
    var complaints: [String: (entry: String?, received: Int64, resolved: Int64?)] = [:]
    var flagged: [String: Int64] = [:]
    /// Flags whose `breach_flagged` this batch annulled.
    var unflagged: [String] = []
    let startSize: Int64
    /// Set by `Ledger.erase` alone (see `add`).
    var recordsErasure = false
    /// The latest `at` among this batch's events (kept in the head for as-of queries).
    var latestAt = Int64.min
    /// Entries whose obligations may change with this batch (see `changesObligations`).
    var obligationEntries: Set<String> = []
    /// The complete event list of each entry whose history is known in memory (cached before
    /// the batch, or loaded for its obligations), with this batch's events added.
    var entryEvents: [String: [RecordedEvent]] = [:]

    init(ledger: Ledger, now: Instant) throws {
        self.ledger = ledger
        connection = ledger.connection
        tree = TreeStore(connection: connection)
        head = try ledger.head()
        startSize = head.size
        // recorded_at never lies before an earlier event's, whatever the clock says.
        let milliseconds = max(now.epochMilliseconds, head.recordedMilliseconds)
        recordedAt = Instant(epochMilliseconds: milliseconds)
    }

    mutating func entryState(_ name: String) throws -> EntryState? {
        if let cached = entries[name] { return cached }
        let state = try ledger.storedEntryState(name)
        entries[name] = state
        return state
    }

    mutating func complaint(_ id: String) throws -> (entry: String?, received: Int64, resolved: Int64?)? {
        if let cached = complaints[id] { return cached }
        let statement = try connection.statement("SELECT entry, received_seq, resolved_seq FROM complaints WHERE complaint = ?")
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        let row = (entry: statement.text(0), received: statement.int(1), resolved: statement.isNull(2) ? nil : Optional(statement.int(2)))
        complaints[id] = row
        return row
    }

    mutating func isFlagged(_ obligation: String) throws -> Bool {
        if flagged[obligation] != nil { return true }
        return try connection.scalarInt("SELECT flagged_seq FROM flags WHERE obligation = ?", [.text(obligation)]) != nil
    }

    /// The seq and content already stored under `id`, if any.
    mutating func stored(id: String) throws -> (seq: Int64, event: Event)? {
        if let inBatch = batchIDs[id] { return inBatch }
        let statement = try connection.statement("SELECT seq, canonical, prev_hash, hash, \(try ledger.personalDataColumn) FROM events WHERE id = ?")
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        let recorded = try RecordedEvent(canonical: statement.blob(1), prevHash: statement.blob(2), hash: statement.blob(3),
                                         secrets: try Ledger.secrets(statement, column: 4))
        return (statement.int(0), recorded.event)
    }

    /// The seq of a stored event without `id` whose content equals `event` (SPEC §3 "Repeats":
    /// re-running an import never doubles a fact). Same type, entry and instant narrow it to a
    /// few rows of the entry index; the decoded content decides.
    mutating func repeated(_ event: Event) throws -> Int64? {
        if let inBatch = batchContents[CanonicalJSON.encode(event.inputObject)] { return inBatch }
        // `INDEXED BY`: with `id IS NULL` in the query SQLite would pick the unique index on id
        // and walk every event without one (quadratic imports); the decoded comparison below
        // checks that the stored event has no id.
        let statement = try connection.statement(event.entry == nil
            ? "SELECT seq, canonical, prev_hash, hash, \(try ledger.personalDataColumn) FROM events INDEXED BY events_by_entry WHERE entry IS NULL AND type = ? AND at_ms = ?"
            : "SELECT seq, canonical, prev_hash, hash, \(try ledger.personalDataColumn) FROM events INDEXED BY events_by_entry WHERE entry = ? AND type = ? AND at_ms = ?")
        try statement.bind((event.entry.map { [SQLValue.text($0)] } ?? []) + [.text(event.type.rawValue), .int(event.at.epochMilliseconds)])
        while try statement.step() {
            let recorded = try RecordedEvent(canonical: statement.blob(1), prevHash: statement.blob(2), hash: statement.blob(3),
                                             secrets: try Ledger.secrets(statement, column: 4))
            if recorded.event == event { return statement.int(0) }
        }
        return nil
    }

    mutating func add(_ event: Event) throws -> AppendOutcome {
        // Only `Ledger.erase` records an erasure: it deletes the values in the same transaction.
        if case .personalDataErased = event.body, !recordsErasure {
            throw InputError(field: "type", "personal_data_erased is recorded by `listledger erase --entry E --reason …`, which also deletes the values")
        }
        if let id = event.id, let earlier = try stored(id: id) {
            guard earlier.event == event else {
                throw InputError(field: "id", "\"\(id)\" is already used by seq \(earlier.seq) for a different event; an id names one fact")
            }
            return .duplicate(seq: earlier.seq)
        }
        if event.id == nil, let earlier = try repeated(event) { return .duplicate(seq: earlier) }
        var context = RuleContext(now: recordedAt)
        let state = try event.entry.map { try entryState($0) } ?? nil
        switch event.body {
        case .complaintReceived(let id, _), .complaintResolved(let id, _, _):
            let known = try complaint(id)
            context.complaintResolved = known.map { $0.resolved != nil }
            if let entry = event.entry { context.complaintEntryExists = try entryState(entry) != nil }
        case .breachFlagged(let obligation):
            context.obligationAlreadyFlagged = try isFlagged(obligation)
            if let entry = event.entry, state != nil {
                // Derived from the facts effective at the flag's `at` (this batch's included:
                // the same connection reads the transaction's own rows).
                let history = try (entryEvents[entry] ?? ledger.events(ofEntry: entry)).filter { $0.event.at <= event.at }
                let found = try ledger.obligationEngine().obligations(of: history).first { $0.id == obligation }
                context.flaggedObligationStatus = found?.status(asOf: event.at)
            }
        default:
            break
        }
        try LedgerRules.check(event, entry: state, context: context)
        var annulledState: EntryState?
        if case .recordAnnulled(let target, _) = event.body, let entry = event.entry, let state {
            let history = try entryEvents[entry] ?? ledger.events(ofEntry: entry)
            annulledState = try Annulment.check(event, seq: head.size + 1, history: history, court: state.court, now: recordedAt)
            // A flag annulled is no flag: the alert runner may flag that obligation again.
            if let undone = history.first(where: { $0.seq == target }), case .breachFlagged(let obligation) = undone.event.body {
                unflagged.append(obligation)
                flagged[obligation] = nil
            }
        }

        let seq = head.size + 1
        // New events are sealed in encoding v2 (SPEC §7): the values go beside the log.
        let recorded = ledger.saltSource.map { source in
            RecordedEvent(sealing: event, seq: seq, recordedAt: recordedAt, prevHash: head.hash) { source(seq, $0) }
        } ?? RecordedEvent(sealing: event, seq: seq, recordedAt: recordedAt, prevHash: head.hash)
        let insert = try connection.statement("""
            INSERT INTO events(seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind([
            .int(seq), event.id.map(SQLValue.text) ?? .null, event.entry.map(SQLValue.text) ?? .null,
            .text(event.type.rawValue), .int(event.at.epochMilliseconds), .int(recordedAt.epochMilliseconds),
            .blob(recorded.canonical), .blob(recorded.prevHash), .blob(recorded.hash),
        ])
        _ = try insert.step()
        if !recorded.secrets.isEmpty {
            try connection.run("INSERT INTO personal_data(seq, data) VALUES (?, ?)", [.int(seq), .blob(PersonalData.storageText(recorded.secrets))])
        }
        try tree.append(leaf: seq - 1, leafHash: Merkle.leafHash(canonical: recorded.canonical))
        head = Ledger.Head(size: seq, hash: recorded.hash, recordedMilliseconds: recordedAt.epochMilliseconds)
        latestAt = max(latestAt, event.at.epochMilliseconds)
        if let id = event.id { batchIDs[id] = (seq, event) } else { batchContents[CanonicalJSON.encode(event.inputObject)] = seq }

        if let entry = event.entry, event.type != .complaintReceived, event.type != .complaintResolved {
            let next: EntryState? = annulledState ?? EntryState.applying(event, seq: seq, to: state)
            entries[entry] = .some(next)
            touchedEntries.insert(entry)
            if Self.changesObligations(event.type) { obligationEntries.insert(entry) }
            if entryEvents[entry] == nil, let cached = ledger.eventCache.events(of: entry, logSize: startSize) {
                entryEvents[entry] = cached
            } else if entryEvents[entry] == nil, state == nil {
                entryEvents[entry] = []  // a new entry: its history starts here
            }
            entryEvents[entry]?.append(recorded)
        }
        switch event.body {
        case .complaintReceived(let id, _): complaints[id] = (event.entry, seq, nil)
        case .complaintResolved(let id, _, _): complaints[id]?.resolved = seq
        case .breachFlagged(let obligation): flagged[obligation] = seq
        default: break
        }
        return .appended(seq: seq)
    }

    /// Types that never change an entry's obligations when accepted: the rules refuse them once
    /// an entry is shielded or revoked, and what they record (holders, measures, reposts,
    /// publication) matters only at the exit, whose own refresh reads them from the history.
    static func changesObligations(_ type: EventType) -> Bool {
        switch type {
        case .entryPublished, .employerNotified, .pushedToUnit, .measureApplied, .repostRegistered, .breachFlagged: false
        default: true
        }
    }

    /// Writes the projections and the head.
    mutating func finish() throws {
        try ledger.writeEntryStates(touchedEntries.compactMap { entries[$0] ?? nil })
        for (id, row) in complaints {
            try connection.run("""
                INSERT INTO complaints(complaint, entry, received_seq, resolved_seq) VALUES (?, ?, ?, ?)
                ON CONFLICT(complaint) DO UPDATE SET resolved_seq = excluded.resolved_seq
                """, [.text(id), row.entry.map(SQLValue.text) ?? .null, .int(row.received), row.resolved.map(SQLValue.int) ?? .null])
        }
        for obligation in unflagged {
            try connection.run("DELETE FROM flags WHERE obligation = ?", [.text(obligation)])
        }
        for (obligation, seq) in flagged {
            try connection.run("INSERT INTO flags(obligation, flagged_seq) VALUES (?, ?)", [.text(obligation), .int(seq)])
        }
        for entry in obligationEntries where entryEvents[entry] == nil {
            entryEvents[entry] = try ledger.events(ofEntry: entry)
        }
        try ledger.refreshObligations(entries: obligationEntries, events: entryEvents)
        try connection.run("UPDATE head SET size = ?, hash = ?, recorded_ms = ?, latest_at_ms = max(coalesce(latest_at_ms, ?), ?) WHERE id = 1",
                           [.int(head.size), .blob(head.hash), .int(head.recordedMilliseconds), .int(latestAt), .int(latestAt)])
    }
}
