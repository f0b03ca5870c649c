package import LedgerDomain

extension Ledger {
    /// Calls `body` with each projected entry's state and the `at` (ms) of its latest event, in
    /// entry order (bytes), one row at a time: the 名单 page's input, none held (issue 8).
    package func forEachEntryStateWithLastChange(_ body: (EntryState, Int64?) throws -> Void) throws {
        // The correlated max reads each entry's events through events_by_entry (entry, seq).
        let statement = try connection.statement("SELECT s.state, (SELECT max(e.at_ms) FROM events e WHERE e.entry = s.entry) FROM entries s ORDER BY s.entry")
        defer { statement.reset() }
        while try statement.step() {
            guard let state = EntryState(storage: statement.blob(0)) else {
                throw LedgerError.integrity("a projected entry is unreadable; run `listledger rebuild`")
            }
            try body(state, statement.isNull(1) ? nil : statement.int(1))
        }
    }

    /// The credential that recorded each of these seqs through the server (absent: the command line).
    package func credentials(ofSeqs seqs: [Int64]) throws -> [Int64: String] {
        var found: [Int64: String] = [:]
        for seq in seqs { if let credential = try credential(ofSeq: seq) { found[seq] = credential } }
        return found
    }

    /// The entries with an event among the first `size`: what a whole-log bundle of that tree
    /// holds, so the 审计 download logs a read of each (SPEC §6 access log).
    package func entries(throughSeq size: Int64) throws -> [String] {
        let statement = try connection.statement("SELECT DISTINCT entry FROM events WHERE entry IS NOT NULL AND seq <= ? ORDER BY entry")
        defer { statement.reset() }
        try statement.bind([.int(size)])
        var found: [String] = []
        while try statement.step() { if let entry = statement.text(0) { found.append(entry) } }
        return found
    }
}
