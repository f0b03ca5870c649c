import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// The flat stored-hash layout, checked against a simulation of the append order it stands for:
/// when leaf n is added, store its hash, then each subtree it completes, bottom-up.
struct StorageLayoutTests {
    /// (level, n) → position, by simulating appends of `leaves` leaves.
    static func simulatedLayout(leaves: Int) -> [[Int]: Int] {
        var position = 0
        var layout: [[Int]: Int] = [:]
        for leaf in 0..<leaves {
            layout[[0, leaf]] = position
            position += 1
            var level = 0
            var n = leaf
            // A node at (level, n) with n odd completes its parent.
            while n & 1 == 1 {
                level += 1
                n >>= 1
                layout[[level, n]] = position
                position += 1
            }
        }
        return layout
    }

    @Test func firstIndexesFollowTheAppendOrder() {
        // Written out by hand for the first 8 leaves: leaf0, leaf1, (1,0), leaf2, leaf3, (1,1),
        // (2,0), leaf4, leaf5, (1,2), leaf6, leaf7, (1,3), (2,1), (3,0).
        let expected: [(Int, Int64)] = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4), (0, 5), (1, 2),
                                        (0, 6), (0, 7), (1, 3), (2, 1), (3, 0)]
        for (index, (level, n)) in expected.enumerated() {
            #expect(Merkle.storedHashIndex(level: level, n: n) == Int64(index), "(\(level), \(n))")
            #expect(Merkle.splitStoredHashIndex(Int64(index)) == (level, n), "index \(index)")
        }
    }

    @Test func indexesMatchTheSimulatedAppendOrder() {
        let layout = Self.simulatedLayout(leaves: 1000)
        // Every leaf and every complete subtree of 1000 leaves: 2n − popcount(n) nodes.
        let count = 2 * 1000 - 1000.nonzeroBitCount
        #expect(layout.count == count)
        for (coordinates, position) in layout {
            #expect(Merkle.storedHashIndex(level: coordinates[0], n: Int64(coordinates[1])) == Int64(position))
        }
        // And the layout is dense: positions 0..<count each hold exactly one node.
        #expect(layout.values.sorted() == Array(0..<count), "positions are not dense")
    }

    @Test func splitInvertsIndex() {
        // Go's TestSplitStoredHashIndex range, plus every index of the first few thousand.
        for level in 0..<10 {
            for n in Int64(0)..<100 {
                let index = Merkle.storedHashIndex(level: level, n: n)
                #expect(Merkle.splitStoredHashIndex(index) == (level, n))
            }
        }
        for index in Int64(0)..<5000 {
            let (level, n) = Merkle.splitStoredHashIndex(index)
            #expect(Merkle.storedHashIndex(level: level, n: n) == index)
        }
    }

    @Test func storedHashCountMatchesWhatAppendsStore() throws {
        var store = MemoryHashStore()
        #expect(Merkle.storedHashCount(0) == 0)
        for i in 0..<600 {
            let added = try store.append(leafHash: Merkle.leafHash(canonical: Array("leaf \(i)".utf8)))
            // 1 + the number of subtrees leaf i completes (trailing one bits of i).
            #expect(added.count == 1 + (i + 1).trailingZeroBitCount)
            #expect(Merkle.storedHashCount(Int64(i + 1)) == Int64(store.hashes.count))
        }
    }

    @Test func everyStoredHashIsTheNaiveSubtreeHash() throws {
        let naive = NaiveTree(count: 300)
        let store = try MemoryHashStore(leafHashes: naive.leafHashes)
        for (index, hash) in store.hashes.enumerated() {
            let (level, n) = Merkle.splitStoredHashIndex(Int64(index))
            let lo = Int(n) << level
            #expect(hash == naive.mth(lo, lo + (1 << level)), "stored hash \(index) = (\(level), \(n))")
        }
    }

    @Test func largeCoordinatesDoNotOverflow() {
        // A log of 2^40 leaves: the last leaf's index and back.
        let n: Int64 = (1 << 40) - 1
        let index = Merkle.storedHashIndex(level: 0, n: n)
        #expect(Merkle.splitStoredHashIndex(index) == (0, n))
        #expect(Merkle.storedHashCount(n + 1) == 2 * (n + 1) - 1)
    }

    @Test func readerErrorsAreReported() throws {
        struct ShortReader: HashReader {
            func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] { Array(repeating: [UInt8](repeating: 0, count: 32), count: indexes.count - 1) }
        }
        struct BadHashReader: HashReader {
            func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] { indexes.map { _ in [1, 2, 3] } }
        }
        #expect(throws: MerkleError.wrongHashCount(operation: "treeHash", asked: 2, got: 1)) {
            try Merkle.treeHash(size: 3, reader: ShortReader())
        }
        #expect(throws: MerkleError.malformedStoredHash(index: 2, byteCount: 3)) {
            try Merkle.treeHash(size: 3, reader: BadHashReader())
        }
        let store = try MemoryHashStore(leafHashes: NaiveTree(count: 3).leafHashes)
        #expect(throws: MerkleError.missingStoredHash(index: 6, count: 4)) {
            try Merkle.treeHash(size: 4, reader: store)
        }
        #expect(throws: MerkleError.self) { try Merkle.inclusionProof(leaf: 3, size: 3, reader: store) }
        #expect(throws: MerkleError.self) { try Merkle.inclusionProof(leaf: -1, size: 3, reader: store) }
        #expect(throws: MerkleError.self) { try Merkle.consistencyProof(oldSize: 0, newSize: 3, reader: store) }
        #expect(throws: MerkleError.self) { try Merkle.consistencyProof(oldSize: 3, newSize: 2, reader: store) }
        #expect(throws: MerkleError.self) { try Merkle.treeHash(size: -1, reader: store) }
        #expect(throws: MerkleError.self) { try Merkle.storedHashes(forLeaf: 0, leafHash: [1], reader: store) }
    }
}
