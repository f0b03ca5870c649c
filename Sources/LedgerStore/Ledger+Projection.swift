package import LedgerDomain

extension Ledger {
    /// The projected state of `entry`, or nil when the ledger has no such entry.
    package func storedEntryState(_ entry: String) throws -> EntryState? {
        let statement = try connection.statement("SELECT state FROM entries WHERE entry = ?")
        try statement.bind([.text(entry)])
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        guard let state = EntryState(storage: statement.blob(0)) else {
            throw LedgerError.integrity("the projection of entry \"\(entry)\" is unreadable; run `listledger rebuild`")
        }
        return state
    }

    func writeEntryStates(_ states: some Sequence<EntryState>) throws {
        let upsert = try connection.statement("""
            INSERT INTO entries(entry, status, court, public, last_seq, state) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(entry) DO UPDATE SET status = excluded.status, court = excluded.court,
                public = excluded.public, last_seq = excluded.last_seq, state = excluded.state
            """)
        for state in states {
            let json = String(decoding: state.storageJSON, as: UTF8.self)
            upsert.reset()
            try upsert.bind([.text(state.entry), .text(state.status.rawValue), .text(state.court),
                             state.isPublic.map { .int($0 ? 1 : 0) } ?? .null, .int(state.lastSeq), .text(json)])
            _ = try upsert.step()
        }
    }

    /// Every projected entry, in entry order: `forEachEntryState`, collected.
    package func allEntryStates() throws -> [EntryState] {
        var states: [EntryState] = []
        try forEachEntryState { states.append($0) }
        return states
    }

    /// Calls `body` with each projected entry in entry order (bytes), stepping one statement
    /// (constant memory; run it in a read transaction for one snapshot).
    package func forEachEntryState(_ body: (EntryState) throws -> Void) throws {
        let statement = try connection.statement("SELECT state FROM entries ORDER BY entry")
        defer { statement.reset() }
        while try statement.step() {
            guard let state = EntryState(storage: statement.blob(0)) else {
                throw LedgerError.integrity("a projected entry is unreadable; run `listledger rebuild`")
            }
            try body(state)
        }
    }
}
