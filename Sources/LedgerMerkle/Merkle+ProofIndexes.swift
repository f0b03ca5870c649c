// The stored indexes a proof reads, for engines that fetch them ahead (PostgreSQL reads the
// tree with one query for many proofs, then hands the hashes to a synchronous reader).

extension Merkle {
    /// The stored indexes `inclusionProof(leaf:size:reader:)` reads, in the order it reads them.
    package static func inclusionProofIndexes(leaf: Int64, size: Int64) -> [Int64] {
        guard leaf >= 0, leaf < size else { return [] }
        return leafProofIndex(lo: 0, hi: size, n: leaf, into: [])
    }

    /// The stored indexes `consistencyProof(oldSize:newSize:reader:)` reads.
    package static func consistencyProofIndexes(oldSize: Int64, newSize: Int64) -> [Int64] {
        guard oldSize >= 1, oldSize <= newSize else { return [] }
        return treeProofIndex(lo: 0, hi: newSize, n: oldSize, into: [])
    }
}

