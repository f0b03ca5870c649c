import LedgerDomain

/// The obligations table is derived by a projector, not by the append (issue 8 point 4): it
/// reads the events after its stored position (`projector_positions`), derives the obligations
/// of the entries they touch with the same `ObligationEngine`, and writes the rows AND its new
/// position in ONE transaction. Every read of obligations goes through `withCurrentObligations`,
/// which decides how the read sees a table no older than the head (see there).
extension Ledger {
    static let obligationsProjector = "obligations"
    /// Events per projector transaction: a crash loses at most one step of work, never a row.
    static let projectorStep: Int64 = 1_000

    /// What the obligations table lacks at this snapshot: the entries touched after the
    /// projector's position, with their obligations derived in memory.
    struct ObligationsTail {
        var entries: Set<EntryKey>
        /// Decoded from the rows the projector would write (`row` then `obligation(row:)`), so
        /// they equal what the table will hold.
        var obligations: [Obligation]
    }

    /// The projector's position; nil on a ledger without the table (schema 4 opened read-only:
    /// its release derived obligations in every append, so its table is current).
    func obligationsPosition() throws -> Int64? {
        guard try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'projector_positions'") == 1 else {
            return nil
        }
        return try connection.scalarInt("SELECT position FROM projector_positions WHERE name = ?", [.text(Self.obligationsProjector)])
    }

    /// Sets the position (in the caller's write transaction: with the rows it belongs to).
    func setObligationsPosition(_ position: Int64) throws {
        try connection.run("""
            INSERT INTO projector_positions(name, position) VALUES (?, ?)
            ON CONFLICT(name) DO UPDATE SET position = excluded.position
            """, [.text(Self.obligationsProjector), .int(position)])
    }

    /// How far the obligations table lags the log: (position, head size); nil when current.
    package func obligationsLag() throws -> (position: Int64, head: Int64)? {
        try connection.readTransaction {
            guard let position = try obligationsPosition() else { return nil }
            let size = try head().size
            return position < size ? (position, size) : nil
        }
    }

    /// The entries whose obligations the events in (`after`, `through`] can change (the event
    /// types the planner marks with `changesObligations`, as the append used to refresh).
    func entriesChangingObligations(after position: Int64, through end: Int64) throws -> Set<EntryKey> {
        let statement = try connection.statement("SELECT DISTINCT entry, type FROM events WHERE seq > ? AND seq <= ? AND entry IS NOT NULL")
        defer { statement.reset() }
        try statement.bind([.int(position), .int(end)])
        var entries: Set<EntryKey> = []
        while try statement.step() {
            if let type = EventType(rawValue: statement.text(1) ?? ""), !AppendPlanner<StoreKnowledge>.changesObligations(type) { continue }
            entries.insert(EntryKey(statement.text(0) ?? ""))
        }
        return entries
    }

    /// One projector step derived on a read snapshot: the rows of `entries` that make the
    /// table current from position `from` to `to`, within a pass that runs to `through`.
    /// `Sendable` because `SharedLedger` derives it on the projector's connection and writes
    /// it on the writer's.
    package struct ObligationsStep: Sendable {
        let from: Int64
        let to: Int64
        let through: Int64
        let entries: Set<EntryKey>
        let rows: [(EntryKey, [[SQLValue]])]
    }

    /// The current pass of a catch-up: the head it runs to, the position its last step wrote,
    /// and the entries it has derived. See `catchUpObligations(writing:)`.
    struct ObligationsPass {
        var through: Int64
        var position: Int64
        var derived: Set<EntryKey>
    }

    /// Derives the next step in one read snapshot (no write lock held while the engine
    /// works), or nil when the table is current (or the ledger has no projector table).
    /// A pass whose position someone else moved is dropped: the step starts a new one.
    func deriveObligationsStep(in pass: inout ObligationsPass?) throws -> ObligationsStep? {
        try connection.readTransaction {
            guard let position = try obligationsPosition() else { return nil }
            let size = try head().size
            guard position < size else { return nil }
            // Someone else moved the position since this pass's last step: begin again.
            if let current = pass, current.position != position || position >= current.through { pass = nil }
            let through = pass?.through ?? size
            let end = min(through, position + Self.projectorStep)
            var entries = try entriesChangingObligations(after: position, through: end)
            if let derived = pass?.derived { entries.subtract(derived) }
            return ObligationsStep(from: position, to: end, through: through, entries: entries,
                                   rows: try derivedObligationRows(entries: entries))
        }
    }

    /// Writes a derived step's rows AND its position in one short transaction on this
    /// (writable) connection, only if the stored position is still the one the step was
    /// derived from: a rebuild, a calendar load or another process's projector that moved it
    /// must not be undone. Returns false when it moved (nothing written: derive again).
    /// Commits without an fsync (the rows are derived again from the position a power loss
    /// brings back; the next durable commit syncs them with its own; see
    /// `Connection.withoutSync`).
    package func writeObligationsStep(_ step: ObligationsStep) throws -> Bool {
        try connection.withoutSync {
            try connection.writeTransaction {
                guard try obligationsPosition() == step.from else { return false }
                try storeObligationRows(step.rows)
                try setObligationsPosition(step.to)
                return true
            }
        }
    }

    /// Catches the obligations table up with the log on this connection (derives and writes
    /// each step here). Returns the number of events projected.
    @discardableResult
    package func catchUpObligations() throws -> Int64 {
        try catchUpObligations(writing: { try writeObligationsStep($0) })
    }

    /// Catches the obligations table up with the log, one step at a time: each step is derived
    /// on a read snapshot of this connection, then handed to `write`, which stores it with
    /// `writeObligationsStep` on some writable connection of the same file (this one, or the
    /// group-commit writer's, between two groups: `SharedLedger`) and says whether it was
    /// written. Returns the number of events projected.
    ///
    /// Each entry is derived once per pass, not once per step that touches it: a pass runs from
    /// the position to the head `through` seen when it began, and a step derives only the
    /// entries it touches that no earlier step of the pass derived. That is enough because every
    /// step's snapshot has a head ≥ `through`, so an entry derived in an earlier step already has
    /// its rows from every event up to `through`. The table at a step's position therefore holds,
    /// for every entry touched up to that position, rows derived from at least that position (a
    /// read overlays those touched after it, as before), and a crash leaves a position from
    /// which a new pass resumes as it always did.
    @discardableResult
    package func catchUpObligations(writing write: (ObligationsStep) throws -> Bool) throws -> Int64 {
        var projected: Int64 = 0
        var pass: ObligationsPass?
        while let step = try deriveObligationsStep(in: &pass) {
            guard try write(step) else {
                pass = nil
                continue
            }
            projected += step.to - step.from
            pass = ObligationsPass(through: step.through, position: step.to,
                                   derived: (pass?.derived ?? []).union(step.entries))
        }
        return projected
    }

    /// THE decision for every read of obligations: no read shows a state older than the appends
    /// acknowledged before it. A connection that can write (and is not inside a transaction)
    /// catches the table up first; then `body` runs in one read snapshot with the tail that
    /// snapshot's table still lacks (nil: none) — on a read-only connection, or when appends
    /// came in meanwhile, `body` overlays it on the table's rows.
    func withCurrentObligations<T>(_ body: (ObligationsTail?) throws -> T) throws -> T {
        if !connection.readOnly, connection.isAutocommit {
            do {
                try catchUpObligations()
            } catch let error as SQLiteError where error.isReadOnly {
                // A read-write open of an unwritable file: derive the tail instead.
            }
        }
        return try connection.readTransaction {
            guard let position = try obligationsPosition() else { return try body(nil) }
            let size = try head().size
            guard position < size else { return try body(nil) }
            let entries = try entriesChangingObligations(after: position, through: size)
            let obligations = try derivedObligationRows(entries: entries).flatMap { $0.1.map(Self.obligation(row:)) }
            return try body(ObligationsTail(entries: entries, obligations: obligations))
        }
    }
}
