package import LedgerCalendar
package import LedgerDomain

/// What `erase` did.
package struct ErasureSummary: Sendable {
    /// The seq of the `personal_data_erased` event.
    package var seq: Int64
    /// How many events' values and salts were deleted.
    package var events: Int64
}

extension Ledger {
    /// The SQL expression that reads an event's stored secrets beside `events` (a correlated
    /// subquery, so callers' filters on `events` columns stay unambiguous). `NULL` on a file of
    /// schema 2 or older opened read-only: it has no table and only v1 events.
    var personalDataColumn: String {
        get throws {
            if hasPersonalDataTable == nil {
                hasPersonalDataTable = try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'personal_data'") == 1
            }
            return hasPersonalDataTable == true ? "(SELECT data FROM personal_data WHERE personal_data.seq = events.seq)" : "NULL"
        }
    }

    static func secrets(_ statement: Statement, column: Int32) throws -> [String: PersonalSecret] {
        guard !statement.isNull(column) else { return [:] }
        guard let secrets = PersonalData.secrets(fromStorage: statement.blob(column)) else {
            throw LedgerError.integrity("a row of personal_data is unreadable")
        }
        return secrets
    }

    /// `erase --entry E --reason …` (SPEC §7). In one transaction: records
    /// `personal_data_erased` (actor: the entry's court), deletes the values and salts of every
    /// event of the entry, and rewrites the entry's projection from the log without them. Then
    /// makes sure the bytes are gone from the files: `secure_delete` zeroes the freed cells,
    /// `VACUUM` rewrites every page (older projection rows freed before erase left the name in
    /// free space), and `wal_checkpoint(TRUNCATE)` empties the WAL, whose old frames held the
    /// values too. Throws an input error, with nothing written, when the entry may not be erased.
    package func erase(entry: String, reason: String, at: Instant?, clock: () -> Instant) throws(LedgerError) -> ErasureSummary {
        do {
            // Per connection; applies to the deletes below and to VACUUM's rewrite.
            try connection.execute("PRAGMA secure_delete = ON")
            let summary: ErasureSummary = try connection.writeTransaction {
                guard let state = try storedEntryState(entry) else {
                    throw LedgerError.input(InputError(field: "entry", "entry \"\(entry)\" does not exist"))
                }
                let history = try events(ofEntry: entry)
                // v1 events hold the values inside the hashed bytes: deleting them would break the
                // chain and every proof, so erase refuses rather than claim an erasure it cannot do.
                if let v1 = history.first(where: { $0.version == Event.encodingVersion && !PersonalData.values(of: $0.event).isEmpty }) {
                    throw LedgerError.input(InputError(field: "entry", "entry \"\(entry)\" has personal data in encoding v1 (seq \(v1.seq), recorded before SPEC §7): those values are part of the hashed log and cannot be erased without breaking the chain; nothing was erased (docs/auditing.md \"Erasure\")"))
                }
                let now = clock()
                let event = Event(entry: entry, at: at ?? now, actor: state.court, body: .personalDataErased(reason: reason))
                let outcome: AppendOutcome
                do {
                    outcome = try appendBatch([NumberedEvent(line: 0, event: event)], now: now, allowsErasure: true).0[0]
                } catch LedgerError.input(var error) {
                    error.line = nil  // one event the command made, not an input line
                    throw LedgerError.input(error)
                }
                guard case .appended(let seq) = outcome else {
                    throw LedgerError.input(InputError(field: "entry", "entry \"\(entry)\" already had its personal data erased"))
                }
                let count = try connection.scalarInt("SELECT count(*) FROM personal_data WHERE seq IN (SELECT seq FROM events WHERE entry = ?)", [.text(entry)]) ?? 0
                try connection.run("DELETE FROM personal_data WHERE seq IN (SELECT seq FROM events WHERE entry = ?)", [.text(entry)])
                // The projection named the debtor; derive it again from the log, which now reads
                // each value as its commitment.
                if let folded = Annulment.fold(try events(ofEntry: entry)) { try writeEntryStates([folded]) }
                return ErasureSummary(seq: seq, events: count)
            }
            // Cached histories still hold the values.
            eventCache = EntryEventCache()
            try scrubFiles()
            return summary
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw .storage(error)
        } catch {
            throw .integrity("\(error)")
        }
    }

    /// Why the files still hold erased bytes: another connection kept WAL frames alive. The
    /// caller says how to finish (the command line: `erase --scrub`), so it can tell this
    /// failure from others by equality with this text.
    package static let scrubBlocked = "the erasure is recorded, but another process holds the ledger open, so the WAL still holds old pages; stop it (e.g. the server) and scrub the files again to finish"

    /// Rewrites the database so that no deleted byte survives in it, its WAL or its -shm.
    func scrubFiles() throws {
        try connection.execute("VACUUM")
        let statement = try connection.statement("PRAGMA wal_checkpoint(TRUNCATE)")
        defer { statement.reset() }
        guard try statement.step() else { return }
        // (busy, log frames, checkpointed frames): busy means another connection's read kept
        // frames alive; the values would stay in the WAL until it ends.
        if statement.int(0) != 0 {
            throw LedgerError.integrity(Self.scrubBlocked)
        }
    }

    /// `erase --scrub`: finishes the file cleanup of an erasure another process blocked.
    package func scrub() throws(LedgerError) {
        do {
            try connection.execute("PRAGMA secure_delete = ON")
            try scrubFiles()
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw .storage(error)
        } catch {
            throw .integrity("\(error)")
        }
    }
}

/// An entry whose personal data is past the profile's retention (a duty of the court).
package struct ErasureDue: Sendable, Equatable {
    package var entry: String
    package var court: String
    /// The last day of retention: erasure is due after it.
    package var retainedUntil: BeijingDay

    /// The exited `states` whose personal data is still held more than `days` calendar days
    /// after the Beijing day of their exit (either engine's entry states).
    package static func among(_ states: [EntryState], asOf: Instant, daysAfterExit days: Int) -> [ErasureDue] {
        states.compactMap { of($0, asOf: asOf, daysAfterExit: days) }
    }

    /// `among` for one state, so that a streamed read (`forEachEntryState`) keeps only the
    /// erasures due, not every state (issue 8: `alerts` in constant memory).
    package static func of(_ state: EntryState, asOf: Instant, daysAfterExit days: Int) -> ErasureDue? {
        guard state.exited, !state.personalDataErased, let exited = state.marks["exited"] else { return nil }
        let until = Instant(epochMilliseconds: exited, offsetMinutes: Instant.beijingOffsetMinutes).beijingDay.adding(days: days)
        return asOf.beijingDay > until ? ErasureDue(entry: state.entry, court: state.court, retainedUntil: until) : nil
    }
}

extension Ledger {
    /// Entries exited more than `personal_data_retention.days_after_exit` days before `asOf`
    /// and not yet erased. Empty when the profile sets no period (no source names one).
    package func erasuresDue(asOf: Instant) throws -> [ErasureDue] {
        guard let days = try profile().personalDataRetention?.daysAfterExit else { return [] }
        return try erasuresDue(asOf: asOf, daysAfterExit: days)
    }

    /// Exited entries whose personal data is still held more than `days` calendar days after
    /// the Beijing day of their exit.
    package func erasuresDue(asOf: Instant, daysAfterExit days: Int) throws -> [ErasureDue] {
        var due: [ErasureDue] = []
        try forEachEntryState { state in ErasureDue.of(state, asOf: asOf, daysAfterExit: days).map { due.append($0) } }
        return due
    }
}
