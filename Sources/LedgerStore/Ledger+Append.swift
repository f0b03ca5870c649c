package import LedgerDomain
import LedgerMerkle

extension Ledger {
    /// Appends `events` in one `BEGIN IMMEDIATE` transaction: all are stored, or none.
    /// `clock` is read once; `recorded_at` never goes backwards even if the clock does.
    package func append(_ events: [NumberedEvent], clock: () -> Instant,
                        afterEach: ((Int64) -> Void)? = nil) throws(LedgerError) -> [AppendOutcome] {
        do {
            var plan: AppendPlan?
            let outcomes = try connection.writeTransaction {
                let (outcomes, carried) = try appendBatch(events, now: clock())
                plan = carried
                return outcomes
            }
            if let plan { eventCache.committed(fromSize: plan.startSize, toSize: plan.head.size, entries: plan.histories) }
            return outcomes
        } catch {
            throw Self.ledgerError(error)
        }
    }

    /// Plans `events` against the ledger as this transaction sees it and writes the plan.
    /// Must run inside a write transaction. Returns the plan as carried out (its `histories`:
    /// the entries the planner read whole), for `eventCache`. With `tree`, the Merkle tiles go
    /// through it and the caller writes its edges (`flush`) before the transaction commits.
    func appendBatch(_ events: [NumberedEvent], now: Instant, allowsErasure: Bool = false,
                     tree: TreeStore? = nil) throws -> ([AppendOutcome], AppendPlan) {
        var planner = try AppendPlanner(knowledge: try StoreKnowledge(ledger: self), now: now, allowsErasure: allowsErasure, salt: saltSource)
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(events.count)
        for numbered in events {
            do {
                outcomes.append(try planner.add(numbered.event))
            } catch let error as InputError {
                throw LedgerError.input(error.at(line: numbered.line))
            }
        }
        return (outcomes, try carryOut(planner.finish(), tree: tree))
    }

    /// Writes `plan` in the current transaction, in the order `AppendPlan` documents. With a
    /// shared `tree`, the edge rows are left to its owner's `flush()`.
    @discardableResult
    func carryOut(_ plan: AppendPlan, tree shared: TreeStore? = nil) throws -> AppendPlan {
        let tree = shared ?? TreeStore(connection: connection)
        let insert = try connection.statement("""
            INSERT INTO events(seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for planned in plan.events {
            let recorded = planned.recorded, event = recorded.event
            insert.reset()
            try insert.bind([
                .int(recorded.seq), event.id.map(SQLValue.text) ?? .null, event.entry.map(SQLValue.text) ?? .null,
                .text(event.type.rawValue), .int(event.at.epochMilliseconds), .int(recorded.recordedAt.epochMilliseconds),
                .blob(recorded.canonical), .blob(recorded.prevHash), .blob(recorded.hash),
            ])
            _ = try insert.step()
            if !recorded.secrets.isEmpty {
                try connection.run("INSERT INTO personal_data(seq, data) VALUES (?, ?)", [.int(recorded.seq), .blob(PersonalData.storageText(recorded.secrets))])
            }
            try tree.append(leaf: recorded.seq - 1, leafHash: planned.leafHash)
        }
        if shared == nil { try tree.flush() }
        try writeEntryStates(plan.entryStates)
        for row in plan.complaints {
            try connection.run("""
                INSERT INTO complaints(complaint, entry, received_seq, resolved_seq) VALUES (?, ?, ?, ?)
                ON CONFLICT(complaint) DO UPDATE SET resolved_seq = excluded.resolved_seq
                """, [.text(row.complaint), row.entry.map(SQLValue.text) ?? .null, .int(row.receivedSeq), row.resolvedSeq.map(SQLValue.int) ?? .null])
        }
        for obligation in plan.flagsCleared {
            try connection.run("DELETE FROM flags WHERE obligation = ?", [.text(obligation)])
        }
        for (obligation, seq) in plan.flagsSet {
            try connection.run("INSERT INTO flags(obligation, flagged_seq) VALUES (?, ?)", [.text(obligation), .int(seq)])
        }
        // No obligations here: the projector derives them after the commit (ObligationsProjector.swift).
        let latestAt = plan.latestAt
        try connection.run("UPDATE head SET size = ?, hash = ?, recorded_ms = ?, latest_at_ms = max(coalesce(latest_at_ms, ?), ?) WHERE id = 1",
                           [.int(plan.head.size), .blob(plan.head.hash), .int(plan.head.recordedMilliseconds), .int(latestAt), .int(latestAt)])
        return plan
    }

    /// Appends a stream of chunks in ONE `BEGIN IMMEDIATE` transaction, all or nothing, holding
    /// one chunk at a time (issue 8: a one-transaction import of 10 M events in constant memory).
    /// Each chunk `next` gives is planned against the ledger as this transaction sees it, earlier
    /// chunks' rows included, and written before the next is read, so the tables end as one
    /// `append` of all the events leaves them: the clock is read once (one `recorded_at`), an id
    /// or content repeated across chunks is a duplicate, the last write of an entry's state wins.
    /// `planned` gets each chunk's outcomes as soon as they are decided, which is BEFORE they are
    /// durable: it must keep them (spool), not show them, until this returns. Errors of `next`
    /// and `planned` roll back and are rethrown as they are; the store's are `LedgerError`s.
    /// Returns the log's size before and after.
    package func appendStreamed(clock: () -> Instant, next: () throws -> [NumberedEvent]?,
                                planned: ([NumberedEvent], [AppendOutcome]) throws -> Void) throws -> StreamedAppend {
        let range: StreamedAppend
        do {
            range = try connection.writeTransaction {
                let now = clock()
                var range = StreamedAppend(startSize: try head().size, endSize: 0)
                range.endSize = range.startSize
                while let chunk = try next() {
                    let outcomes: [AppendOutcome]
                    do {
                        let carried: AppendPlan
                        (outcomes, carried) = try appendBatch(chunk, now: now)
                        range.endSize = carried.head.size
                    } catch {
                        throw Self.ledgerError(error)
                    }
                    try planned(chunk, outcomes)
                }
                return range
            }
        } catch let error as SQLiteError {
            throw LedgerError.storage(error)
        }
        // The chunks' histories are not kept (they would grow with the input): the cache,
        // which describes the log before this append, is emptied rather than left to be mended.
        if range.endSize != range.startSize { eventCache.clear() }
        return range
    }
}

/// What `appendStreamed` committed: the new events are seqs `startSize + 1 … endSize`
/// (consecutive: every appended event takes the next seq; duplicates take none).
package struct StreamedAppend: Sendable, Equatable {
    package var startSize: Int64
    package var endSize: Int64

    /// Also what PostgreSQL's streamed append committed (the command line prints it alike).
    package init(startSize: Int64, endSize: Int64) {
        self.startSize = startSize
        self.endSize = endSize
    }
}

/// The SQLite answers to the planner's questions, read on the ledger's connection inside the
/// write transaction (before the plan is written, so they describe the ledger before the batch).
struct StoreKnowledge: PlannerKnowledge {
    let ledger: Ledger
    /// Read once: the head does not move while the planner asks (nothing is written yet).
    let startHead: ChainHead
    var connection: Connection { ledger.connection }

    init(ledger: Ledger) throws {
        self.ledger = ledger
        startHead = try ledger.head()
    }

    func head() throws -> ChainHead { startHead }

    func entryState(_ entry: String) throws -> EntryState? { try ledger.storedEntryState(entry) }

    func storedEvent(id: String) throws -> (seq: Int64, event: Event)? {
        let statement = try connection.statement("SELECT seq, canonical, prev_hash, hash, \(try ledger.personalDataColumn) FROM events WHERE id = ?")
        defer { statement.reset() }
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        let recorded = try RecordedEvent(canonical: statement.blob(1), prevHash: statement.blob(2), hash: statement.blob(3),
                                         secrets: try Ledger.secrets(statement, column: 4))
        return (statement.int(0), recorded.event)
    }

    /// Same type, entry and instant narrow it to a few rows of the entry index; the decoded
    /// content decides.
    func storedRepeat(of event: Event) throws -> Int64? {
        // `INDEXED BY`: with `id IS NULL` in the query SQLite would pick the unique index on id
        // and walk every event without one (quadratic imports); the decoded comparison below
        // checks that the stored event has no id.
        let statement = try connection.statement(event.entry == nil
            ? "SELECT seq, canonical, prev_hash, hash, \(try ledger.personalDataColumn) FROM events INDEXED BY events_by_entry WHERE entry IS NULL AND type = ? AND at_ms = ?"
            : "SELECT seq, canonical, prev_hash, hash, \(try ledger.personalDataColumn) FROM events INDEXED BY events_by_entry WHERE entry = ? AND type = ? AND at_ms = ?")
        defer { statement.reset() }
        try statement.bind((event.entry.map { [SQLValue.text($0)] } ?? []) + [.text(event.type.rawValue), .int(event.at.epochMilliseconds)])
        while try statement.step() {
            let recorded = try RecordedEvent(canonical: statement.blob(1), prevHash: statement.blob(2), hash: statement.blob(3),
                                             secrets: try Ledger.secrets(statement, column: 4))
            if recorded.event == event { return statement.int(0) }
        }
        return nil
    }

    func complaint(_ id: String) throws -> ComplaintRecord? {
        let statement = try connection.statement("SELECT entry, received_seq, resolved_seq FROM complaints WHERE complaint = ?")
        defer { statement.reset() }
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        return ComplaintRecord(complaint: id, entry: statement.text(0), receivedSeq: statement.int(1),
                               resolvedSeq: statement.isNull(2) ? nil : statement.int(2))
    }

    func flaggedSeq(obligation: String) throws -> Int64? {
        try connection.scalarInt("SELECT flagged_seq FROM flags WHERE obligation = ?", [.text(obligation)])
    }

    func history(ofEntry entry: String) throws -> [RecordedEvent] { try ledger.events(ofEntry: entry) }

    func cachedHistory(ofEntry entry: String) -> [RecordedEvent]? {
        // The cache describes the log at the size this process last committed.
        ledger.eventCache.events(of: EntryKey(entry), logSize: startHead.size)
    }

    func obligationEngine() throws -> ObligationEngine { try ledger.obligationEngine() }
}
