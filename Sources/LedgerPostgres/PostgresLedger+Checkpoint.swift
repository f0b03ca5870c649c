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
        guard let row = rows.first else { throw PostgresLedgerError.integrity("the log of \(log.court) has no signing key") }
        return try NoteSigner(parsing: try row.decode(String.self))
    }

    /// The verifier key auditors of `log` hold (NAME+KEYHASH+BASE64).
    package func verifierKey(of log: Log) async throws -> NoteVerifierKey { try await signer(of: log).verifierKey }

    /// Re-verifies the log, then signs its current size and root (or returns the last note when
    /// the log has not grown). Refuses to sign a log that does not verify.
    package func checkpoint(log: Log) async throws -> SignedCheckpoint {
        let report = try await verify(log: log)
        guard report.ok else {
            throw PostgresLedgerError.integrity("the log of \(log.court) does not verify (seq \(report.firstBadSeq ?? 0): \(report.reason ?? "")); nothing signed")
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
