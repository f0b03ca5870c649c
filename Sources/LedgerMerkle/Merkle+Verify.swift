// Proof verification, as RFC 9162 §2.1.3.2 and §2.1.4.2 give it (the same algorithm as
// ../shared/conformance/check.py). Needs only hashes: no stored tree, no store.

extension Merkle {
    /// True when `proof` shows that the leaf with hash `leafHash` is leaf `index` (0-based) of the
    /// tree of `size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
    ///
    /// False for index ≥ size (so for every empty tree), any hash that is not 32 bytes, and any
    /// proof with a hash too many, too few, or changed.
    package static func verifyInclusion(index: Int64, size: Int64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard root.count == hashSize, let implied = rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof) else {
            return false
        }
        return implied == root
    }

    /// True when `proof` shows that the tree of `newSize` leaves with root `newRoot` extends the
    /// tree of `oldSize` leaves with root `oldRoot` (RFC 9162 §2.1.4.2).
    ///
    /// Equal sizes need an empty proof and equal roots. An old size of 0 is refused: RFC 9162
    /// defines consistency proofs for 0 < old size, and so do Go's tlog and check.py (the
    /// empty tree is a prefix of every tree, but there is nothing to prove it with).
    package static func verifyConsistency(oldSize: Int64, newSize: Int64, proof: [[UInt8]], oldRoot: [UInt8], newRoot: [UInt8]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize, oldRoot.count == hashSize, newRoot.count == hashSize else { return false }
        guard proof.allSatisfy({ $0.count == hashSize }) else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return false }
        var path = proof
        // An old tree of 2^k leaves is a complete subtree of the new one: its root starts the path.
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard let first = path.first else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = first
        var sr = first
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn != 0 && fn & 1 == 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }

    /// The root that `proof` implies for leaf `index` of a tree of `size` leaves, or nil when the
    /// proof has the wrong length for that position. For messages that show what a proof leads to.
    package static func rootFromInclusionProof(index: Int64, size: Int64, leafHash: [UInt8], proof: [[UInt8]]) -> [UInt8]? {
        guard index >= 0, index < size, leafHash.count == hashSize else { return nil }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard p.count == hashSize, sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }
}
