// The check an engine makes before it hands out an inclusion proof, in one place for SQLite
// and PostgreSQL (each wraps the reason in its own error type): nobody is given a proof that
// would not verify, and the reason says what was changed.

extension Merkle {
    /// Why no proof may be given under a checkpoint of `size` events that signed `signedRoot`
    /// when the stored tree's root of that size is `storedRoot` (nil: it may). Checked before the
    /// path is read: a tree changed after signing is named as such, not as a missing hash.
    package static func refusalOfCheckpoint(size: Int64, signedRoot: [UInt8], storedRoot: [UInt8]) -> String? {
        storedRoot == signedRoot ? nil
            : "the stored Merkle tree no longer has the root that the checkpoint of \(size) events signed: the log was changed after it was signed"
    }

    /// Why the audit path `proof` of event `seq` (its stored `canonical` bytes) may not be given
    /// under the checkpoint of `size` events with root `root` (nil: it leads there).
    package static func refusalOfInclusion(seq: Int64, canonical: [UInt8], proof: [[UInt8]], size: Int64, root: [UInt8]) -> String? {
        verifyInclusion(index: seq - 1, size: size, leafHash: leafHash(canonical: canonical), proof: proof, root: root) ? nil
            : "event \(seq) does not prove into the checkpoint of \(size) events: its stored bytes or tree hashes were changed; run `listledger verify`"
    }
}
