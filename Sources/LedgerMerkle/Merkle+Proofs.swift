// Tree roots and RFC 6962 proofs read from the stored hashes (Go tlog's TreeHash, ProveRecord,
// ProveTree). Each first lists the stored indexes it needs, reads them in one call, then
// consumes them in the same order.

extension Merkle {
    /// The root hash of the tree of the first `size` leaves (RFC 6962 MTH), reading at most
    /// 1 + log₂ size stored hashes. Size 0 gives ``emptyTreeHash``.
    package static func treeHash(size: Int64, reader: some HashReader) throws -> [UInt8] {
        guard size >= 0 else {
            throw MerkleError.invalidArguments(operation: "treeHash", detail: "tree size \(size) is negative")
        }
        if size == 0 { return emptyTreeHash }
        let indexes = subTreeIndex(lo: 0, hi: size, into: [])
        var hashes = try read(indexes, from: reader, for: "treeHash")[...]
        let root = subTreeHash(lo: 0, hi: size, hashes: &hashes)
        precondition(hashes.isEmpty, "bad index math in treeHash")
        return root
    }

    /// The RFC 6962 audit path of leaf `leaf` (0-based) in the tree of `size` leaves, from the
    /// leaf's sibling up to the root's child. Empty for a tree of one leaf.
    package static func inclusionProof(leaf: Int64, size: Int64, reader: some HashReader) throws -> [[UInt8]] {
        guard leaf >= 0, leaf < size else {
            throw MerkleError.invalidArguments(operation: "inclusionProof", detail: "leaf index \(leaf) is not in a tree of size \(size)")
        }
        let indexes = leafProofIndex(lo: 0, hi: size, n: leaf, into: [])
        var hashes = try read(indexes, from: reader, for: "inclusionProof")[...]
        let proof = leafProof(lo: 0, hi: size, n: leaf, hashes: &hashes)
        precondition(hashes.isEmpty, "bad index math in inclusionProof")
        return proof
    }

    /// The RFC 6962 consistency proof that the tree of `newSize` leaves extends the tree of
    /// `oldSize` leaves. Needs 0 < oldSize ≤ newSize; empty when the sizes are equal.
    package static func consistencyProof(oldSize: Int64, newSize: Int64, reader: some HashReader) throws -> [[UInt8]] {
        guard oldSize >= 1, oldSize <= newSize else {
            throw MerkleError.invalidArguments(
                operation: "consistencyProof",
                detail: "sizes \(oldSize) → \(newSize): a consistency proof needs 0 < old size ≤ new size")
        }
        let indexes = treeProofIndex(lo: 0, hi: newSize, n: oldSize, into: [])
        var hashes = try read(indexes, from: reader, for: "consistencyProof")[...]
        let proof = treeProof(lo: 0, hi: newSize, n: oldSize, hashes: &hashes)
        precondition(hashes.isEmpty, "bad index math in consistencyProof")
        return proof
    }

    // MARK: - Subtrees

    /// Appends the stored indexes needed for the hash of leaves [lo, hi): the maximal complete
    /// subtrees covering the range, left to right.
    static func subTreeIndex(lo: Int64, hi: Int64, into need: [Int64]) -> [Int64] {
        var need = need
        var lo = lo
        while lo < hi {
            let (k, level) = maxPow2(hi - lo + 1)
            precondition(lo & (k - 1) == 0, "bad math in subTreeIndex")
            need.append(storedHashIndex(level: level, n: lo >> level))
            lo += k
        }
        return need
    }

    /// The hash of leaves [lo, hi) from the hashes `subTreeIndex` asked for, consuming them.
    static func subTreeHash(lo: Int64, hi: Int64, hashes: inout ArraySlice<[UInt8]>) -> [UInt8] {
        // Split into a left part of 2^level leaves, as large as possible, and the rest; the left
        // part is stored, the right part folds in from the right.
        var count = 0
        var lo = lo
        while lo < hi {
            let (k, _) = maxPow2(hi - lo + 1)
            precondition(lo & (k - 1) == 0, "bad math in subTreeHash")
            count += 1
            lo += k
        }
        precondition(hashes.count >= count, "bad index math in subTreeHash")
        let parts = hashes.prefix(count)
        hashes = hashes.dropFirst(count)
        var hash = parts[parts.endIndex - 1]
        for part in parts.dropLast().reversed() {
            hash = nodeHash(part, hash)
        }
        return hash
    }

    // MARK: - Inclusion (RFC 6962 §2.1.1)

    static func leafProofIndex(lo: Int64, hi: Int64, n: Int64, into need: [Int64]) -> [Int64] {
        precondition(lo <= n && n < hi, "bad math in leafProofIndex")
        if lo + 1 == hi { return need }
        let (k, _) = maxPow2(hi - lo)
        if n < lo + k {
            return subTreeIndex(lo: lo + k, hi: hi, into: leafProofIndex(lo: lo, hi: lo + k, n: n, into: need))
        } else {
            return leafProofIndex(lo: lo + k, hi: hi, n: n, into: subTreeIndex(lo: lo, hi: lo + k, into: need))
        }
    }

    static func leafProof(lo: Int64, hi: Int64, n: Int64, hashes: inout ArraySlice<[UInt8]>) -> [[UInt8]] {
        precondition(lo <= n && n < hi, "bad math in leafProof")
        // At the leaf: the verifier knows its hash.
        if lo + 1 == hi { return [] }
        // Walk down towards n, recording the hash of the side not taken.
        let (k, _) = maxPow2(hi - lo)
        var proof: [[UInt8]]
        let other: [UInt8]
        if n < lo + k {
            proof = leafProof(lo: lo, hi: lo + k, n: n, hashes: &hashes)
            other = subTreeHash(lo: lo + k, hi: hi, hashes: &hashes)
        } else {
            other = subTreeHash(lo: lo, hi: lo + k, hashes: &hashes)
            proof = leafProof(lo: lo + k, hi: hi, n: n, hashes: &hashes)
        }
        proof.append(other)
        return proof
    }

    // MARK: - Consistency (RFC 6962 §2.1.2)

    static func treeProofIndex(lo: Int64, hi: Int64, n: Int64, into need: [Int64]) -> [Int64] {
        precondition(lo < n && n <= hi, "bad math in treeProofIndex")
        if n == hi {
            return lo == 0 ? need : subTreeIndex(lo: lo, hi: hi, into: need)
        }
        let (k, _) = maxPow2(hi - lo)
        if n <= lo + k {
            return subTreeIndex(lo: lo + k, hi: hi, into: treeProofIndex(lo: lo, hi: lo + k, n: n, into: need))
        } else {
            return treeProofIndex(lo: lo + k, hi: hi, n: n, into: subTreeIndex(lo: lo, hi: lo + k, into: need))
        }
    }

    static func treeProof(lo: Int64, hi: Int64, n: Int64, hashes: inout ArraySlice<[UInt8]>) -> [[UInt8]] {
        precondition(lo < n && n <= hi, "bad math in treeProof")
        if n == hi {
            // This subtree is the old tree itself: the verifier knows its hash.
            if lo == 0 { return [] }
            return [subTreeHash(lo: lo, hi: hi, hashes: &hashes)]
        }
        let (k, _) = maxPow2(hi - lo)
        var proof: [[UInt8]]
        let other: [UInt8]
        if n <= lo + k {
            proof = treeProof(lo: lo, hi: lo + k, n: n, hashes: &hashes)
            other = subTreeHash(lo: lo + k, hi: hi, hashes: &hashes)
        } else {
            other = subTreeHash(lo: lo, hi: lo + k, hashes: &hashes)
            proof = treeProof(lo: lo + k, hi: hi, n: n, hashes: &hashes)
        }
        proof.append(other)
        return proof
    }
}
