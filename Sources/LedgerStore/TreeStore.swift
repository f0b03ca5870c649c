import LedgerCrypto
import LedgerMerkle

/// The Merkle tree's stored hashes, answered in the flat layout of `Merkle.storedHashIndex`
/// (what every proof and root function reads) from the tiles of schema 6 (docs/design.md,
/// "Merkle tiles"): full tiles in `tiles` (append-only by trigger), the partial right edge of
/// each tile level in `tile_edge` (one row per tile level, rewritten at the end of every append
/// batch). A ledger of an older schema opened read-only still has the flat `tree` table of one
/// row per node; this reads that as before.
///
/// Hashes and tiles it reads or writes are remembered for the life of the value (one append
/// batch, one proof, one export).
final class TreeStore: HashReader {
    let connection: Connection
    /// The older schema's `tree(idx, node)` table instead of tiles.
    let flat: Bool
    private var recent: [Int64: [UInt8]] = [:]
    private var tiles: [TileKey: [UInt8]] = [:]
    /// The tiles of the current append batch (nil until the first append).
    private var builder: TileBuilder?
    private let sha = SHA256.Context()
    private var scratch = [UInt8](repeating: 0, count: Merkle.tileBytes / 2)
    /// A bound on what is remembered: an append batch needs a few thousand hashes; a long
    /// export that proves every event must not keep them all.
    private static let recentLimit = 100_000
    private static let tileLimit = 256

    fileprivate struct TileKey: Hashable {
        let level: Int
        let index: Int64
    }

    init(connection: Connection) {
        self.connection = connection
        flat = ((try? connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tiles'")) ?? 0) == 0
    }

    private func remember(_ index: Int64, _ hash: [UInt8]) {
        if recent.count >= Self.recentLimit { recent.removeAll(keepingCapacity: true) }
        recent[index] = hash
    }

    private func missing(_ index: Int64) -> LedgerError {
        LedgerError.integrity("the Merkle tree lacks stored hash \(index); run `listledger verify`")
    }

    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        if indexes.allSatisfy({ recent[$0] != nil }) { return indexes.map { recent[$0]! } }
        return try indexes.map { index in
            if let known = recent[index] { return known }
            let hash = try flat ? readFlat(index) : readFromTiles(index)
            remember(index, hash)
            return hash
        }
    }

    private func readFlat(_ index: Int64) throws -> [UInt8] {
        let statement = try connection.statement("SELECT node FROM tree WHERE idx = ?")
        defer { statement.reset() }
        try statement.bind([.int(index)])
        guard try statement.step() else { throw missing(index) }
        return statement.blob(0)
    }

    private func readFromTiles(_ index: Int64) throws -> [UInt8] {
        let (level, n) = Merkle.splitStoredHashIndex(index)
        let span = Merkle.tileSpan(level: level, n: n)
        guard let tile = try tile(level: span.tileLevel, index: span.tileIndex), tile.count >= (span.offset + span.count) * Merkle.hashSize else {
            throw missing(index)
        }
        let sha = self.sha
        return tile.withUnsafeBytes { bytes in
            scratch.withUnsafeMutableBytes { Merkle.subtreeHash(bytes, offset: span.offset, count: span.count, using: sha, scratch: $0) }
        }
    }

    /// The stored hashes of tile (`level`, `index`): this batch's edge, a full tile, or the
    /// stored partial edge; nil when none is stored.
    func tile(level: Int, index: Int64) throws -> [UInt8]? {
        if let builder, level < builder.edges.count, !builder.edges[level].isEmpty,
           index == builder.size >> (Merkle.tileHeight * level + Merkle.tileHeight) {
            return builder.edges[level]
        }
        let key = TileKey(level: level, index: index)
        if let known = tiles[key] { return known }
        if let full = try storedTile(connection: connection, level: level, index: index) {
            if full.count == Merkle.tileBytes {
                if tiles.count >= Self.tileLimit { tiles.removeAll(keepingCapacity: true) }
                tiles[key] = full
            }
            return full
        }
        return nil
    }

    /// Adds the tiles that appending leaf `index` changes (full tiles at once, the edge at
    /// ``flush()``).
    func append(leaf index: Int64, leafHash: [UInt8]) throws {
        if builder == nil {
            builder = try TileBuilder(size: index, edges: storedEdges(connection: connection, size: index), using: sha)
        }
        guard builder!.size == index else {
            throw LedgerError.integrity("the Merkle tree has \(builder!.size) leaves, not \(index); run `listledger verify`")
        }
        let insert = try connection.statement("INSERT INTO tiles(level, idx, hashes) VALUES (?, ?, ?)")
        try builder!.append(leafHash: leafHash) { level, tileIndex, hashes in
            insert.reset()
            try insert.bind([.int(Int64(level)), .int(tileIndex), .blob(hashes)])
            _ = try insert.step()
            tiles[TileKey(level: level, index: tileIndex)] = hashes
        }
    }

    /// What ``restore(_:)`` goes back to: the tiles built and remembered so far.
    struct Mark {
        fileprivate let builder: TileBuilder?
        fileprivate let tiles: [TileKey: [UInt8]]
        fileprivate let recent: [Int64: [UInt8]]
    }

    /// Before a batch of a group commit, which shares this value with the batches before it
    /// (one edge write per transaction instead of one per batch).
    func mark() -> Mark { Mark(builder: builder, tiles: tiles, recent: recent) }

    /// After that batch was rolled back to its SAVEPOINT (its full tiles with it): forget what
    /// it appended.
    func restore(_ mark: Mark) {
        builder = mark.builder
        tiles = mark.tiles
        recent = mark.recent
    }

    /// Writes the partial right edge of every tile level (once per append transaction).
    func flush() throws {
        guard let builder else { return }
        try writeEdges(connection: connection, builder: builder)
    }
}

/// The stored tile (`level`, `index`): the full tile, or the partial edge row of that index.
func storedTile(connection: Connection, level: Int, index: Int64) throws -> [UInt8]? {
    if let full = try connection.scalarBlob("SELECT hashes FROM tiles WHERE level = ? AND idx = ?", [.int(Int64(level)), .int(index)]) {
        return full
    }
    return try connection.scalarBlob("SELECT hashes FROM tile_edge WHERE level = ? AND idx = ?", [.int(Int64(level)), .int(index)])
}

/// The right edge of each tile level of a tree of `size` leaves, as stored (for
/// `TileBuilder(size:edges:)`, which checks that each holds at least the hashes it must).
func storedEdges(connection: Connection, size: Int64) throws -> [[UInt8]] {
    var edges: [[UInt8]] = []
    var level = 0
    while level == 0 || (Merkle.tileHeight * level < 63 && size >> (Merkle.tileHeight * level) > 0) {
        let shift = Merkle.tileHeight * level + Merkle.tileHeight
        let index = shift < 63 ? size >> shift : 0
        let width = Merkle.tileWidth(tileLevel: level, tileIndex: index, size: size)
        edges.append(width == 0 ? [] : try storedTile(connection: connection, level: level, index: index) ?? [])
        level += 1
    }
    return edges
}

/// Replaces the `tile_edge` rows with the builder's partial tiles (a level whose edge is empty
/// has no row).
func writeEdges(connection: Connection, builder: TileBuilder) throws {
    for (level, edge) in builder.edges.enumerated() {
        if edge.isEmpty {
            try connection.run("DELETE FROM tile_edge WHERE level = ?", [.int(Int64(level))])
        } else {
            let index = builder.size >> (Merkle.tileHeight * level + Merkle.tileHeight)
            try connection.run("INSERT INTO tile_edge(level, idx, hashes) VALUES (?, ?, ?) ON CONFLICT(level) DO UPDATE SET idx = excluded.idx, hashes = excluded.hashes",
                               [.int(Int64(level)), .int(index), .blob(edge)])
        }
    }
}
