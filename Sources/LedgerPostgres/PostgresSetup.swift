/// `listledger pg setup`: least-privilege roles over the schema (issue 13 point 6).
///
/// - the owner (whoever runs setup and `init --court`) creates tables and logs;
/// - the server role may INSERT into the log tables but never UPDATE or DELETE them (and the
///   triggers refuse those for everyone, the owner included); it may change what is not the
///   log: the head row it sequences under, the inbox, the answers, the projection; it reads
///   the credentials and appends the access log and event attribution (never UPDATE/DELETE);
///   for the pages it opens and ends sign-in sessions and adds missing party names;
/// - the reader role (replicas, auditors' tooling) may only SELECT, and never the signing keys,
///   the personal values or the webhook secrets.
package enum PostgresSetup {
    package static let logTables = ["events", "tiles", "checkpoints"]

    package static func statements(database: String, serverRole: String, readerRole: String) -> [String] {
        func createRole(_ role: String) -> String {
            """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(role)') THEN CREATE ROLE \(role) LOGIN; END IF;
            END $$
            """
        }
        let server: [String] = [
            createRole(serverRole),
            "GRANT CONNECT ON DATABASE \(database) TO \(serverRole)",
            "GRANT USAGE ON SCHEMA public TO \(serverRole)",
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(serverRole)",
            "GRANT SELECT, INSERT ON events, tiles, checkpoints, personal_data TO \(serverRole)",
            // The partial right edge of each tile level: rewritten every round, grow-only by trigger.
            "GRANT SELECT, INSERT, UPDATE, DELETE ON tile_edges TO \(serverRole)",
            "GRANT SELECT ON logs, signing_keys TO \(serverRole)",
            // The loaded calendar (schema 4): read for every due day, loaded by the owner only.
            "GRANT SELECT ON calendars TO \(serverRole)",
            "GRANT SELECT, UPDATE ON heads TO \(serverRole)",
            "GRANT SELECT, INSERT, DELETE ON inbox TO \(serverRole)",
            // A flag undone by an annulment is removed; flags are not the log.
            "GRANT SELECT, INSERT, UPDATE, DELETE ON flags TO \(serverRole)",
            "GRANT SELECT, INSERT, DELETE ON results TO \(serverRole)",
            "GRANT SELECT, INSERT, UPDATE ON entry_states, complaints TO \(serverRole)",
            "GRANT USAGE ON SEQUENCE inbox_ticket_seq TO \(serverRole)",
            // `serve`: it checks credentials (issued by the owner with `tokens`/`users`), and
            // appends the access log and each event's attribution, never changing either.
            "GRANT SELECT ON credential_tokens, credential_users TO \(serverRole)",
            "GRANT SELECT, INSERT ON access_log, event_credentials TO \(serverRole)",
            "GRANT USAGE ON SEQUENCE access_log_n_seq TO \(serverRole)",
            // The pages: it opens sessions and ends them (the end time only), and adds the seed
            // names it does not find; a name the operator changed is never overwritten by it.
            "GRANT SELECT, INSERT ON web_sessions, party_names TO \(serverRole)",
            "GRANT UPDATE (ended_ms) ON web_sessions TO \(serverRole)",
            // The obligations projector (derived data, not the log) runs as the server too.
            "GRANT SELECT, INSERT, UPDATE, DELETE ON obligations, obligation_positions TO \(serverRole)",
            // The alert runner (`alerts --webhook`, receivers): it signs with a receiver's
            // secret and records what was delivered; receivers are managed by the owner.
            "GRANT SELECT ON webhook_receivers TO \(serverRole)",
            "GRANT SELECT, INSERT ON webhook_deliveries TO \(serverRole)",
        ]
        let reader: [String] = [
            createRole(readerRole),
            "GRANT CONNECT ON DATABASE \(database) TO \(readerRole)",
            "GRANT USAGE ON SCHEMA public TO \(readerRole)",
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(readerRole)",
            "GRANT SELECT ON logs, heads, events, tiles, tile_edges, checkpoints, entry_states, complaints, flags, obligations, obligation_positions, calendars TO \(readerRole)",
        ]
        return server + reader
    }

    /// Makes the schema current and grants the roles. Role names: a-z, 0-9, _ only.
    package static func run(url: PostgresURL, serverRole: String, readerRole: String) async throws {
        for role in [serverRole, readerRole] {
            guard !role.isEmpty, role.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) else {
                throw PostgresLedgerError.input("role name \"\(role)\": use a-z, 0-9 and _")
            }
        }
        try await PostgresLedger.withLedger(url: url) { _ in }
        try await PostgresAdmin.execute(statements(database: url.database, serverRole: serverRole, readerRole: readerRole), on: url)
    }
}
