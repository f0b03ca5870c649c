import LedgerMerkle

/// The Merkle tree's stored hashes in the `tree` table (flat layout of `Merkle.storedHashIndex`).
/// Hashes it writes or reads are remembered for the life of the value (one append batch): the
/// siblings a new leaf needs are almost always among them, so a batch reads the table rarely.
final class TreeStore: HashReader {
    let connection: Connection
    private var recent: [Int64: [UInt8]] = [:]
    /// A bound on `recent`: an append batch needs a few thousand hashes; a long export that
    /// proves every event must not keep them all.
    private static let recentLimit = 100_000

    private func remember(_ index: Int64, _ hash: [UInt8]) {
        if recent.count >= Self.recentLimit { recent.removeAll(keepingCapacity: true) }
        recent[index] = hash
    }

    init(connection: Connection) { self.connection = connection }

    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        if indexes.allSatisfy({ recent[$0] != nil }) { return indexes.map { recent[$0]! } }
        let statement = try connection.statement("SELECT node FROM tree WHERE idx = ?")
        defer { statement.reset() }
        return try indexes.map { index in
            if let known = recent[index] { return known }
            statement.reset()
            try statement.bind([.int(index)])
            guard try statement.step() else {
                throw LedgerError.integrity("the Merkle tree lacks stored hash \(index); run `listledger verify`")
            }
            let hash = statement.blob(0)
            remember(index, hash)
            return hash
        }
    }

    /// Stores the hashes that appending leaf `index` adds.
    func append(leaf index: Int64, leafHash: [UInt8]) throws {
        let hashes = try Merkle.storedHashes(forLeaf: index, leafHash: leafHash, reader: self)
        let insert = try connection.statement("INSERT INTO tree(idx, node) VALUES (?, ?)")
        var position = Merkle.storedHashCount(index)
        for hash in hashes {
            insert.reset()
            try insert.bind([.int(position), .blob(hash)])
            _ = try insert.step()
            remember(position, hash)
            position += 1
        }
    }
}
