package import LedgerDomain

extension Ledger {
    /// Appends several callers' batches in ONE `BEGIN IMMEDIATE` transaction, each batch inside
    /// its own SAVEPOINT: a batch the rules refuse is rolled back alone and the others commit.
    /// Returns one result per batch, in order, only after the COMMIT returned (durable with
    /// `synchronous=FULL`); a failure of the transaction itself fails every batch, none stored.
    /// `clock` is read once for the whole group. Used by `SharedLedger`'s writer.
    package func appendGroup(_ batches: [[NumberedEvent]], clock: () -> Instant)
        -> Result<[Result<[AppendOutcome], LedgerError>], LedgerError> {
        appendGroup(batches.map { GroupBatch(events: $0) }, clock: clock).map { results in
            results.map { result in result.mapError { $0 as? LedgerError ?? Self.ledgerError($0) } }
        }
    }

    /// As above, each batch with its own credential (recorded in `event_credentials` by the
    /// TEMP trigger of `installAttribution`) and its own expected version, both checked and set
    /// inside the batch's SAVEPOINT so that the batches before it in the group count. A batch
    /// whose entry moved on fails alone with `EntryMovedOn`; other failures are `LedgerError`.
    package func appendGroup(_ batches: [GroupBatch], clock: () -> Instant)
        -> Result<[Result<[AppendOutcome], any Error>], LedgerError> {
        var results: [Result<[AppendOutcome], any Error>] = []
        results.reserveCapacity(batches.count)
        // The entry histories this group leaves known in memory, for `eventCache` after COMMIT.
        var lists: [EntryKey: [RecordedEvent]] = [:]
        var accepted: [(from: Int64, to: Int64)] = []
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            return .failure(.storage(error))
        }
        do {
            let now = clock()
            // One tree for the group: the right edge of each tile level (a row of up to 8 KB)
            // is read once and written once per transaction, not once per caller's batch.
            let tree = TreeStore(connection: connection)
            for groupBatch in batches {
                let events = groupBatch.events
                try connection.execute("SAVEPOINT caller")
                let treeMark = tree.mark()
                do {
                    if let expected = groupBatch.expectedLastSeq { try checkExpectedVersion(expected, of: events) }
                    if let credential = groupBatch.credential { try setAppendCredential(credential) }
                    let (outcomes, plan) = try appendBatch(events, now: now, tree: tree)
                    connection.resetAll()
                    try connection.execute("RELEASE caller")
                    // An entry this batch touched without knowing its whole history must not
                    // keep an older list from an earlier batch of the group.
                    for entry in plan.touchedEntries { lists[entry] = plan.histories[entry] }
                    for (entry, list) in plan.histories { lists[entry] = list }
                    accepted.append((plan.startSize, plan.head.size))
                    results.append(.success(outcomes))
                } catch {
                    connection.resetAll()
                    tree.restore(treeMark)
                    // Some I/O errors end the whole transaction in SQLite: then nothing is kept.
                    guard !connection.isAutocommit else { throw error }
                    try connection.execute("ROLLBACK TO caller")
                    try connection.execute("RELEASE caller")
                    results.append(.failure(error is EntryMovedOn ? error : Self.ledgerError(error)))
                }
            }
            try tree.flush()
            connection.resetAll()
            try connection.execute("COMMIT")
        } catch {
            connection.resetAll()
            if !connection.isAutocommit { try? connection.execute("ROLLBACK") }
            return .failure(Self.ledgerError(error))
        }
        // One accepted batch: the cache continues from where it was. More: its older lists may
        // miss events of the group, so it starts again from the lists known complete now.
        if let first = accepted.first, let last = accepted.last {
            eventCache.committed(fromSize: accepted.count == 1 ? first.from : Int64.min, toSize: last.to, entries: lists)
        }
        return .success(results)
    }

    /// Expected-version concurrency (issue 10 point 7): every entry the batch names must still
    /// have `expected` as its last seq (0: the entry does not exist yet).
    private func checkExpectedVersion(_ expected: Int64, of events: [NumberedEvent]) throws {
        for entry in Set(events.compactMap(\.event.entry)).sorted() {
            let lastSeq = try storedEntryState(entry)?.lastSeq ?? 0
            if lastSeq != expected {
                throw EntryMovedOn(entry: entry, expected: expected, lastSeq: lastSeq,
                                   changes: try self.events(ofEntry: entry).filter { $0.seq > expected })
            }
        }
    }

    static func ledgerError(_ error: any Error) -> LedgerError {
        switch error {
        case let error as LedgerError: error
        case let error as SQLiteError: .storage(error)
        case let error as InputError: .input(error)
        default: .integrity("\(error)")
        }
    }
}

/// One caller's batch for `appendGroup`: its events, who recorded them, what it last saw.
package struct GroupBatch: Sendable {
    package var events: [NumberedEvent]
    /// The credential recorded beside each event (nil: none, as from the command line).
    package var credential: String?
    /// The last seq the caller saw of every entry it names (`If-Match`); nil: no check.
    package var expectedLastSeq: Int64?

    package init(events: [NumberedEvent], credential: String? = nil, expectedLastSeq: Int64? = nil) {
        self.events = events
        self.credential = credential
        self.expectedLastSeq = expectedLastSeq
    }
}

/// A batch refused because an entry it names has moved on since the caller looked: nothing of
/// it was written. `changes` are the entry's events after `expected`.
package struct EntryMovedOn: Error, Sendable {
    package var entry: String
    package var expected: Int64
    package var lastSeq: Int64
    package var changes: [RecordedEvent]

    package init(entry: String, expected: Int64, lastSeq: Int64, changes: [RecordedEvent]) {
        self.entry = entry
        self.expected = expected
        self.lastSeq = lastSeq
        self.changes = changes
    }
}
