package import LedgerDomain

extension Ledger {
    private func ensureReceiversTable() throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS webhook_receivers(
                id TEXT PRIMARY KEY, party TEXT NOT NULL, url TEXT NOT NULL, secret BLOB NOT NULL,
                created_ms INTEGER NOT NULL) STRICT
            """)
    }

    package func addReceiver(_ receiver: WebhookReceiver) throws {
        try ensureReceiversTable()
        try connection.run("INSERT INTO webhook_receivers(id, party, url, secret, created_ms) VALUES (?, ?, ?, ?, ?)",
                           [.text(receiver.id), .text(receiver.party), .text(receiver.url), .blob(receiver.secret), .int(receiver.createdMilliseconds)])
    }

    /// The receivers, oldest first; none on a ledger that never had one (also read-only).
    package func receivers() throws -> [WebhookReceiver] {
        guard try connection.scalarText("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'webhook_receivers'") != nil else { return [] }
        let statement = try connection.statement("SELECT id, party, url, secret, created_ms FROM webhook_receivers ORDER BY created_ms, id")
        defer { statement.reset() }
        var found: [WebhookReceiver] = []
        while try statement.step() {
            found.append(WebhookReceiver(id: statement.text(0) ?? "", party: statement.text(1) ?? "", url: statement.text(2) ?? "",
                                         secret: statement.blob(3), createdMilliseconds: statement.int(4)))
        }
        return found
    }

    /// Removes a receiver; false when there is none with this id.
    package func removeReceiver(id: String) throws -> Bool {
        try ensureReceiversTable()
        try connection.run("DELETE FROM webhook_receivers WHERE id = ?", [.text(id)])
        return connection.changes == 1
    }
}
