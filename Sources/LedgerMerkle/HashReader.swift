/// Reads stored tree hashes by their index in the flat layout of ``Merkle/storedHashIndex(level:n:)``.
///
/// The SQLite store implements it over a table `(idx INTEGER PRIMARY KEY, hash BLOB)`.
package protocol HashReader {
    /// The hashes at `indexes`, in the same order, one per index, or an error.
    /// The tree functions always ask for indexes in increasing order.
    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]]
}

/// Stored tree hashes held in memory: for tests, and for rebuilding a tree from a bundle.
package struct MemoryHashStore: HashReader, Sendable, Equatable {
    /// Every stored hash, at its stored index.
    package private(set) var hashes: [[UInt8]] = []
    /// The number of leaves appended.
    package private(set) var size: Int64 = 0

    package init() {}

    /// A store holding the tree of these leaf hashes, in order.
    package init(leafHashes: some Sequence<[UInt8]>) throws {
        for leaf in leafHashes { try append(leafHash: leaf) }
    }

    /// Appends the next leaf and returns the hashes it added (the leaf and each completed parent).
    @discardableResult
    package mutating func append(leafHash: [UInt8]) throws -> [[UInt8]] {
        let added = try Merkle.storedHashes(forLeaf: size, leafHash: leafHash, reader: self)
        hashes.append(contentsOf: added)
        size += 1
        return added
    }

    package func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        try indexes.map { index in
            guard index >= 0, index < Int64(hashes.count) else {
                throw MerkleError.missingStoredHash(index: index, count: Int64(hashes.count))
            }
            return hashes[Int(index)]
        }
    }
}
