import LedgerCrypto
import LedgerDomain
import LedgerMerkle
#if canImport(Glibc)
import Glibc
#endif

/// Verifies events `low…high` of a tiled ledger: each row's seq, its own canonical seq, its
/// chain hash, the link to the row before it (within the segment), and the tiles: the leaves are
/// hashed into tiles again (`TileBuilder`) and every tile is compared blob-wise with the stored
/// one when it completes, the partial ones at the end. The answer is the one the row-per-node
/// check gives: the first bad seq is the earliest of a broken chain and of a stored hash that
/// does not match, named by its flat index (`Merkle.storedHashIndex`) and the seq it was written
/// with. The tiles before `low` are read from the stored ones, which the segment before checks.
/// One SHA-256 context for the segment; the chain and leaf hashes go into two fixed buffers.
func verifyTileSegment(connection: Connection, low: Int64, high: Int64, last: Bool,
                       progress: (@Sendable (Int64) -> Void)?) throws -> SegmentResult {
    var result = SegmentResult()
    guard low <= high else {
        result.root = Merkle.emptyTreeHash
        return result
    }
    let sha = SHA256.Context()
    var tiles: TileBuilder
    do {
        tiles = try TileBuilder(size: low - 1, edges: storedEdges(connection: connection, size: low - 1), using: sha)
    } catch let MerkleError.missingStoredHash(index, _) {
        // The tiles before `low` stop short: the segment before names the missing hash (it
        // checks its edges at its end); this answer only stands if it somehow did not.
        let (level, n) = Merkle.splitStoredHashIndex(index)
        let seq = (n + 1) << level
        result.failure = (seq, "the stored Merkle tree node \(index), written with seq \(seq), does not match the events")
        return result
    }
    let statement = try connection.statement("SELECT seq, canonical, prev_hash, hash FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq")
    try statement.bind([.int(low), .int(high)])

    /// The earliest stored hash of tile (`level`, `index`) that differs from `computed` (its
    /// first `width` hashes) or is missing: the seq it was written with and its flat index.
    func firstMismatch(level: Int, index: Int64, computed: [UInt8]) throws -> (seq: Int64, node: Int64)? {
        let stored = try storedTile(connection: connection, level: level, index: index) ?? []
        let length = computed.count
        if stored.count >= length, stored.withUnsafeBytes({ s in computed.withUnsafeBytes { memcmp(s.baseAddress!, $0.baseAddress!, length) == 0 } }) {
            return nil
        }
        return Merkle.firstMismatch(tileLevel: level, index: index, computed: computed, stored: stored)
    }
    /// The earliest mismatch among the hashes computed so far that no full tile has checked.
    func pendingMismatch() throws -> (seq: Int64, node: Int64)? {
        var first: (seq: Int64, node: Int64)?
        for (level, edge) in tiles.edges.enumerated() where !edge.isEmpty {
            let index = tiles.size >> (Merkle.tileHeight * level + Merkle.tileHeight)
            if let bad = try firstMismatch(level: level, index: index, computed: edge), bad.seq < first?.seq ?? .max { first = bad }
        }
        return first
    }
    func treeFailure(_ bad: (seq: Int64, node: Int64)) -> (Int64, String) {
        (bad.seq, "the stored Merkle tree node \(bad.node), written with seq \(bad.seq), does not match the events")
    }
    /// Ends the segment at `failure`, unless a stored hash of an earlier seq is already wrong.
    func fail(_ failure: (Int64, String)) throws -> SegmentResult {
        if let bad = try pendingMismatch(), bad.seq < failure.0 {
            result.failure = treeFailure(bad)
        } else {
            result.failure = failure
        }
        return result
    }

    var expected = low
    var previous = [UInt8](repeating: 0, count: 32)
    var hash = [UInt8](repeating: 0, count: 32)
    var leaf = [UInt8](repeating: 0, count: 32)
    var unreported: Int64 = 0
    var chainFailure: (Int64, String)?
    while try statement.step() {
        let seq = statement.int(0)
        guard seq == expected else {
            return try fail(seq > expected ? (expected, "event \(expected) is missing (the next stored seq is \(seq))") : (seq, "seq \(seq) is out of order"))
        }
        statement.withBlob(1) { canonical in
            guard CanonicalSeq.read(canonical) == seq else {
                chainFailure = (seq, "the stored event's own seq is \(CanonicalSeq.read(canonical).map(String.init) ?? "unreadable"), not \(seq): rows were moved or edited")
                return
            }
            statement.withBlob(2) { prevHash in
                if seq == low {
                    result.firstPrevHash = Array(prevHash)
                } else if !same(prevHash, previous) {
                    chainFailure = (seq, "prev_hash does not match the hash of event \(seq - 1)")
                    return
                }
                sha.start()
                sha.update(prevHash)
                sha.update(canonical)
                hash.withUnsafeMutableBytes { sha.finish(into: $0.baseAddress!) }
                guard statement.withBlob(3, { same($0, hash) }) else {
                    chainFailure = (seq, "the stored hash does not match SHA-256(prev_hash || canonical bytes): the event or its hash was altered")
                    return
                }
                sha.start()
                sha.update(byte: 0x00)
                sha.update(canonical)
                leaf.withUnsafeMutableBytes { sha.finish(into: $0.baseAddress!) }
            }
        }
        if let chainFailure { return try fail(chainFailure) }
        var bad: (seq: Int64, node: Int64)?
        try leaf.withUnsafeBytes { leafHash in
            try tiles.append(leafHash: leafHash) { level, index, hashes in
                if let found = try firstMismatch(level: level, index: index, computed: hashes), found.seq < bad?.seq ?? .max { bad = found }
            }
        }
        if var bad {
            if let pending = try pendingMismatch(), pending.seq < bad.seq { bad = pending }
            result.failure = treeFailure(bad)
            return result
        }
        swap(&previous, &hash)
        result.count += 1
        expected += 1
        unreported += 1
        if unreported == 100_000, let progress { progress(unreported); unreported = 0 }
    }
    if expected <= high {
        return try fail((expected, "the log ends at seq \(expected - 1) but the head records \(high) events: the tail was cut off"))
    }
    if let bad = try pendingMismatch() {
        result.failure = treeFailure(bad)
        return result
    }
    result.lastHash = previous
    if last { result.root = tiles.rootHash() }
    return result
}
