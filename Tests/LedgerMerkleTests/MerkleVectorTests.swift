import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// Published RFC 6962 vectors (Fixtures/vectors/merkle, see its README): transparency-dev/merkle's
/// reference tree and a real Certificate Transparency log's proofs, via Go's tlog test data.
struct RFC6962VectorTests {
    struct Vectors: Decodable {
        struct Inclusion: Decodable { let index: Int64; let size: Int64; let proof: [String] }
        struct Consistency: Decodable { let old_size: Int64; let new_size: Int64; let proof: [String] }
        let leaves: [String]
        let node_hashes: [[String]]
        let roots: [String]
        let inclusion: [Inclusion]
        let consistency: [Consistency]
    }

    let vectors: Vectors
    let store: MemoryHashStore

    init() throws {
        vectors = try loadVector(Vectors.self, "merkle/rfc6962.json")
        store = try MemoryHashStore(leafHashes: vectors.leaves.map { Merkle.leafHash(canonical: hex($0)) })
    }

    @Test func leafHashesMatchTheLevelZeroNodes() {
        for (leaf, expected) in zip(vectors.leaves, vectors.node_hashes[0]) {
            #expect(Hex.encode(Merkle.leafHash(canonical: hex(leaf))) == expected)
        }
    }

    @Test func interiorNodeHashesMatch() {
        for level in 1..<vectors.node_hashes.count {
            for (i, expected) in vectors.node_hashes[level].enumerated() {
                let left = hex(vectors.node_hashes[level - 1][2 * i])
                let right = hex(vectors.node_hashes[level - 1][2 * i + 1])
                #expect(Hex.encode(Merkle.nodeHash(left, right)) == expected)
            }
        }
    }

    @Test func rootsOfEverySizeFromStoredHashes() throws {
        for (size, expected) in vectors.roots.enumerated() {
            #expect(Hex.encode(try Merkle.treeHash(size: Int64(size), reader: store)) == expected, "size \(size)")
        }
        #expect(Hex.encode(Merkle.emptyTreeHash) == vectors.roots[0])
    }

    @Test func storedSubtreeHashesAreTheCompleteSubtrees() throws {
        // Every complete subtree hash is stored at storedHashIndex(level, n).
        for (level, hashes) in vectors.node_hashes.enumerated() {
            for (n, expected) in hashes.enumerated() {
                let index = Merkle.storedHashIndex(level: level, n: Int64(n))
                #expect(Hex.encode(try store.readHashes([index])[0]) == expected, "level \(level) n \(n)")
            }
        }
    }

    @Test func publishedInclusionProofsAreProducedAndVerify() throws {
        for vector in vectors.inclusion {
            let proof = vector.proof.map(hex)
            let leafHash = Merkle.leafHash(canonical: hex(vectors.leaves[Int(vector.index)]))
            let root = hex(vectors.roots[Int(vector.size)])
            #expect(try Merkle.inclusionProof(leaf: vector.index, size: vector.size, reader: store) == proof,
                    "proof of \(vector.index) in \(vector.size)")
            #expect(Merkle.verifyInclusion(index: vector.index, size: vector.size, leafHash: leafHash, proof: proof, root: root))
            #expect(Merkle.rootFromInclusionProof(index: vector.index, size: vector.size, leafHash: leafHash, proof: proof) == root)
        }
    }

    /// transparency-dev/merkle's corruptInclusionProof probes, each of which must be refused.
    @Test func corruptedInclusionProofsAreRefused() throws {
        let someHash = hex("abacaba000000000000000000000000000000000000000000060061e00123456")
        for vector in vectors.inclusion {
            let proof = vector.proof.map(hex)
            let (i, n) = (vector.index, vector.size)
            let leaf = Merkle.leafHash(canonical: hex(vectors.leaves[Int(i)]))
            let root = hex(vectors.roots[Int(n)])
            var probes: [(String, Int64, Int64, [UInt8], [[UInt8]], [UInt8])] = [
                ("index - 1", i - 1, n, leaf, proof, root),
                ("index + 1", i + 1, n, leaf, proof, root),
                ("index ^ 2", i ^ 2, n, leaf, proof, root),
                ("size * 2", i, n * 2, leaf, proof, root),
                ("size / 2", i, n / 2, leaf, proof, root),
                ("wrong leaf", i, n, Array("WrongLeaf".utf8), proof, root),
                ("empty root", i, n, leaf, proof, Merkle.emptyTreeHash),
                ("random root", i, n, leaf, proof, someHash),
                ("trailing garbage", i, n, leaf, proof + [[]], root),
                ("trailing root", i, n, leaf, proof + [root], root),
                ("preceding garbage", i, n, leaf, [[]] + proof, root),
                ("preceding root", i, n, leaf, [root] + proof, root),
            ]
            for k in proof.indices {
                probes.append(("proof[\(k)] bit 3", i, n, leaf, flipping(proof, element: k, bit: 3), root))
            }
            if !proof.isEmpty { probes.append(("removed component", i, n, leaf, Array(proof.dropLast()), root)) }
            if proof.count > 1 { probes.append(("inserted component", i, n, leaf, [proof[0], someHash] + proof.dropFirst(), root)) }
            for (what, index, size, leafHash, bad, badRoot) in probes {
                #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: bad, root: badRoot),
                        "\(what) accepted for leaf \(i) of \(n)")
            }
        }
    }

    @Test func publishedConsistencyProofsAreProducedAndVerify() throws {
        for vector in vectors.consistency {
            let proof = vector.proof.map(hex)
            let oldRoot = hex(vectors.roots[Int(vector.old_size)])
            let newRoot = hex(vectors.roots[Int(vector.new_size)])
            #expect(try Merkle.consistencyProof(oldSize: vector.old_size, newSize: vector.new_size, reader: store) == proof,
                    "proof \(vector.old_size) → \(vector.new_size)")
            #expect(Merkle.verifyConsistency(oldSize: vector.old_size, newSize: vector.new_size, proof: proof, oldRoot: oldRoot, newRoot: newRoot))
        }
    }

    /// transparency-dev/merkle's corruptConsistencyProof probes (for the non-trivial proofs).
    @Test func corruptedConsistencyProofsAreRefused() {
        for vector in vectors.consistency where !vector.proof.isEmpty {
            let proof = vector.proof.map(hex)
            let (m, n) = (vector.old_size, vector.new_size)
            let r1 = hex(vectors.roots[Int(m)])
            let r2 = hex(vectors.roots[Int(n)])
            let wrong = Array("WrongRoot".utf8)
            var probes: [(String, Int64, Int64, [UInt8], [UInt8], [[UInt8]])] = [
                ("old - 1", m - 1, n, r1, r2, proof),
                ("old + 1", m + 1, n, r1, r2, proof),
                ("old ^ 2", m ^ 2, n, r1, r2, proof),
                ("new * 2", m, n * 2, r1, r2, proof),
                ("new / 2", m, n / 2, r1, r2, proof),
                ("wrong old root", m, n, wrong, r2, proof),
                ("wrong new root", m, n, r1, wrong, proof),
                ("swapped roots", m, n, r2, r1, proof),
                ("empty proof", m, n, r1, r2, []),
                ("trailing garbage", m, n, r1, r2, proof + [[]]),
                ("trailing old root", m, n, r1, r2, proof + [r1]),
                ("trailing new root", m, n, r1, r2, proof + [r2]),
                ("preceding garbage", m, n, r1, r2, [[]] + proof),
                ("preceding old root", m, n, r1, r2, [r1] + proof),
                ("preceding new root", m, n, r1, r2, [r2] + proof),
                ("preceding proof[0]", m, n, r1, r2, [proof[0]] + proof),
                ("truncated", m, n, r1, r2, Array(proof.dropLast())),
            ]
            for k in proof.indices {
                probes.append(("proof[\(k)] bit 4", m, n, r1, r2, flipping(proof, element: k, bit: 4)))
            }
            for (what, old, new, oldRoot, newRoot, bad) in probes {
                #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, proof: bad, oldRoot: oldRoot, newRoot: newRoot),
                        "\(what) accepted for \(m) → \(n)")
            }
        }
    }

    /// transparency-dev/merkle TestVerifyConsistency's table of trivial sizes, except that we,
    /// like RFC 9162, Go's tlog and check.py, refuse old size 0 (transparency-dev accepts 0 → 1).
    @Test func trivialConsistencyCases() {
        let empty = Merkle.emptyTreeHash
        let a = SHA256.hash(Array("don't care 1".utf8))
        let b = SHA256.hash(Array("don't care 2".utf8))
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 0, proof: [], oldRoot: a, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 1, newSize: 1, proof: [], oldRoot: a, newRoot: b))
        #expect(Merkle.verifyConsistency(oldSize: 0, newSize: 0, proof: [], oldRoot: a, newRoot: a))
        #expect(Merkle.verifyConsistency(oldSize: 1, newSize: 1, proof: [], oldRoot: b, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 1, proof: [], oldRoot: a, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 1, newSize: 0, proof: [], oldRoot: a, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 2, newSize: 1, proof: [], oldRoot: a, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 1, newSize: 2, proof: [], oldRoot: a, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 0, proof: [], oldRoot: empty, newRoot: b))
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 0, proof: [empty], oldRoot: empty, newRoot: empty))
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 1, proof: [empty], oldRoot: empty, newRoot: empty))
        #expect(!Merkle.verifyConsistency(oldSize: 1, newSize: 1, proof: [empty], oldRoot: empty, newRoot: empty))
    }

    /// transparency-dev/merkle TestVerifyInclusion's invalid probes and single-entry cases.
    @Test func trivialInclusionCases() {
        let some = hex("abacaba000000000000000000000000000000000000000000060061e00123456")
        for (index, size) in [(Int64(0), Int64(0)), (0, 1), (1, 0), (2, 1)] {
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: some, proof: [], root: []))
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: [], proof: [], root: Merkle.emptyTreeHash))
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: some, proof: [], root: Merkle.emptyTreeHash))
        }
        let hash = Merkle.leafHash(canonical: Array("data".utf8))
        #expect(Merkle.verifyInclusion(index: 0, size: 1, leafHash: hash, proof: [], root: hash))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: [], proof: [], root: hash))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: hash, proof: [], root: []))
        // A hash beyond the root's height: the one-leaf tree cannot have the root of two leaves.
        let other = Merkle.leafHash(canonical: Array("other".utf8))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: hash, proof: [other], root: Merkle.nodeHash(other, hash)))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: hash, proof: [other], root: Merkle.nodeHash(hash, other)))
    }
}

/// Google's Argon 2020 CT log (via Go tlog's testdata): proofs at a size of ~962 million leaves.
struct CertificateTransparencyVectorTests {
    struct Vectors: Decodable {
        let tree_size: Int64
        let root: String
        let leaf_index: Int64
        let leaf_input: String
        let audit_path: [String]
        let old_size: Int64
        let old_root: String
        let consistency: [String]
    }

    @Test func realLogInclusionProofVerifies() throws {
        let v = try loadVector(Vectors.self, "merkle/ct-argon2020.json")
        let leaf = Merkle.leafHash(canonical: base64(v.leaf_input))
        let proof = v.audit_path.map(base64)
        #expect(Merkle.verifyInclusion(index: v.leaf_index, size: v.tree_size, leafHash: leaf, proof: proof, root: base64(v.root)))
        #expect(!Merkle.verifyInclusion(index: v.leaf_index + 1, size: v.tree_size, leafHash: leaf, proof: proof, root: base64(v.root)))
        #expect(!Merkle.verifyInclusion(index: v.leaf_index, size: v.tree_size, leafHash: leaf, proof: flipping(proof, element: 29, bit: 0), root: base64(v.root)))
    }

    @Test func realLogConsistencyProofVerifies() throws {
        let v = try loadVector(Vectors.self, "merkle/ct-argon2020.json")
        let proof = v.consistency.map(base64)
        #expect(Merkle.verifyConsistency(oldSize: v.old_size, newSize: v.tree_size, proof: proof, oldRoot: base64(v.old_root), newRoot: base64(v.root)))
        #expect(!Merkle.verifyConsistency(oldSize: v.old_size, newSize: v.tree_size, proof: flipping(proof, element: 0, bit: 7), oldRoot: base64(v.old_root), newRoot: base64(v.root)))
        #expect(!Merkle.verifyConsistency(oldSize: v.old_size, newSize: v.tree_size, proof: Array(proof.dropLast()), oldRoot: base64(v.old_root), newRoot: base64(v.root)))
    }
}
