import LedgerDomain

extension Ledger {
    /// When each entry last changed (the latest `at` of its events, epoch ms): the pages' list
    /// sorts and filters on it without reading every entry's history.
    package func lastChangeMilliseconds() throws -> [String: Int64] {
        let statement = try connection.statement("SELECT entry, max(at_ms) FROM events WHERE entry IS NOT NULL GROUP BY entry")
        defer { statement.reset() }
        var found: [String: Int64] = [:]
        while try statement.step() { found[statement.text(0) ?? ""] = statement.int(1) }
        return found
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
