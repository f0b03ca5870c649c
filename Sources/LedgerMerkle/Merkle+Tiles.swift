package import LedgerCrypto

// The tree stored as tiles (C2SP tlog-tiles): a tile is 8 levels high and 256 hashes wide; the
// tile of tile level L and index N holds the tree's level-8L hashes N·256 … N·256+255, in
// order, concatenated (32 bytes each). A full tile never changes; the right edge of each tile
// level is a partial tile of width W < 256 that grows until it is full. The hashes of the seven
// levels inside a tile are not stored: they are recomputed from the tile's bottom row.

extension Merkle {
    /// log₂ of a tile's width: the number of tree levels one tile level spans.
    package static let tileHeight = 8
    /// Hashes in a full tile.
    package static let tileWidth = 256
    /// Bytes of a full tile.
    package static let tileBytes = 256 * 32

    /// Where the stored hash at tree coordinates (`level`, `n`) comes from: the `count` hashes
    /// from `offset` of tile (`tileLevel`, `tileIndex`), whose subtree hash it is.
    package static func tileSpan(level: Int, n: Int64) -> (tileLevel: Int, tileIndex: Int64, offset: Int, count: Int) {
        let tileLevel = level / tileHeight, inner = level % tileHeight
        let first = n << inner
        return (tileLevel, first >> tileHeight, Int(first & Int64(tileWidth - 1)), 1 << inner)
    }

    /// The width of the tile (`tileLevel`, `tileIndex`) in a tree of `size` leaves: 256 for a
    /// full tile, 1…255 for the partial right edge, 0 when the tree does not reach it.
    package static func tileWidth(tileLevel: Int, tileIndex: Int64, size: Int64) -> Int {
        let shift = tileHeight * tileLevel
        guard shift < 63 else { return 0 }
        let hashes = size >> shift
        let before = tileIndex << tileHeight
        if hashes <= before { return 0 }
        return Int(min(Int64(tileWidth), hashes - before))
    }

    /// The RFC 6962 hash of the perfect subtree over `count` (a power of two) consecutive
    /// 32-byte hashes at `bytes[offset·32…]`, using `sha` and `scratch` (no array per hash).
    package static func subtreeHash(_ bytes: UnsafeRawBufferPointer, offset: Int, count: Int, using sha: SHA256.Context,
                                    scratch: UnsafeMutableRawBufferPointer) -> [UInt8] {
        precondition(count >= 1 && count & (count - 1) == 0 && (offset + count) * hashSize <= bytes.count && (count / 2) * hashSize <= scratch.count)
        if count == 1 { return Array(bytes[(offset * hashSize)..<((offset + 1) * hashSize)]) }
        // First level from the tile into scratch, then in place: node i of the next level is
        // written over node 2i after nodes 2i and 2i+1 were read.
        for i in 0..<(count / 2) {
            sha.start()
            sha.update(byte: 0x01)
            sha.update(UnsafeRawBufferPointer(rebasing: bytes[((offset + 2 * i) * hashSize)..<((offset + 2 * i + 2) * hashSize)]))
            sha.finish(into: scratch.baseAddress! + i * hashSize)
        }
        var width = count / 2
        while width > 1 {
            for i in 0..<(width / 2) {
                sha.start()
                sha.update(byte: 0x01)
                sha.update(UnsafeRawBufferPointer(rebasing: scratch[((2 * i) * hashSize)..<((2 * i + 2) * hashSize)]))
                sha.finish(into: scratch.baseAddress! + i * hashSize)
            }
            width /= 2
        }
        return Array(scratch[0..<hashSize])
    }
}

/// The tiles of a growing tree: the partial tile of every tile level, kept in memory, and the
/// full tiles handed out as they complete. Used to append, to verify (recomputing the tiles
/// from the leaves) and to convert the flat layout. Not `Sendable` (it owns a SHA-256 context).
package struct TileBuilder {
    /// The partial right-edge tile of each tile level (index = tile level), hashes concatenated;
    /// empty where that level's edge is empty. Never 256 hashes: a full tile moves out.
    package private(set) var edges: [[UInt8]] = [[]]
    /// The number of leaves appended.
    package private(set) var size: Int64 = 0
    private let sha: SHA256.Context
    private var scratch = [UInt8](repeating: 0, count: Merkle.tileBytes / 2)

    package init(using sha: SHA256.Context = SHA256.Context()) { self.sha = sha }

    /// The state after `size` leaves, from the stored right edges: `edges[L]` must hold the
    /// first `tileWidth(L, size >> (8L+8), size)` hashes of that tile (more are ignored).
    package init(size: Int64, edges stored: [[UInt8]], using sha: SHA256.Context = SHA256.Context()) throws {
        self.sha = sha
        self.size = size
        var edges: [[UInt8]] = []
        var level = 0
        while level == 0 || (Merkle.tileHeight * level < 63 && size >> (Merkle.tileHeight * level) > 0) {
            let index = Merkle.tileHeight * level + Merkle.tileHeight < 63 ? size >> (Merkle.tileHeight * level + Merkle.tileHeight) : 0
            let width = Merkle.tileWidth(tileLevel: level, tileIndex: index, size: size)
            let have = level < stored.count ? stored[level] : []
            guard have.count >= width * Merkle.hashSize else {
                throw MerkleError.missingStoredHash(index: Merkle.storedHashIndex(level: Merkle.tileHeight * level, n: (index << Merkle.tileHeight) + Int64(have.count / Merkle.hashSize)),
                                                    count: Merkle.storedHashCount(size))
            }
            edges.append(Array(have.prefix(width * Merkle.hashSize)))
            level += 1
        }
        self.edges = edges
    }

    /// Adds the next leaf hash (32 bytes). `full` gets each tile the leaf completes, lowest tile
    /// level first, as (tile level, tile index, its 8,192 bytes).
    package mutating func append(leafHash: UnsafeRawBufferPointer, full: (Int, Int64, [UInt8]) throws -> Void) rethrows {
        precondition(leafHash.count == Merkle.hashSize)
        edges[0].append(contentsOf: leafHash)
        size += 1
        var level = 0
        while edges[level].count == Merkle.tileBytes {
            let index = (size >> (Merkle.tileHeight * level + Merkle.tileHeight)) - 1
            try full(level, index, edges[level])
            let sha = self.sha
            let top = edges[level].withUnsafeBytes { tile in
                scratch.withUnsafeMutableBytes { Merkle.subtreeHash(tile, offset: 0, count: Merkle.tileWidth, using: sha, scratch: $0) }
            }
            edges[level].removeAll(keepingCapacity: true)
            if level + 1 == edges.count { edges.append([]) }
            edges[level + 1].append(contentsOf: top)
            level += 1
        }
    }

    package mutating func append(leafHash: [UInt8], full: (Int, Int64, [UInt8]) throws -> Void) rethrows {
        try leafHash.withUnsafeBytes { try append(leafHash: $0, full: full) }
    }

    /// The RFC 6962 root of the `size` leaves, from the edges alone: each set bit of a level's
    /// width is a perfect subtree of the decomposition.
    package mutating func rootHash() -> [UInt8] {
        if size == 0 { return Merkle.emptyTreeHash }
        var parts: [[UInt8]] = []
        let sha = self.sha
        for level in stride(from: edges.count - 1, through: 0, by: -1) {
            let width = edges[level].count / Merkle.hashSize
            var offset = 0
            for bit in stride(from: Merkle.tileHeight - 1, through: 0, by: -1) where width & (1 << bit) != 0 {
                parts.append(edges[level].withUnsafeBytes { tile in
                    scratch.withUnsafeMutableBytes { Merkle.subtreeHash(tile, offset: offset, count: 1 << bit, using: sha, scratch: $0) }
                })
                offset += 1 << bit
            }
        }
        var hash = parts.removeLast()
        for left in parts.reversed() { hash = Merkle.nodeHash(left, hash) }
        return hash
    }
}

extension Merkle {
    /// The earliest hash of tile (`tileLevel`, `index`) where `stored` differs from `computed`
    /// (the tile's first hashes, recomputed from the events) or stops short: the seq whose
    /// append wrote that hash and its flat index (`storedHashIndex`), as `verify` names a damaged
    /// tree on either engine; nil when `stored` starts with `computed`.
    package static func firstMismatch(tileLevel: Int, index: Int64, computed: [UInt8], stored: [UInt8]) -> (seq: Int64, node: Int64)? {
        let length = computed.count
        if stored.count >= length, stored.prefix(length).elementsEqual(computed) { return nil }
        var slot = 0
        while (slot + 1) * hashSize <= min(stored.count, length),
              stored[(slot * hashSize)..<((slot + 1) * hashSize)] == computed[(slot * hashSize)..<((slot + 1) * hashSize)] {
            slot += 1
        }
        let treeLevel = tileHeight * tileLevel
        let n = (index << tileHeight) + Int64(slot)
        return (((n + 1) << treeLevel), storedHashIndex(level: treeLevel, n: n))
    }

    /// The tiles that hold the stored hashes at `indexes` (flat layout), each once.
    package static func tilesHolding(_ indexes: [Int64]) -> [(tileLevel: Int, tileIndex: Int64)] {
        var seen: Set<Int64> = []
        var tiles: [(tileLevel: Int, tileIndex: Int64)] = []
        for index in indexes {
            let (level, n) = splitStoredHashIndex(index)
            let span = tileSpan(level: level, n: n)
            // Tile levels are < 8 and tile indexes < 2^56: one key for both.
            if seen.insert(Int64(span.tileLevel) << 56 | span.tileIndex).inserted { tiles.append((span.tileLevel, span.tileIndex)) }
        }
        return tiles
    }

    /// The stored hash at flat index `index`, recomputed from `tile`, the bytes of the tile
    /// `tilesHolding` named for it (a full tile or a partial edge); nil when the tile stops
    /// short of it.
    package static func storedHash(_ index: Int64, fromTile tile: [UInt8], using sha: SHA256.Context) -> [UInt8]? {
        let (level, n) = splitStoredHashIndex(index)
        let span = tileSpan(level: level, n: n)
        guard tile.count >= (span.offset + span.count) * hashSize else { return nil }
        var scratch = [UInt8](repeating: 0, count: max(hashSize, span.count / 2 * hashSize))
        return tile.withUnsafeBytes { bytes in
            scratch.withUnsafeMutableBytes { subtreeHash(bytes, offset: span.offset, count: span.count, using: sha, scratch: $0) }
        }
    }
}

/// The flat layout's stored hashes (one row per node, `Merkle.storedHashIndex` order) turned
/// into tiles, for the migrations of both engines. Only the level-8L hashes go into tiles (the
/// others are recomputed from them); they are copied, not recomputed, so a tree damaged before
/// the upgrade still fails `verify` after it: a hash that does not continue its tile (a row
/// missing before it, or not 32 bytes) is left out, so that tile stops short.
package struct FlatTreeTiler {
    /// The tile being filled at each tile level (rows come in stored order, where each tile
    /// level's hashes come in increasing n: one tile per level is filled at a time).
    private var filling: [Int: (index: Int64, hashes: [UInt8])] = [:]

    package init() {}

    /// Adds the row of flat index `index`; returns the tile it showed complete (the one before
    /// it at its level, full or stopped short), if any.
    package mutating func add(index: Int64, node: [UInt8]) -> (tileLevel: Int, index: Int64, hashes: [UInt8])? {
        let (level, n) = Merkle.splitStoredHashIndex(index)
        guard level % Merkle.tileHeight == 0 else { return nil }
        let tileLevel = level / Merkle.tileHeight, tileIndex = n >> Merkle.tileHeight, slot = Int(n & Int64(Merkle.tileWidth - 1))
        var finished: (tileLevel: Int, index: Int64, hashes: [UInt8])?
        if let current = filling[tileLevel], current.index != tileIndex {
            finished = (tileLevel, current.index, current.hashes)
            filling[tileLevel] = nil
        }
        let count = filling[tileLevel]?.hashes.count ?? 0
        if node.count == Merkle.hashSize, count == slot * Merkle.hashSize {
            if filling[tileLevel] == nil { filling[tileLevel] = (tileIndex, []) }
            filling[tileLevel]!.hashes.append(contentsOf: node)
        }
        return finished
    }

    /// The tiles still being filled after the last row, lowest tile level first.
    package var remaining: [(tileLevel: Int, index: Int64, hashes: [UInt8])] {
        filling.keys.sorted().map { ($0, filling[$0]!.index, filling[$0]!.hashes) }
    }
}
