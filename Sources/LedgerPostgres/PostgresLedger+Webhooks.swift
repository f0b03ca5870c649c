package import LedgerDomain
import NIOCore
import PostgresNIO

/// `webhooks add|list|remove` and the alert runner's deliveries on PostgreSQL, per log: the
/// SQLite ledger's `webhook_receivers` and `webhook_deliveries`, with a `log_id`.
extension PostgresLedger {
    package func addReceiver(_ receiver: WebhookReceiver, to log: Log) async throws {
        try await client.query("""
            INSERT INTO webhook_receivers(log_id, id, party, url, secret, created_ms)
            VALUES (\(log.id), \(receiver.id), \(receiver.party), \(receiver.url), \(ByteBuffer(bytes: receiver.secret)), \(receiver.createdMilliseconds))
            """, logger: logger)
    }

    /// The receivers of `log`, oldest first.
    package func receivers(of log: Log) async throws -> [WebhookReceiver] {
        let rows = try await client.query(
            "SELECT id, party, url, secret, created_ms FROM webhook_receivers WHERE log_id = \(log.id) ORDER BY created_ms, id", logger: logger)
        var found: [WebhookReceiver] = []
        for try await (id, party, url, secret, created) in rows.decode((String, String, String, ByteBuffer, Int64).self) {
            found.append(WebhookReceiver(id: id, party: party, url: url, secret: secret.bytes, createdMilliseconds: created))
        }
        return found
    }

    /// Removes a receiver of `log`; false when there is none with this id.
    package func removeReceiver(id: String, of log: Log) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM webhook_receivers WHERE log_id = \(log.id) AND id = \(id) RETURNING id", logger: logger).collect()
        return !rows.isEmpty
    }

    /// Which of `obligations` (ids) have been delivered to `address`.
    package func delivered(_ obligations: [String], to address: String, in log: Log) async throws -> Set<String> {
        guard !obligations.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT obligation FROM webhook_deliveries WHERE log_id = \(log.id) AND address = \(address) AND obligation = ANY(\(obligations))
            """, logger: logger)
        var found: Set<String> = []
        for try await obligation in rows.decode(String.self) { found.insert(obligation) }
        return found
    }

    package func markDelivered(_ obligation: String, to address: String, at milliseconds: Int64, in log: Log) async throws {
        try await client.query("""
            INSERT INTO webhook_deliveries(log_id, obligation, address, delivered_ms) VALUES (\(log.id), \(obligation), \(address), \(milliseconds))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }
}
