import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// Each log's Merkle tree as C2SP tlog-tiles (PostgresSchema.tileStatements), the layout of the
/// SQLite store: full tiles in `tiles`, the partial right edge of each tile level in
/// `tile_edges`. Every proof and root reads the flat indexes LedgerMerkle lists
/// (`Merkle.*Indexes`) through the tiles that hold them, in one query.
extension PostgresLedger {
    /// The stored hashes at flat `indexes` of `log`, recomputed from the tiles holding them.
    func storedHashes(of log: Log, _ indexes: [Int64]) async throws -> StoredHashes {
        guard !indexes.isEmpty else { return StoredHashes(known: [:]) }
        let wanted = Merkle.tilesHolding(indexes)
        let tiles = try await storedTiles(of: log, wanted, connection: nil)
        let sha = SHA256.Context()
        var known: [Int64: [UInt8]] = [:]
        for index in Set(indexes) {
            let (level, n) = Merkle.splitStoredHashIndex(index)
            let span = Merkle.tileSpan(level: level, n: n)
            guard let tile = tiles[TileKey(level: span.tileLevel, index: span.tileIndex)],
                  let hash = Merkle.storedHash(index, fromTile: tile, using: sha) else { continue }
            known[index] = hash
        }
        return StoredHashes(known: known)
    }

    /// The root of `log`'s stored tree of its first `size` events (folded from the right
    /// edge's perfect subtrees, the hashes a sequencer extends).
    package func treeHash(of log: Log, size: Int64) async throws -> [UInt8] {
        guard size > 0 else { return Merkle.emptyTreeHash }
        let edge = Merkle.rightEdge(size: size)
        return try Merkle.treeHash(size: size, reader: FrontierReader(known: try await storedHashes(of: log, edge).known))
    }

    struct TileKey: Hashable {
        let level: Int
        let index: Int64
    }

    /// The stored bytes of the tiles `wanted` of `log`: a full tile, or the partial edge of that
    /// index; a tile neither holds is absent. One statement: one snapshot of both tables.
    func storedTiles(of log: Log, _ wanted: [(tileLevel: Int, tileIndex: Int64)], connection: PostgresConnection?) async throws -> [TileKey: [UInt8]] {
        guard !wanted.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(wanted.map { Int32($0.tileLevel) })
        binds.append(wanted.map(\.tileIndex))
        let query = PostgresQuery(unsafeSQL: """
            WITH w AS (SELECT l, i FROM unnest($2::int4[], $3::int8[]) AS u(l, i))
            SELECT t.level, t.idx, t.hashes FROM tiles t JOIN w ON t.level = w.l AND t.idx = w.i WHERE t.log_id = $1
            UNION ALL
            SELECT e.level, e.idx, e.hashes FROM tile_edges e JOIN w ON e.level = w.l AND e.idx = w.i WHERE e.log_id = $1
            """, binds: binds)
        var tiles: [TileKey: [UInt8]] = [:]
        func collect(_ rows: PostgresRowSequence) async throws {
            for try await (level, index, hashes) in rows.decode((Int32, Int64, ByteBuffer).self) {
                let key = TileKey(level: Int(level), index: index)
                // A full tile and an edge row of the same index cannot both stand (the edge
                // moves on once its tile is full); the longer is the one that holds more.
                if hashes.readableBytes > tiles[key]?.count ?? -1 { tiles[key] = hashes.bytes }
            }
        }
        if let connection {
            try await collect(try await connection.query(query, logger: logger))
        } else {
            try await collect(try await client.query(query, logger: logger))
        }
        return tiles
    }

    /// The partial right edge of every tile level at `size` leaves, as `TileBuilder(size:edges:)`
    /// takes them (read by the sequencer inside its round, under the head lock).
    func storedTileEdges(of log: Log, size: Int64, connection: PostgresConnection) async throws -> [[UInt8]] {
        let shape = Merkle.edgeTiles(size: size)
        let tiles = try await storedTiles(of: log, shape.filter { $0.width > 0 }.map { ($0.tileLevel, $0.tileIndex) }, connection: connection)
        return shape.map { $0.width == 0 ? [] : tiles[TileKey(level: $0.tileLevel, index: $0.tileIndex)] ?? [] }
    }

    /// The statements that store what `tiles` holds after this round's leaves: the tiles they
    /// completed (and the edge rows those tiles retire) first, in a statement of their own so
    /// that the edge trigger sees them; the edges themselves go into the round's main statement.
    func writeFullTiles(_ full: [(level: Int, index: Int64, hashes: [UInt8])], emptyLevels: [Int], log: Log,
                        connection: PostgresConnection) async throws {
        guard !full.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(full.map { Int32($0.level) })
        binds.append(full.map(\.index))
        binds.append(full.map { ByteBuffer(bytes: $0.hashes) })
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO tiles(log_id, level, idx, hashes) SELECT $1, l, i, h FROM unnest($2::int4[], $3::int8[], $4::bytea[]) AS u(l, i, h)
            """, binds: binds), logger: logger)
        if !emptyLevels.isEmpty {
            try await connection.query("DELETE FROM tile_edges WHERE log_id = \(log.id) AND level = ANY(\(emptyLevels.map(Int32.init)))", logger: logger)
        }
    }

    /// Databases made before tiles: copies each log's flat `tree` rows into tiles
    /// (`FlatTreeTiler`, as the SQLite migration does), then drops `tree`. Pages of 100,000
    /// rows: memory stays bounded whatever the log's size.
    func convertFlatTree(_ connection: PostgresConnection) async throws {
        let hasTree = try await connection.query("SELECT to_regclass('public.tree') IS NOT NULL", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        guard hasTree else { return }
        var sizes: [(Int32, Int64)] = []
        for try await row in try await connection.query("SELECT log_id, size FROM heads ORDER BY log_id", logger: logger).decode((Int32, Int64).self) {
            sizes.append(row)
        }
        for (logID, size) in sizes {
            var tiler = FlatTreeTiler()
            var full: [(Int32, Int64, ByteBuffer)] = []
            func flush() async throws {
                guard !full.isEmpty else { return }
                var binds = PostgresBindings()
                binds.append(logID)
                binds.append(full.map(\.0))
                binds.append(full.map(\.1))
                binds.append(full.map(\.2))
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO tiles(log_id, level, idx, hashes) SELECT $1, l, i, h FROM unnest($2::int4[], $3::int8[], $4::bytea[]) AS u(l, i, h)
                    """, binds: binds), logger: logger)
                full.removeAll(keepingCapacity: true)
            }
            func store(_ tileLevel: Int, _ index: Int64, _ tile: [UInt8]) async throws {
                let shift = Merkle.tileHeight * tileLevel + Merkle.tileHeight
                if tile.count == Merkle.tileBytes {
                    full.append((Int32(tileLevel), index, ByteBuffer(bytes: tile)))
                    if full.count >= 64 { try await flush() }
                } else if !tile.isEmpty, index == (shift < 63 ? size >> shift : 0) {
                    try await flush()
                    try await connection.query("""
                        INSERT INTO tile_edges(log_id, level, idx, hashes) VALUES (\(logID), \(Int32(tileLevel)), \(index), \(ByteBuffer(bytes: tile)))
                        """, logger: logger)
                }
            }
            var after: Int64 = -1
            while true {
                let page = try await connection.query(
                    "SELECT idx, node FROM tree WHERE log_id = \(logID) AND idx > \(after) ORDER BY idx LIMIT 100000", logger: logger).collect()
                for row in page {
                    let (stored, node) = try row.decode((Int64, ByteBuffer).self)
                    after = stored
                    if let finished = tiler.add(index: stored, node: node.bytes) { try await store(finished.tileLevel, finished.index, finished.hashes) }
                }
                if page.count < 100_000 { break }
            }
            // Full tiles before edges (an edge's row may only follow its full tiles).
            let remaining = tiler.remaining
            for tile in remaining where tile.hashes.count == Merkle.tileBytes { try await store(tile.tileLevel, tile.index, tile.hashes) }
            try await flush()
            for tile in remaining where tile.hashes.count != Merkle.tileBytes { try await store(tile.tileLevel, tile.index, tile.hashes) }
        }
        try await connection.query("DROP TABLE tree", logger: logger)
    }
}

extension Merkle {
    /// The tile of each tile level that holds the right edge of a tree of `size` leaves, with
    /// the number of its hashes the tree has (0: that level's edge is empty), lowest level first
    /// (the shape `TileBuilder(size:edges:)` reads).
    static func edgeTiles(size: Int64) -> [(tileLevel: Int, tileIndex: Int64, width: Int)] {
        var shape: [(tileLevel: Int, tileIndex: Int64, width: Int)] = []
        var level = 0
        while level == 0 || (tileHeight * level < 63 && size >> (tileHeight * level) > 0) {
            let shift = tileHeight * level + tileHeight
            let index = shift < 63 ? size >> shift : 0
            shape.append((level, index, tileWidth(tileLevel: level, tileIndex: index, size: size)))
            level += 1
        }
        return shape
    }
}
