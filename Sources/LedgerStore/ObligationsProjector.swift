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

    /// Catches the obligations table up with the log, one step per transaction. Each step
    /// derives on a read snapshot (no write lock held while the engine works: the writer keeps
    /// committing), then, under the write lock, writes the rows and the position only if the
    /// position is still the one it derived from (another projector, a rebuild or a calendar
    /// load moved it: derive again). Returns the number of events projected.
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
    package func catchUpObligations() throws -> Int64 {
        var projected: Int64 = 0
        // The current pass: the head it runs to, the position its last step wrote, and the
        // entries it has derived. nil: start a new pass at the next step.
        var pass: (through: Int64, position: Int64, derived: Set<EntryKey>)?
        while true {
            typealias Step = (from: Int64, to: Int64, through: Int64, entries: Set<EntryKey>, rows: [(EntryKey, [[SQLValue]])])
            let step: Step? = try connection.readTransaction {
                guard let position = try obligationsPosition() else { return nil }
                let size = try head().size
                guard position < size else { return nil }
                // Someone else moved the position since this pass's last step: begin again.
                if let current = pass, current.position != position || position >= current.through { pass = nil }
                let through = pass?.through ?? size
                let end = min(through, position + Self.projectorStep)
                var entries = try entriesChangingObligations(after: position, through: end)
                if let derived = pass?.derived { entries.subtract(derived) }
                return (position, end, through, entries, try derivedObligationRows(entries: entries))
            }
            guard let step else { return projected }
            var wrote = false
            try connection.writeTransaction {
                guard try obligationsPosition() == step.from else { return }
                try storeObligationRows(step.rows)
                try setObligationsPosition(step.to)
                wrote = true
            }
            guard wrote else {
                pass = nil
                continue
            }
            projected += step.to - step.from
            var derived = pass?.derived ?? []
            derived.formUnion(step.entries)
            pass = (step.through, step.to, derived)
        }
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
