package import LedgerDomain

extension Ledger {
    /// Webhook deliveries are operational state, not facts: kept beside the log (never in it,
    /// and not touched by `rebuild`), so a breach is POSTed to each address until one succeeds.
    private func ensureDeliveriesTable() throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS webhook_deliveries(
                obligation TEXT NOT NULL, address TEXT NOT NULL, delivered_ms INTEGER NOT NULL,
                PRIMARY KEY (obligation, address)) STRICT
            """)
    }

    /// Which of `obligations` have not yet been delivered to `address`.
    package func undelivered(_ obligations: [Obligation], to address: String) throws -> [Obligation] {
        try ensureDeliveriesTable()
        let statement = try connection.statement("SELECT 1 FROM webhook_deliveries WHERE obligation = ? AND address = ?")
        return try obligations.filter { obligation in
            statement.reset()
            try statement.bind([.text(obligation.id), .text(address)])
            return try !statement.step()
        }
    }

    package func markDelivered(_ obligation: Obligation, to address: String, at instant: Instant) throws {
        try ensureDeliveriesTable()
        try connection.run("INSERT OR IGNORE INTO webhook_deliveries(obligation, address, delivered_ms) VALUES (?, ?, ?)",
                           [.text(obligation.id), .text(address), .int(instant.epochMilliseconds)])
    }
}
