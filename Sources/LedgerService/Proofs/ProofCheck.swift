import LedgerDomain
package import LedgerMerkle

/// Offline checks of the proofs `prove --json` prints, with the trusted verifier key alone (no
/// ledger): what `verify-proof` does, and what any other caller (a server route, an auditor's
/// tool) must do the same way. Each failure names the check that failed.
package enum ProofCheck {
    /// Opens a signed checkpoint with the trusted key; an invalid note or signature fails the check.
    package static func openTrusted(_ note: String, key: NoteVerifierKey, what: String) throws(ProofCheckError) -> Checkpoint {
        do {
            return try Checkpoint.open(note: note, verifiers: [key]).checkpoint
        } catch let error as NoteError {
            throw .failed("\(what): the checkpoint's signature does not verify: \(error)")
        } catch {
            throw .failed("\(what): not a C2SP checkpoint: \(error)")
        }
    }

    /// An inclusion proof: the checkpoint's signature, that it signs the proof's tree size, the
    /// leaf (an event's canonical bytes, whose seq must be index + 1) and its audit path to the
    /// signed root. Returns the sentence that says what was proved.
    package static func inclusion(_ fields: ProofFields, key: NoteVerifierKey) throws(ProofCheckError) -> String {
        let index = try fields.integer("index")
        let size = try fields.integer("tree_size")
        let leaf = try fields.base64("leaf")
        let proof = try fields.hashes("proof")
        let checkpoint = try openTrusted(try fields.string("checkpoint"), key: key, what: "checkpoint")
        guard checkpoint.size == size else {
            throw .failed("tree_size: the proof says \(size), the signed checkpoint covers \(checkpoint.size) events")
        }
        guard index >= 0, index < size else { throw .failed("index: \(index) is not a leaf of a tree of \(size) events") }
        if case .object(let event)? = try? JSONParser.parse(leaf), let seq = event.first(where: { $0.0 == "seq" })?.1 {
            guard seq == .integer(index + 1) else {
                throw .failed("leaf: the event's own seq is \(String(decoding: CanonicalJSON.encode(seq), as: UTF8.self)), but leaf \(index) holds seq \(index + 1)")
            }
        } else {
            throw .failed("leaf: the leaf is not the canonical JSON of an event")
        }
        if let bad = proof.firstIndex(where: { $0.count != Merkle.hashSize }) {
            throw .failed("proof[\(bad)]: a hash is 32 bytes, this one is \(proof[bad].count)")
        }
        let leafHash = Merkle.leafHash(canonical: leaf)
        let needed = auditPathLength(index: index, size: size)
        guard proof.count == needed else {
            throw .failed("proof: \(proof.count) hashes, but leaf \(index) of a tree of \(size) events needs \(needed)")
        }
        guard let implied = Merkle.rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof),
              implied == checkpoint.rootHash else {
            throw .failed("proof: the audit path from the leaf leads to a root other than the signed root \(StrictBase64.encode(checkpoint.rootHash)); the leaf or a proof hash was changed")
        }
        return "event seq \(index + 1) is leaf \(index) of the tree of \(size) events of \(checkpoint.origin), root \(StrictBase64.encode(checkpoint.rootHash)), signed by \(key.name)"
    }

    /// A consistency proof between two signed checkpoints of one log. `oldNote` and `newNote`
    /// give the checkpoints the caller holds (nil: use the one the proof carries); they are
    /// asked for only once the proof's own fields have been read. Returns what was proved.
    package static func consistency(_ fields: ProofFields, key: NoteVerifierKey,
                                    oldNote: () throws -> String?, newNote: () throws -> String?) throws -> String {
        let oldSize = try fields.integer("old_size")
        let newSize = try fields.integer("new_size")
        let proof = try fields.hashes("proof")
        func note(_ given: () throws -> String?, _ field: String) throws -> String {
            if let text = try given() { return text }
            return try fields.string(field)
        }
        let older = try openTrusted(try note(oldNote, "old_checkpoint"), key: key, what: "old checkpoint")
        let newer = try openTrusted(try note(newNote, "new_checkpoint"), key: key, what: "new checkpoint")
        guard older.origin == newer.origin else {
            throw ProofCheckError.failed("the checkpoints are of two logs, \(String(reflecting: older.origin)) and \(String(reflecting: newer.origin))")
        }
        guard older.size == oldSize else { throw ProofCheckError.failed("old_size: the proof says \(oldSize), the old checkpoint covers \(older.size) events") }
        guard newer.size == newSize else { throw ProofCheckError.failed("new_size: the proof says \(newSize), the new checkpoint covers \(newer.size) events") }
        guard Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, proof: proof, oldRoot: older.rootHash, newRoot: newer.rootHash) else {
            throw ProofCheckError.failed("proof: the consistency proof does not lead from the old signed root to the new one: the log of \(newSize) events does not extend the log of \(oldSize) (or the proof was changed)")
        }
        return "the log \(newer.origin) of \(newSize) events (root \(StrictBase64.encode(newer.rootHash))) extends its checkpoint of \(oldSize) events (root \(StrictBase64.encode(older.rootHash)))"
    }

    /// The number of hashes in the RFC 6962 audit path of leaf `index` in a tree of `size` leaves.
    package static func auditPathLength(index: Int64, size: Int64) -> Int {
        var index = index
        var size = size
        var count = 0
        while size > 1 {
            var k: Int64 = 1
            while k << 1 < size { k <<= 1 }
            if index < k { size = k } else { index -= k; size -= k }
            count += 1
        }
        return count
    }
}
