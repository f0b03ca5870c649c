package import LedgerMerkle
import NIOCore
import PostgresNIO

/// Consistency proofs between national checkpoints, and the witnesses' cosignatures of them
/// (issue 13 point 5; C2SP tlog-witness and tlog-cosignature). The national log proves to an
/// auditor or a witness that a newer national checkpoint extends an older one; a witness that
/// checked this adds a cosignature/v1 line; the log stores the lines it collects and serves the
/// checkpoint with them, so a reader can require a quorum of witnesses before trusting it.
extension PostgresLedger {
    package struct NationalConsistency: Sendable, Equatable {
        package let oldSize: Int64
        package let newSize: Int64
        package let proof: [[UInt8]]
        /// The signed national checkpoints of both sizes (no old note for size 0, or when no
        /// national round stopped at that size).
        package let oldNote: String?
        package let newNote: String
    }

    /// Collected cosignatures, append-only as the national tables are; a later table than the
    /// national log's first ones, so it has its own probe.
    static let cosignatureSchema = [
        """
        CREATE TABLE IF NOT EXISTS national_cosignatures (
            size bigint NOT NULL REFERENCES national_checkpoints,
            witness text NOT NULL,
            line text NOT NULL,
            cosigned_at bigint NOT NULL,
            stored_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (size, witness, line)
        )
        """,
        "DROP TRIGGER IF EXISTS national_cosignatures_append_only ON national_cosignatures",
        "CREATE TRIGGER national_cosignatures_append_only BEFORE UPDATE OR DELETE ON national_cosignatures FOR EACH ROW EXECUTE FUNCTION listledger_refuse_change()",
        "DROP TRIGGER IF EXISTS national_cosignatures_no_truncate ON national_cosignatures",
        "CREATE TRIGGER national_cosignatures_no_truncate BEFORE TRUNCATE ON national_cosignatures FOR EACH STATEMENT EXECUTE FUNCTION listledger_refuse_change()",
    ]

    func ensureNationalWitnessing() async throws {
        try await ensureNationalLog()
        try await createOnce(probe: "public.national_cosignatures", Self.cosignatureSchema)
    }

    /// The stored national checkpoint of `size`, or the latest when nil.
    func nationalNote(size: Int64?) async throws -> (size: Int64, note: String) {
        let query: PostgresQuery
        if let size { query = "SELECT size, note FROM national_checkpoints WHERE size = \(size)" } else {
            query = "SELECT size, note FROM national_checkpoints ORDER BY size DESC LIMIT 1"
        }
        let rows = try await client.query(query, logger: logger).collect()
        guard let row = rows.first else {
            throw PostgresLedgerError.noLog(size.map { "no national checkpoint of size \($0) (a round signs one per size it reaches)" }
                ?? "no national checkpoint yet: `listledger national publish` signs one")
        }
        let (found, note) = try row.decode((Int64, String).self)
        return (found, note)
    }

    /// A consistency proof from the national checkpoint of `oldSize` (0: none, the proof is
    /// empty, as tlog-witness asks for a first request) to that of `newSize` (the latest when nil).
    package func nationalConsistency(from oldSize: Int64, to newSize: Int64?) async throws -> NationalConsistency {
        try await ensureNationalWitnessing()
        let new = try await nationalNote(size: newSize)
        guard oldSize >= 0, oldSize <= new.size else {
            throw PostgresLedgerError.input("--from: \(oldSize) is not between 0 and the new size \(new.size)")
        }
        guard oldSize > 0 else { return NationalConsistency(oldSize: 0, newSize: new.size, proof: [], oldNote: nil, newNote: new.note) }
        // A witness needs no old note (it holds its own root); an auditor may hold it too.
        let oldNote: String?
        do { oldNote = try await nationalNote(size: oldSize).note } catch PostgresLedgerError.noLog { oldNote = nil }
        var leafHashes: [[UInt8]] = []
        for try await hash in try await client.query(
            "SELECT leaf_hash FROM national_leaves WHERE idx < \(new.size) ORDER BY idx", logger: logger).decode(ByteBuffer.self) {
            leafHashes.append(hash.bytes)
        }
        let proof = try Merkle.consistencyProof(oldSize: oldSize, newSize: new.size, reader: try MemoryHashStore(leafHashes: leafHashes))
        return NationalConsistency(oldSize: oldSize, newSize: new.size, proof: proof, oldNote: oldNote, newNote: new.note)
    }

    /// Stores a witness's cosignature lines of the national checkpoint of `size` (the latest
    /// when nil) after checking every one with the witness's key: one that does not verify
    /// stores none. A line stored before is not stored twice.
    package func addNationalCosignatures(lines: [String], witness: CosignerKey, size: Int64?) async throws -> Int64 {
        try await ensureNationalWitnessing()
        let stored = try await nationalNote(size: size)
        let text = try SignedNote.open(note: stored.note, verifiers: [try await nationalVerifierKey()]).text
        var checked: [(line: String, time: Int64)] = []
        for line in lines {
            let time: UInt64
            do { time = try Cosignature.verify(line: line, checkpointText: text, witness: witness) } catch {
                throw PostgresLedgerError.integrity("\(error) (the national checkpoint of size \(stored.size)); nothing stored")
            }
            checked.append((line.hasSuffix("\n") ? String(line.dropLast()) : line, Int64(time)))
        }
        let rows = checked, size = stored.size, name = witness.name
        try await client.withTransaction(logger: logger) { [logger] connection in
            for (line, time) in rows {
                try await connection.query("""
                    INSERT INTO national_cosignatures(size, witness, line, cosigned_at)
                    VALUES (\(size), \(name), \(line), \(time)) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
        return stored.size
    }

    /// The national checkpoint of `size` (the latest when nil) with every cosignature collected
    /// for it appended, as a C2SP note: readers that trust a witness find its line; readers that
    /// do not ignore it.
    package func cosignedNationalCheckpoint(size: Int64?) async throws -> String {
        try await ensureNationalWitnessing()
        let stored = try await nationalNote(size: size)
        var note = stored.note
        for try await line in try await client.query(
            "SELECT line FROM national_cosignatures WHERE size = \(stored.size) ORDER BY witness, cosigned_at, line", logger: logger).decode(String.self) {
            note += line + "\n"
        }
        return note
    }
}
