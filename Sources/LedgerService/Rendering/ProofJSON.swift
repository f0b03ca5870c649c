package import LedgerDomain
import LedgerMerkle
package import LedgerStore

/// The JSON of `prove --json` and `checkpoint --json`, shared with the server's proof routes.
package enum ProofJSON {
    package static func inclusion(seq: Int64, checkpoint: StoredCheckpoint, canonical: [UInt8], proof: [[UInt8]]) -> JSONValue {
        .object([
            ("index", .integer(seq - 1)), ("tree_size", .integer(checkpoint.size)),
            ("leaf", .string(StrictBase64.encode(canonical))), ("proof", .array(proof.map { .string(StrictBase64.encode($0)) })),
            ("checkpoint", .string(checkpoint.note)),
        ])
    }

    package static func consistency(from: Int64, to newSize: Int64, proof: [[UInt8]],
                                    old: StoredCheckpoint?, new: StoredCheckpoint?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("old_size", .integer(from)), ("new_size", .integer(newSize)), ("proof", .array(proof.map { .string(StrictBase64.encode($0)) })),
        ]
        if let old { members.append(("old_checkpoint", .string(old.note))) }
        if let new { members.append(("new_checkpoint", .string(new.note))) }
        return .object(members)
    }

    package static func checkpoint(_ checkpoint: StoredCheckpoint, created: Bool) -> JSONValue {
        .object([("note", .string(checkpoint.note)), ("size", .integer(checkpoint.size)),
                 ("root", .string(StrictBase64.encode(checkpoint.root))), ("created", .bool(created))])
    }
}
