import LedgerMerkle

/// The Merkle tree's stored hashes in the `tree` table (flat layout of `Merkle.storedHashIndex`).
struct TreeStore: HashReader {
    let connection: Connection

    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        let statement = try connection.statement("SELECT node FROM tree WHERE idx = ?")
        return try indexes.map { index in
            statement.reset()
            try statement.bind([.int(index)])
            guard try statement.step() else {
                throw LedgerError.integrity("the Merkle tree lacks stored hash \(index); run `listledger verify`")
            }
            return statement.blob(0)
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
            position += 1
        }
    }
}
