import LedgerDomain
package import LedgerMerkle

extension ProofCheck {
    /// A `national prove` proof (issue 13 point 5): the national checkpoint's signature and
    /// origin, that the leaf is exactly the canonical bytes of what it says, its audit path to the
    /// signed national root, and the court's own signed checkpoint inside it, checked with the
    /// court's key. Returns the sentence that says what was proved.
    package static func nationalInclusion(_ fields: ProofFields, national: NoteVerifierKey, court courtKey: NoteVerifierKey) throws(ProofCheckError) -> String {
        let index = try fields.integer("index")
        let size = try fields.integer("tree_size")
        let leaf = try fields.base64("leaf")
        let proof = try fields.hashes("proof")
        let checkpoint = try openTrusted(try fields.string("checkpoint"), key: national, what: "national checkpoint")
        guard checkpoint.origin == NationalLeaf.origin else {
            throw .failed("checkpoint: its origin is \(String(reflecting: checkpoint.origin)), not \(NationalLeaf.origin)")
        }
        guard checkpoint.size == size else {
            throw .failed("tree_size: the proof says \(size), the signed national checkpoint covers \(checkpoint.size) leaves")
        }
        guard index >= 0, index < size else { throw .failed("index: \(index) is not a leaf of a tree of \(size) leaves") }
        guard case .object(let members)? = try? JSONParser.parse(leaf) else { throw .failed("leaf: not a JSON object") }
        let leafFields = ProofFields(members: members)
        let court = try leafFields.string("court"), courtSize = try leafFields.integer("size")
        let root = try leafFields.base64("root"), note = try leafFields.string("note")
        // The leaf must be exactly the canonical bytes of what it says, or its hash proves
        // something other than what a reader sees in it.
        guard NationalLeaf.canonical(court: court, size: courtSize, root: root, note: note) == leaf else {
            throw .failed("leaf: not the canonical JSON of a court checkpoint leaf")
        }
        if fields.has("court"), let named = try? fields.string("court"), named != court {
            throw .failed("court: the proof names \(named), its leaf is \(court)'s")
        }
        let needed = auditPathLength(index: index, size: size)
        guard proof.count == needed, proof.allSatisfy({ $0.count == Merkle.hashSize }) else {
            throw .failed("proof: leaf \(index) of a tree of \(size) leaves needs \(needed) hashes of 32 bytes")
        }
        guard Merkle.rootFromInclusionProof(index: index, size: size, leafHash: Merkle.leafHash(canonical: leaf), proof: proof) == checkpoint.rootHash else {
            throw .failed("proof: the audit path from the leaf leads to a root other than the signed national root; the leaf or a proof hash was changed")
        }
        let courtCheckpoint = try openTrusted(note, key: courtKey, what: "the court's checkpoint in the leaf")
        guard courtCheckpoint.origin == "listledger/\(court)", courtCheckpoint.size == courtSize, courtCheckpoint.rootHash == root else {
            throw .failed("leaf: the court's signed checkpoint (\(courtCheckpoint.origin), \(courtCheckpoint.size) events) is not the head the leaf names (\(court), \(courtSize) events)")
        }
        return "the head of \(court) (\(courtSize) events, root \(StrictBase64.encode(root))) is leaf \(index) of the national tree of \(size) leaves, root \(StrictBase64.encode(checkpoint.rootHash)), signed by \(national.name)"
    }
}
