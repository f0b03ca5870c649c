import LedgerDomain
package import LedgerMerkle
import NIOCore
import PostgresNIO

/// The national log of logs (issue 13 point 5, docs/postgresql.md): its leaves are the courts'
/// signed checkpoints, so one signed national checkpoint commits to every court's head, and an
/// auditor proves a court's head from it with the court's leaf and an RFC 6962 inclusion proof.
/// Witnesses (C2SP tlog-witness) cosign the one national note instead of thousands.
extension PostgresLedger {
    package static var nationalOrigin: String { NationalLeaf.origin }

    /// One leaf: a court's signed checkpoint as the national log recorded it.
    package struct StoredNationalLeaf: Sendable, Equatable {
        package let index: Int64
        package let court: String
        package let size: Int64
        package let root: [UInt8]
        package let note: String

        package var canonical: [UInt8] { NationalLeaf.canonical(court: court, size: size, root: root, note: note) }
    }

    /// What one round of `national publish` did.
    package struct NationalRound: Sendable, Equatable {
        /// Courts whose head moved since their last leaf (one leaf each, this round).
        package let appended: [String]
        package let size: Int64
        package let root: [UInt8]
        package let note: String
    }

    /// A court's latest leaf in the national tree of the latest national checkpoint, with its
    /// inclusion proof.
    package struct NationalProof: Sendable, Equatable {
        package let leaf: StoredNationalLeaf
        package let treeSize: Int64
        package let proof: [[UInt8]]
        package let checkpoint: String
    }

    static let nationalSchema = [
        """
        CREATE TABLE IF NOT EXISTS national_leaves (
            idx bigint PRIMARY KEY,
            log_id integer NOT NULL REFERENCES logs,
            court text NOT NULL,
            size bigint NOT NULL,
            root bytea NOT NULL,
            note text NOT NULL,
            leaf_hash bytea NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX IF NOT EXISTS national_leaves_by_log ON national_leaves(log_id, idx)",
        """
        CREATE TABLE IF NOT EXISTS national_checkpoints (
            size bigint PRIMARY KEY,
            root bytea NOT NULL,
            note text NOT NULL,
            made_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        // One row: the national signing key. Publishers lock it, so rounds never interleave.
        "CREATE TABLE IF NOT EXISTS national_key (id integer PRIMARY KEY CHECK (id = 1), secret text NOT NULL)",
    ] + ["national_leaves", "national_checkpoints"].flatMap { table in
        [
            "DROP TRIGGER IF EXISTS \(table)_append_only ON \(table)",
            "CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION listledger_refuse_change()",
            "DROP TRIGGER IF EXISTS \(table)_no_truncate ON \(table)",
            "CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION listledger_refuse_change()",
        ]
    }

    /// Creates the national tables and key when missing (under the schema's advisory lock).
    func ensureNationalLog() async throws {
        try await createOnce(probe: "public.national_key", Self.nationalSchema) { [logger] connection in
            let signer = try NoteSigner.generate(name: Self.nationalOrigin)
            try await connection.query("INSERT INTO national_key(id, secret) VALUES (1, \(signer.encodedSignerKey))", logger: logger)
        }
    }

    /// The key auditors and witnesses verify national checkpoints with.
    package func nationalVerifierKey() async throws -> NoteVerifierKey {
        try await ensureNationalLog()
        let rows = try await client.query("SELECT secret FROM national_key WHERE id = 1", logger: logger).collect()
        return try NoteSigner(parsing: try rows[0].decode(String.self)).verifierKey
    }

    /// One round: checkpoints every court's log (verifying it first), appends a leaf for each
    /// court whose head moved since its last leaf — after checking that the new head extends
    /// the old one (the old root is the root of the log's first old-size events) — and signs
    /// the national tree. A court whose log does not verify, or whose head shrank or forked,
    /// stops the round: nothing of it is written.
    package func publishNational() async throws -> NationalRound {
        try await ensureNationalLog()
        var heads: [(log: Log, checkpoint: SignedCheckpoint)] = []
        for log in try await logs() {
            let checkpoint = try await checkpoint(log: log)
            if checkpoint.size > 0 { heads.append((log, checkpoint)) }
        }
        return try await client.withTransaction(logger: logger) { connection in
            let key = try await connection.query("SELECT secret FROM national_key WHERE id = 1 FOR UPDATE", logger: logger).collect()
            let signer = try NoteSigner(parsing: try key[0].decode(String.self))
            var leafHashes: [[UInt8]] = []
            for try await hash in try await connection.query("SELECT leaf_hash FROM national_leaves ORDER BY idx", logger: logger).decode(ByteBuffer.self) {
                leafHashes.append(hash.bytes)
            }
            var appended: [String] = []
            for (log, checkpoint) in heads {
                let last = try await connection.query(
                    "SELECT size, root FROM national_leaves WHERE log_id = \(log.id) ORDER BY idx DESC LIMIT 1", logger: logger).collect().first
                if let last {
                    let (size, root) = try last.decode((Int64, ByteBuffer).self)
                    if size == checkpoint.size {
                        guard root.bytes == checkpoint.root else {
                            throw PostgresLedgerError.integrity("\(log.court): its head at size \(size) has another root than the national log recorded; nothing published")
                        }
                        continue
                    }
                    guard size < checkpoint.size else {
                        throw PostgresLedgerError.integrity("\(log.court): its log holds \(checkpoint.size) events, fewer than the \(size) the national log recorded; nothing published")
                    }
                    // Checked here, under the key's lock, against the leaf this round appends
                    // after: the court's stored tree at the old size must give the old root.
                    guard try await treeHash(of: log, size: size) == root.bytes else {
                        throw PostgresLedgerError.integrity("\(log.court): its first \(size) events no longer give the root the national log recorded (a fork); nothing published")
                    }
                }
                let canonical = NationalLeaf.canonical(court: log.court, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note)
                let leafHash = Merkle.leafHash(canonical: canonical)
                let index = Int64(leafHashes.count)
                try await connection.query("""
                    INSERT INTO national_leaves(idx, log_id, court, size, root, note, leaf_hash)
                    VALUES (\(index), \(log.id), \(log.court), \(checkpoint.size), \(ByteBuffer(bytes: checkpoint.root)), \(checkpoint.note), \(ByteBuffer(bytes: leafHash)))
                    """, logger: logger)
                leafHashes.append(leafHash)
                appended.append(log.court)
            }
            let size = Int64(leafHashes.count)
            let root = try Merkle.treeHash(size: size, reader: try MemoryHashStore(leafHashes: leafHashes))
            let existing = try await connection.query("SELECT note FROM national_checkpoints WHERE size = \(size)", logger: logger).collect().first
            if let existing { return NationalRound(appended: [], size: size, root: root, note: try existing.decode(String.self)) }
            let note = try Checkpoint(origin: Self.nationalOrigin, size: size, rootHash: root).signed(by: [signer])
            try await connection.query("INSERT INTO national_checkpoints(size, root, note) VALUES (\(size), \(ByteBuffer(bytes: root)), \(note))", logger: logger)
            return NationalRound(appended: appended, size: size, root: root, note: note)
        }
    }

    /// The court's latest leaf under the latest national checkpoint, and its inclusion proof.
    package func nationalProof(court: String) async throws -> NationalProof {
        try await ensureNationalLog()
        let log = try await log(court: court)
        return try await client.withTransaction(logger: logger) { connection in
            guard let latest = try await connection.query(
                "SELECT size, note FROM national_checkpoints ORDER BY size DESC LIMIT 1", logger: logger).collect().first else {
                throw PostgresLedgerError.noLog("no national checkpoint yet: `listledger national publish` signs one")
            }
            let (treeSize, checkpoint) = try latest.decode((Int64, String).self)
            guard let row = try await connection.query("""
                SELECT idx, size, root, note FROM national_leaves WHERE log_id = \(log.id) AND idx < \(treeSize) ORDER BY idx DESC LIMIT 1
                """, logger: logger).collect().first else {
                throw PostgresLedgerError.noLog("\(court) has no leaf in the national log yet (its log was empty at the last round)")
            }
            let (index, size, root, note) = try row.decode((Int64, Int64, ByteBuffer, String).self)
            var leafHashes: [[UInt8]] = []
            for try await hash in try await connection.query(
                "SELECT leaf_hash FROM national_leaves WHERE idx < \(treeSize) ORDER BY idx", logger: logger).decode(ByteBuffer.self) {
                leafHashes.append(hash.bytes)
            }
            let proof = try Merkle.inclusionProof(leaf: index, size: treeSize, reader: try MemoryHashStore(leafHashes: leafHashes))
            return NationalProof(leaf: StoredNationalLeaf(index: index, court: log.court, size: size, root: root.bytes, note: note),
                                 treeSize: treeSize, proof: proof, checkpoint: checkpoint)
        }
    }
}
