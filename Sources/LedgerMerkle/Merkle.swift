import LedgerCrypto

/// RFC 6962 Merkle tree hashing over the event log, in the layout of Go's
/// `golang.org/x/mod/sumdb/tlog`.
///
/// Leaves are the events' canonical bytes; leaf index = seq − 1. Every hash the tree will ever
/// need is stored once, in a flat, append-only sequence (see ``storedHashIndex(level:n:)``), so
/// the root of any earlier size and any proof read O(log n) stored hashes.
///
/// ## Topics
/// - Hashing: ``leafHash(canonical:)``, ``nodeHash(_:_:)``, ``emptyTreeHash``
/// - Storage layout: ``storedHashIndex(level:n:)``, ``splitStoredHashIndex(_:)``,
///   ``storedHashCount(_:)``, ``storedHashes(forLeaf:leafHash:reader:)``
/// - Reading: ``treeHash(size:reader:)``, ``inclusionProof(leaf:size:reader:)``,
///   ``consistencyProof(oldSize:newSize:reader:)``
/// - Checking: ``verifyInclusion(index:size:leafHash:proof:root:)``,
///   ``verifyConsistency(oldSize:newSize:proof:oldRoot:newRoot:)``
package enum Merkle {
    /// The size of every hash in the tree: SHA-256.
    package static let hashSize = 32

    /// The leaf hash of an event: SHA-256(0x00 || canonical bytes). On the thread's reused
    /// SHA-256 context (no context made per hash).
    package static func leafHash(canonical: [UInt8]) -> [UInt8] {
        let sha = SHA256.Context.current
        sha.start()
        sha.update(byte: 0x00)
        sha.update(canonical)
        return sha.finish()
    }

    package static func leafHash(canonical: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256.Hasher()
        hasher.update(CollectionOfOne(UInt8(0x00)))
        hasher.update(canonical)
        return hasher.finalize()
    }

    /// The hash of an interior node: SHA-256(0x01 || left || right), on the thread's context.
    package static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        let sha = SHA256.Context.current
        sha.start()
        sha.update(byte: 0x01)
        sha.update(left)
        sha.update(right)
        return sha.finish()
    }

    /// The root of the empty tree, SHA-256 of no bytes (RFC 6962 §2.1: MTH({}) = SHA-256()).
    ///
    /// Go's tlog returns 32 zero bytes for size 0; we follow the RFC, which is what a
    /// checkpoint of an empty log must carry.
    package static let emptyTreeHash: [UInt8] = SHA256.hash([UInt8]())

    /// k, the largest power of two smaller than `n` (n ≥ 2), and log₂ k. For n = 1, (1, 0) as in Go.
    static func maxPow2(_ n: Int64) -> (k: Int64, level: Int) {
        precondition(n >= 1, "maxPow2 of \(n)")
        if n == 1 { return (1, 0) }
        let level = 63 - (n - 1).leadingZeroBitCount
        return (Int64(1) << level, level)
    }
}
