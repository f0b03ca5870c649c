import LedgerDomain

extension Ledger {
    /// Appends several callers' batches in ONE `BEGIN IMMEDIATE` transaction, each batch inside
    /// its own SAVEPOINT: a batch the rules refuse is rolled back alone and the others commit.
    /// Returns one result per batch, in order, only after the COMMIT returned (durable with
    /// `synchronous=FULL`); a failure of the transaction itself fails every batch, none stored.
    /// `clock` is read once for the whole group. Used by `SharedLedger`'s writer.
    package func appendGroup(_ batches: [[NumberedEvent]], clock: () -> Instant)
        -> Result<[Result<[AppendOutcome], LedgerError>], LedgerError> {
        var results: [Result<[AppendOutcome], LedgerError>] = []
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
            for events in batches {
                try connection.execute("SAVEPOINT caller")
                do {
                    let (outcomes, plan) = try appendBatch(events, now: now)
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
                    // Some I/O errors end the whole transaction in SQLite: then nothing is kept.
                    guard !connection.isAutocommit else { throw error }
                    try connection.execute("ROLLBACK TO caller")
                    try connection.execute("RELEASE caller")
                    results.append(.failure(Self.ledgerError(error)))
                }
            }
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

    static func ledgerError(_ error: any Error) -> LedgerError {
        switch error {
        case let error as LedgerError: error
        case let error as SQLiteError: .storage(error)
        case let error as InputError: .input(error)
        default: .integrity("\(error)")
        }
    }
}
