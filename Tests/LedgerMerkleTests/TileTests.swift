import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// The tiles of C2SP tlog-tiles (height 8, 256 hashes a tile), checked against RFC 6962 written
/// out recursively (`NaiveTree`) and against the flat layout the proofs read.
struct TileTests {
    /// Every tile a builder makes: the full ones handed out, then its edges.
    static func build(_ leaves: [[UInt8]]) -> (full: [(Int, Int64, [UInt8])], builder: TileBuilder) {
        var builder = TileBuilder()
        var full: [(Int, Int64, [UInt8])] = []
        for leaf in leaves { builder.append(leafHash: leaf) { full.append(($0, $1, $2)) } }
        return (full, builder)
    }

    @Test("small trees: the level-0 edge is the leaf hashes in order, the root is RFC 6962's")
    func smallTrees() {
        let naive = NaiveTree(count: 20)
        for size in 0...20 {
            var (full, builder) = Self.build(Array(naive.leafHashes.prefix(size)))
            #expect(full.isEmpty)
            #expect(builder.size == Int64(size))
            #expect(builder.edges == [naive.leafHashes.prefix(size).flatMap { $0 }])
            #expect(builder.rootHash() == naive.mth(0, size), "size \(size)")
        }
        // Worked by hand for 3 leaves a, b, c: MTH = H(0x01 || H(0x01 || a || b) || c).
        let (a, b, c) = (naive.leafHashes[0], naive.leafHashes[1], naive.leafHashes[2])
        var (_, three) = Self.build([a, b, c])
        #expect(three.rootHash() == SHA256.hash([0x01] + SHA256.hash([0x01] + a + b) + c))
    }

    @Test("256·3 + 5 leaves: three full level-0 tiles, a level-0 edge of 5, a level-1 edge of the 3 tile roots")
    func threeTilesAndAnEdge() {
        let count = 256 * 3 + 5
        let naive = NaiveTree(count: count)
        var (full, builder) = Self.build(naive.leafHashes)
        #expect(full.map(\.0) == [0, 0, 0] && full.map(\.1) == [0, 1, 2])
        for (i, tile) in full.enumerated() {
            #expect(tile.2 == naive.leafHashes[(256 * i)..<(256 * i + 256)].flatMap { $0 })
        }
        #expect(builder.edges.count == 2)
        #expect(builder.edges[0] == naive.leafHashes[(256 * 3)...].flatMap { $0 })
        // Level 8 of the tree: the roots of the leaves 0–255, 256–511, 512–767.
        #expect(builder.edges[1] == [naive.mth(0, 256), naive.mth(256, 512), naive.mth(512, 768)].flatMap { $0 })
        #expect(builder.rootHash() == naive.mth(0, count))
    }

    @Test("a full level-1 tile: 65,536 leaves make one, and the level-2 edge holds its root")
    func fullLevelOneTile() {
        let count = 1 << 16
        let leaves = (0..<count).map { i in SHA256.hash([0x00, UInt8(i & 0xFF), UInt8(i >> 8)]) }
        let naive = NaiveTree(leafHashes: leaves)
        var (full, builder) = Self.build(leaves)
        #expect(full.count == 257)
        #expect(full.last?.0 == 1 && full.last?.1 == 0)
        #expect(full.last?.2 == (0..<256).flatMap { naive.mth(256 * $0, 256 * $0 + 256) })
        #expect(builder.edges.map(\.count) == [0, 0, 32])
        #expect(builder.edges[2] == naive.mth(0, count))
        #expect(builder.rootHash() == naive.mth(0, count))
    }

    @Test("every stored hash of the flat layout is the subtree hash of its tile span")
    func flatIndexesFromTiles() throws {
        let count = 256 * 2 + 77
        let naive = NaiveTree(count: count)
        let flat = try MemoryHashStore(leafHashes: naive.leafHashes)
        let (full, builder) = Self.build(naive.leafHashes)
        var tiles: [[Int64]: [UInt8]] = [:]
        for (level, index, hashes) in full { tiles[[Int64(level), index]] = hashes }
        for (level, edge) in builder.edges.enumerated() where !edge.isEmpty {
            tiles[[Int64(level), Int64(count) >> (8 * level + 8)]] = edge
        }
        let sha = SHA256.Context()
        var scratch = [UInt8](repeating: 0, count: 4096)
        for index in 0..<Merkle.storedHashCount(Int64(count)) {
            let (level, n) = Merkle.splitStoredHashIndex(index)
            let span = Merkle.tileSpan(level: level, n: n)
            let tile = try #require(tiles[[Int64(span.tileLevel), span.tileIndex]], "index \(index)")
            let hash = tile.withUnsafeBytes { bytes in
                scratch.withUnsafeMutableBytes { Merkle.subtreeHash(bytes, offset: span.offset, count: span.count, using: sha, scratch: $0) }
            }
            #expect(hash == flat.hashes[Int(index)], "stored index \(index) = (\(level), \(n))")
        }
        // Spans worked by hand: (9, 1) covers level-8 hashes 2, 3 of tile (1, 0); (3, 40) covers
        // leaves 320–327 of tile (0, 1) from offset 64.
        #expect(Merkle.tileSpan(level: 9, n: 1) == (1, 0, 2, 2))
        #expect(Merkle.tileSpan(level: 3, n: 40) == (0, 1, 64, 8))
        #expect(Merkle.tileWidth(tileLevel: 0, tileIndex: 2, size: Int64(count)) == 77)
        #expect(Merkle.tileWidth(tileLevel: 0, tileIndex: 1, size: Int64(count)) == 256)
        #expect(Merkle.tileWidth(tileLevel: 1, tileIndex: 0, size: Int64(count)) == 2)
        #expect(Merkle.tileWidth(tileLevel: 0, tileIndex: 3, size: Int64(count)) == 0)
    }

    @Test("a builder restored from stored edges continues as one that never stopped")
    func restoredFromEdges() throws {
        let naive = NaiveTree(count: 700)
        for cut in [0, 1, 255, 256, 257, 511, 512, 600] {
            let (_, first) = Self.build(Array(naive.leafHashes.prefix(cut)))
            var resumed = try TileBuilder(size: Int64(cut), edges: first.edges)
            var full: [(Int, Int64, [UInt8])] = []
            for leaf in naive.leafHashes[cut...] { resumed.append(leafHash: leaf) { full.append(($0, $1, $2)) } }
            var (allFull, whole) = Self.build(naive.leafHashes)
            #expect(resumed.edges == whole.edges, "cut \(cut)")
            #expect(resumed.rootHash() == whole.rootHash())
            #expect(full.map(\.1) == allFull.filter { Int64(256 * ($0.1 + 1)) << (8 * $0.0) > Int64(cut) }.map(\.1), "cut \(cut)")
        }
        // An edge shorter than the size needs is refused.
        #expect(throws: MerkleError.self) { try TileBuilder(size: 5, edges: [Array(naive.leafHashes.prefix(4).joined())]) }
    }
}
