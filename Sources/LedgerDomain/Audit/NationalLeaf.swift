import LedgerMerkle

/// A leaf of the national log of logs (issue 13 point 5, docs/postgresql.md): one court's
/// signed checkpoint. Its canonical bytes are the JCS encoding of
/// {"court","note","root","size","type":"court_checkpoint","v":2}; its Merkle leaf hash is
/// SHA-256(0x00 || bytes), as for events.
package enum NationalLeaf {
    /// The origin of the national checkpoints, and the name of the national note key.
    package static let origin = "listledger/national"

    package static func canonical(court: String, size: Int64, root: [UInt8], note: String) -> [UInt8] {
        CanonicalJSON.encode(.object([
            ("v", .integer(2)), ("type", .string("court_checkpoint")), ("court", .string(court)),
            ("size", .integer(size)), ("root", .string(StrictBase64.encode(root))), ("note", .string(note)),
        ]))
    }
}
