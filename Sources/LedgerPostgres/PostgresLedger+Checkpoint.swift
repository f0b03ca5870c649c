import LedgerDomain
package import LedgerMerkle
import NIOCore
import PostgresNIO

/// `checkpoint` on PostgreSQL: each log signs its own (size, root) with its own key (SPEC §8).
extension PostgresLedger {
    package struct SignedCheckpoint: Sendable, Equatable {
        package let size: Int64
        package let root: [UInt8]
        package let note: String
        /// False when the log has not grown since the last checkpoint (that one is returned).
        package let created: Bool
    }

    package func signer(of log: Log) async throws -> NoteSigner {
        let rows = try await client.query("SELECT secret FROM signing_keys WHERE log_id = \(log.id)", logger: logger).collect()
        guard let row = rows.first else {
            throw PostgresLedgerError.input("key: the log\(log.court.isEmpty ? "" : " of \(log.court)") has no signing key yet; run `listledger keys init`")
        }
        return try NoteSigner(parsing: try row.decode(String.self))
    }

    /// `keys init` on PostgreSQL, as on SQLite (`Ledger.setIdentity`): makes a new signing key
    /// for `log`, named `name` or else the log's origin (for a log without a court: the court of
    /// its first risk notice or inclusion decision, as SQLite's `defaultOrigin`), and records it
    /// with its name as the log's origin. A log that has a key keeps it unless `replace`; a
    /// replaced key is gone as on SQLite, and the checkpoints signed with it stay as they were
    /// signed (append-only), so auditors holding the old verifier key still check them. The
    /// key stays in the database (the owner's role alone reads it): there is no key file.
    /// Returns the new signer and whether it replaced a key.
    package func makeKey(of log: Log, name: String?, replace: Bool) async throws -> (signer: NoteSigner, replaced: Bool) {
        try await transaction { connection in
            // Two `keys init` at once: the second waits for the first's key, then refuses.
            try await connection.query("SELECT 1 FROM logs WHERE log_id = \(log.id) FOR UPDATE", logger: logger)
            let keys = try await connection.query("SELECT secret FROM signing_keys WHERE log_id = \(log.id)", logger: logger).collect()
            if let row = keys.first, !replace {
                let existing = try NoteSigner(parsing: try row.decode(String.self)).verifierKey
                throw PostgresLedgerError.input("\(log.title) already has the key \(existing.description); pass --replace to make a new one")
            }
            var origin = name ?? (log.origin.isEmpty ? nil : log.origin)
            if origin == nil {
                let first = try await readEvents(connection, log: log, where: "e.type = ANY($2) ORDER BY e.seq LIMIT 1", ["risk_notice_issued", "inclusion_decided"])
                switch first.first?.event.body {
                case .riskNoticeIssued(let court, _, _), .inclusionDecided(let court, _, _, _, _, _): origin = "listledger/" + court
                default: break
                }
            }
            guard let origin else {
                throw PostgresLedgerError.input("--name: the log has no court yet to name its key after (no `init --court`, no risk notice or inclusion decision); give --name, e.g. --name listledger/court:baisha")
            }
            let signer: NoteSigner
            do { signer = try NoteSigner.generate(name: origin) } catch { throw PostgresLedgerError.input("--name: \(error)") }
            try await connection.query("""
                INSERT INTO signing_keys(log_id, secret) VALUES (\(log.id), \(signer.encodedSignerKey))
                ON CONFLICT (log_id) DO UPDATE SET secret = excluded.secret
                """, logger: logger)
            try await connection.query("UPDATE logs SET origin = \(origin) WHERE log_id = \(log.id)", logger: logger)
            return (signer, !keys.isEmpty)
        }
    }

    /// The verifier key auditors of `log` hold (NAME+KEYHASH+BASE64).
    package func verifierKey(of log: Log) async throws -> NoteVerifierKey { try await signer(of: log).verifierKey }

    /// Re-verifies the log, then signs its current size and root (or returns the last note when
    /// the log has not grown). Refuses to sign a log that does not verify.
    package func checkpoint(log: Log) async throws -> SignedCheckpoint {
        let report = try await verify(log: log)
        guard report.ok else {
            throw PostgresLedgerError.integrity("\(log.title) does not verify (seq \(report.firstBadSeq ?? 0): \(report.reason ?? "")); nothing signed")
        }
        let last = try await client.query(
            "SELECT size, root, note FROM checkpoints WHERE log_id = \(log.id) ORDER BY size DESC, made_at DESC LIMIT 1", logger: logger).collect()
        if let row = last.first {
            let (size, root, note) = try row.decode((Int64, ByteBuffer, String).self)
            if size == report.events { return SignedCheckpoint(size: size, root: root.bytes, note: note, created: false) }
        }
        let signer = try await signer(of: log)
        let note = try Checkpoint(origin: log.origin, size: report.events, rootHash: report.root).signed(by: [signer])
        try await client.query("""
            INSERT INTO checkpoints(log_id, size, root, note) VALUES (\(log.id), \(report.events), \(ByteBuffer(bytes: report.root)), \(note))
            """, logger: logger)
        return SignedCheckpoint(size: report.events, root: report.root, note: note, created: true)
    }
}
