package import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// `history`, `prove` and the proofs `export` writes, on PostgreSQL: the same LedgerMerkle
/// proofs as the SQLite store's, from one log's tiles. A proof's stored hashes are
/// listed first (`Merkle.*Indexes`), read in one query, then folded by LedgerMerkle.
extension PostgresLedger {
    /// Every event naming `entry` (compared as bytes), in seq order.
    package func events(of log: Log, entry: String) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try await forEachEvent(of: log, entry: entry) { events.append($0) }
        return events
    }

    /// Whether any event of `log` names `entry`.
    package func hasEntry(_ entry: String, in log: Log) async throws -> Bool {
        let rows = try await client.query("SELECT 1 FROM events WHERE log_id = \(log.id) AND entry = \(entry) LIMIT 1", logger: logger).collect()
        return !rows.isEmpty
    }

    /// The newest signed checkpoint of `log` (the largest size), or nil before the first.
    package func latestCheckpoint(of log: Log) async throws -> SignedCheckpoint? {
        try await checkpoint(of: log, where: "TRUE")
    }

    /// The stored checkpoint of exactly `size` events, when one was signed.
    package func storedCheckpoint(of log: Log, size: Int64) async throws -> SignedCheckpoint? {
        try await checkpoint(of: log, where: "size = \(size)")
    }

    private func checkpoint(of log: Log, where condition: String) async throws -> SignedCheckpoint? {
        var binds = PostgresBindings()
        binds.append(log.id)
        let rows = try await client.query(PostgresQuery(
            unsafeSQL: "SELECT size, root, note FROM checkpoints WHERE log_id = $1 AND \(condition) ORDER BY size DESC, made_at DESC LIMIT 1",
            binds: binds), logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (size, root, note) = try row.decode((Int64, ByteBuffer, String).self)
        return SignedCheckpoint(size: size, root: root.bytes, note: note, created: false)
    }

    /// The canonical bytes of event `seq` and its audit path into `checkpoint`, checked before
    /// they are handed out, as the SQLite store's `checkedInclusionProof`: the stored tree must
    /// still have the root the checkpoint signed, and the path must lead from the event to it.
    package func checkedInclusionProof(of log: Log, seq: Int64, checkpoint: SignedCheckpoint) async throws -> (canonical: [UInt8], proof: [[UInt8]]) {
        if let refusal = Merkle.refusalOfCheckpoint(size: checkpoint.size, signedRoot: checkpoint.root, storedRoot: try await treeHash(of: log, size: checkpoint.size)) {
            throw PostgresLedgerError.integrity(refusal)
        }
        let rows = try await client.query("SELECT canonical FROM events WHERE log_id = \(log.id) AND seq = \(seq)", logger: logger).collect()
        guard let row = rows.first else { throw PostgresLedgerError.integrity("seq \(seq) is missing from \(log.title)") }
        let canonical = try row.decode(ByteBuffer.self).bytes
        let index = seq - 1
        let proof = try Merkle.inclusionProof(leaf: index, size: checkpoint.size,
                                              reader: try await storedHashes(of: log, Merkle.inclusionProofIndexes(leaf: index, size: checkpoint.size)))
        if let refusal = Merkle.refusalOfInclusion(seq: seq, canonical: canonical, proof: proof, size: checkpoint.size, root: checkpoint.root) {
            throw PostgresLedgerError.integrity(refusal)
        }
        return (canonical, proof)
    }

    /// The RFC 6962 consistency proof that the tree of `newSize` extends the tree of `oldSize`.
    package func consistencyProof(of log: Log, oldSize: Int64, newSize: Int64) async throws -> [[UInt8]] {
        let size = try await head(of: log).size
        guard oldSize >= 1, oldSize <= newSize, newSize <= size else {
            throw PostgresLedgerError.input("a consistency proof needs 1 ≤ --from ≤ --to ≤ \(size) (the log's size); got \(oldSize) → \(newSize)")
        }
        return try Merkle.consistencyProof(oldSize: oldSize, newSize: newSize,
                                           reader: try await storedHashes(of: log, Merkle.consistencyProofIndexes(oldSize: oldSize, newSize: newSize)))
    }
}

/// Tree hashes read ahead from the tiles (`storedHashes(of:_:)`).
struct StoredHashes: HashReader {
    let known: [Int64: [UInt8]]
    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        try indexes.map { index in
            guard let hash = known[index] else { throw PostgresLedgerError.integrity("tree hash \(index) is missing from the stored tree") }
            return hash
        }
    }
}
