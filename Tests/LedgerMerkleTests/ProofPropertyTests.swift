import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// Proofs from the stored hashes equal RFC 6962's recursive definitions, verify, and every
/// tampering with them is refused.
struct ProofPropertyTests {
    // A fresh tree per test (Swift Testing runs tests in parallel; the naive tree memoises).
    let naive = NaiveTree(count: 4096)
    let store: MemoryHashStore

    init() throws { store = try MemoryHashStore(leafHashes: naive.leafHashes) }

    @Test func rootsEqualTheRecursiveDefinition() throws {
        for size in 0...300 {
            #expect(try Merkle.treeHash(size: Int64(size), reader: store) == naive.mth(0, size), "size \(size)")
        }
        for size in [511, 512, 513, 1000, 2047, 2048, 2049, 4095, 4096] {
            #expect(try Merkle.treeHash(size: Int64(size), reader: store) == naive.mth(0, size), "size \(size)")
        }
    }

    @Test func everyLeafOfTreesUpTo130() throws {
        for size in 1...130 {
            let root = naive.mth(0, size)
            for leaf in 0..<size {
                let proof = try Merkle.inclusionProof(leaf: Int64(leaf), size: Int64(size), reader: store)
                #expect(proof == naive.path(leaf, 0, size), "PATH(\(leaf), \(size))")
                #expect(Merkle.verifyInclusion(index: Int64(leaf), size: Int64(size), leafHash: naive.leafHashes[leaf], proof: proof, root: root),
                        "leaf \(leaf) of \(size)")
            }
        }
    }

    @Test func everyPairOfSizesUpTo64() throws {
        for new in 1...64 {
            let newRoot = naive.mth(0, new)
            for old in 1...new {
                let proof = try Merkle.consistencyProof(oldSize: Int64(old), newSize: Int64(new), reader: store)
                #expect(proof == naive.consistency(old, new), "PROOF(\(old), \(new))")
                #expect(Merkle.verifyConsistency(oldSize: Int64(old), newSize: Int64(new), proof: proof,
                                                 oldRoot: naive.mth(0, old), newRoot: newRoot), "\(old) → \(new)")
            }
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func tamperedInclusionProofsAreRefused(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<150 {
            let size = Int.random(in: 1...4096, using: &random)
            let leaf = Int.random(in: 0..<size, using: &random)
            let (i, n) = (Int64(leaf), Int64(size))
            let leafHash = naive.leafHashes[leaf]
            let root = naive.mth(0, size)
            let proof = try Merkle.inclusionProof(leaf: i, size: n, reader: store)
            let context = Comment(rawValue: "seed \(seed), leaf \(leaf) of \(size)")
            #expect(proof == naive.path(leaf, 0, size), context)
            #expect(Merkle.verifyInclusion(index: i, size: n, leafHash: leafHash, proof: proof, root: root), context)

            func refused(_ what: String, index: Int64 = i, size: Int64 = n, leafHash: [UInt8] = leafHash, proof: [[UInt8]], root: [UInt8] = root) {
                #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: proof, root: root), "\(what); \(context)")
            }
            if !proof.isEmpty {
                for _ in 0..<4 {
                    let element = Int.random(in: 0..<proof.count, using: &random)
                    let bit = Int.random(in: 0..<256, using: &random)
                    refused("bit \(bit) of proof[\(element)] flipped", proof: flipping(proof, element: element, bit: bit))
                }
                refused("last hash dropped", proof: Array(proof.dropLast()))
                refused("first hash dropped", proof: Array(proof.dropFirst()))
            }
            let extra = naive.leafHashes[Int.random(in: 0..<4096, using: &random)]
            refused("hash appended", proof: proof + [extra])
            refused("hash prepended", proof: [extra] + proof)
            refused("index + 1", index: i + 1, proof: proof)
            refused("index - 1", index: i - 1, proof: proof)
            refused("index ^ 2", index: i ^ 2, proof: proof)
            refused("index = size", index: n, proof: proof)
            refused("size * 2", size: n * 2, proof: proof)
            refused("size / 2", size: n / 2, proof: proof)
            refused("another leaf's hash", leafHash: naive.leafHashes[(leaf + 1) % 4096], proof: proof)
            if size > 1 { refused("root of size - 1", proof: proof, root: naive.mth(0, size - 1)) }
            // A size off by one is refused unless the path to the leaf has the same turns in both
            // trees: RFC 6962 proofs do not bind the size, the signed checkpoint does.
            for other in [n - 1, n + 1] where other > i {
                let sameShape = NaiveTree.shape(leaf, Int(other)) == NaiveTree.shape(leaf, size)
                #expect(Merkle.verifyInclusion(index: i, size: other, leafHash: leafHash, proof: proof, root: root) == sameShape,
                        "size \(other) instead of \(size); \(context)")
            }
        }
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func tamperedConsistencyProofsAreRefused(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<150 {
            let new = Int.random(in: 2...4096, using: &random)
            let old = Int.random(in: 1..<new, using: &random)
            let (m, n) = (Int64(old), Int64(new))
            let oldRoot = naive.mth(0, old)
            let newRoot = naive.mth(0, new)
            let proof = try Merkle.consistencyProof(oldSize: m, newSize: n, reader: store)
            let context = Comment(rawValue: "seed \(seed), \(old) → \(new)")
            #expect(proof == naive.consistency(old, new), context)
            #expect(Merkle.verifyConsistency(oldSize: m, newSize: n, proof: proof, oldRoot: oldRoot, newRoot: newRoot), context)

            func refused(_ what: String, old: Int64 = m, new: Int64 = n, proof: [[UInt8]], oldRoot: [UInt8] = oldRoot, newRoot: [UInt8] = newRoot) {
                #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, proof: proof, oldRoot: oldRoot, newRoot: newRoot), "\(what); \(context)")
            }
            for _ in 0..<4 {
                let element = Int.random(in: 0..<proof.count, using: &random)
                let bit = Int.random(in: 0..<256, using: &random)
                refused("bit \(bit) of proof[\(element)] flipped", proof: flipping(proof, element: element, bit: bit))
            }
            let extra = naive.leafHashes[Int.random(in: 0..<4096, using: &random)]
            refused("last hash dropped", proof: Array(proof.dropLast()))
            refused("first hash dropped", proof: Array(proof.dropFirst()))
            refused("hash appended", proof: proof + [extra])
            refused("hash prepended", proof: [extra] + proof)
            refused("empty proof", proof: [])
            refused("roots swapped", proof: proof, oldRoot: newRoot, newRoot: oldRoot)
            refused("another old root", proof: proof, oldRoot: naive.mth(0, old + 1))
            refused("another new root", proof: proof, newRoot: naive.mth(0, new - 1))
            refused("old size 0", old: 0, proof: proof)
            refused("old > new", old: n, new: m, proof: proof)
            refused("new * 2", new: n * 2, proof: proof)
        }
    }

    /// RFC 6962 proofs say nothing about sizes beyond the path's turns: leaf 0's proof in the
    /// tree of 3 also "verifies" against size 4 with the size-3 root. The checkpoint signs
    /// (size, root) together; the conformance checker (check.py) behaves the same.
    @Test func sizeIsBoundByTheCheckpointNotTheProof() throws {
        let proof = try Merkle.inclusionProof(leaf: 0, size: 3, reader: store)
        let root3 = naive.mth(0, 3)
        #expect(Merkle.verifyInclusion(index: 0, size: 4, leafHash: naive.leafHashes[0], proof: proof, root: root3))
        #expect(!Merkle.verifyInclusion(index: 0, size: 4, leafHash: naive.leafHashes[0], proof: proof, root: naive.mth(0, 4)))
    }
}
