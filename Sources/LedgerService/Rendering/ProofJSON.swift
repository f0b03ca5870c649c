package import LedgerDomain
import LedgerMerkle
package import LedgerStore

/// The JSON of `prove --json` and `checkpoint --json`, shared with the server's proof routes.
package enum ProofJSON {
    package static func inclusion(seq: Int64, checkpoint: StoredCheckpoint, canonical: [UInt8], proof: [[UInt8]]) -> JSONValue {
        inclusion(seq: seq, treeSize: checkpoint.size, note: checkpoint.note, canonical: canonical, proof: proof)
    }

    /// The same, from the checkpoint's size and note (the PostgreSQL engine's checkpoints).
    package static func inclusion(seq: Int64, treeSize: Int64, note: String, canonical: [UInt8], proof: [[UInt8]]) -> JSONValue {
        .object([
            ("index", .integer(seq - 1)), ("tree_size", .integer(treeSize)),
            ("leaf", .string(StrictBase64.encode(canonical))), ("proof", .array(proof.map { .string(StrictBase64.encode($0)) })),
            ("checkpoint", .string(note)),
        ])
    }

    package static func consistency(from: Int64, to newSize: Int64, proof: [[UInt8]],
                                    old: StoredCheckpoint?, new: StoredCheckpoint?) -> JSONValue {
        consistency(from: from, to: newSize, proof: proof, oldNote: old?.note, newNote: new?.note)
    }

    /// The same, from the notes of the stored checkpoints of those sizes (nil: none stored).
    package static func consistency(from: Int64, to newSize: Int64, proof: [[UInt8]], oldNote: String?, newNote: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("old_size", .integer(from)), ("new_size", .integer(newSize)), ("proof", .array(proof.map { .string(StrictBase64.encode($0)) })),
        ]
        if let oldNote { members.append(("old_checkpoint", .string(oldNote))) }
        if let newNote { members.append(("new_checkpoint", .string(newNote))) }
        return .object(members)
    }

    package static func checkpoint(_ checkpoint: StoredCheckpoint, created: Bool) -> JSONValue {
        .object([("note", .string(checkpoint.note)), ("size", .integer(checkpoint.size)),
                 ("root", .string(StrictBase64.encode(checkpoint.root))), ("created", .bool(created))])
    }
}
