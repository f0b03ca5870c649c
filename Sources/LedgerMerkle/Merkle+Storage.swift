// The flat stored-hash layout of Crosby and Wallach, "Efficient Data Structures for
// Tamper-Evident Logging" §3.3, as ported from Go's golang.org/x/mod/sumdb/tlog: when leaf n is
// appended, its hash is stored next, followed by the hash of every subtree it completes,
// bottom-up. So the stored sequence only ever grows at its end.

extension Merkle {
    /// The stored index of the hash at tree coordinates (`level`, `n`): the `n`-th node of that
    /// level, level 0 being the leaves.
    package static func storedHashIndex(level: Int, n: Int64) -> Int64 {
        precondition(level >= 0 && n >= 0, "storedHashIndex(level: \(level), n: \(n))")
        // Level L's n-th hash is written right after level L+1's (2n+1)-th hash:
        // walk down to level 0, then add the level back at the end.
        var n = n
        for _ in 0..<level { n = 2 * n + 1 }
        // Level 0's n-th hash is written at n + n/2 + n/4 + ... .
        var index: Int64 = 0
        while n > 0 {
            index += n
            n >>= 1
        }
        return index + Int64(level)
    }

    /// The tree coordinates of a stored index: the inverse of ``storedHashIndex(level:n:)``.
    package static func splitStoredHashIndex(_ index: Int64) -> (level: Int, n: Int64) {
        precondition(index >= 0, "splitStoredHashIndex(\(index))")
        // storedHashIndex(0, n) < 2n, so the leaf stored last before `index` is in
        // [index/2, index/2 + log₂ index].
        var n = index / 2
        var indexN = storedHashIndex(level: 0, n: n)
        precondition(indexN <= index, "bad index math in splitStoredHashIndex(\(index))")
        while true {
            // Leaf n adds 1 + trailingZeros(n + 1) hashes.
            let next = indexN + 1 + Int64((n + 1).trailingZeroBitCount)
            if next > index { break }
            n += 1
            indexN = next
        }
        // The hash was stored with leaf n: it is one of (0, n), (1, n/2), (2, n/4), ...
        let level = Int(index - indexN)
        return (level, n >> level)
    }

    /// The number of stored hashes of a tree of `n` leaves.
    package static func storedHashCount(_ n: Int64) -> Int64 {
        precondition(n >= 0, "storedHashCount(\(n))")
        if n == 0 { return 0 }
        // The hashes up to the last leaf's, then one per subtree that leaf completes.
        var count = storedHashIndex(level: 0, n: n - 1) + 1
        var i = UInt64(n - 1)
        while i & 1 != 0 {
            count += 1
            i >>= 1
        }
        return count
    }

    /// The hashes to store, at indexes `storedHashCount(n)`, `storedHashCount(n) + 1`, …, when
    /// leaf `n` (0-based) is appended: its leaf hash, then the hash of each subtree it completes.
    ///
    /// Reads at most log₂ n earlier hashes (the left siblings) from `reader`.
    package static func storedHashes(forLeaf n: Int64, leafHash: [UInt8], reader: some HashReader) throws -> [[UInt8]] {
        guard n >= 0 else {
            throw MerkleError.invalidArguments(operation: "storedHashes", detail: "leaf index \(n) is negative")
        }
        guard leafHash.count == hashSize else {
            throw MerkleError.invalidArguments(operation: "storedHashes", detail: "leaf hash of \(leafHash.count) bytes (need 32)")
        }
        // Each trailing 1 bit of n completes a subtree, whose left half is already stored.
        let completed = (n + 1).trailingZeroBitCount
        var indexes = [Int64](repeating: 0, count: completed)
        for i in 0..<completed {
            // Sorted increasing; n >> i is always odd here.
            indexes[completed - 1 - i] = storedHashIndex(level: i, n: (n >> i) - 1)
        }
        let siblings = try read(indexes, from: reader, for: "storedHashes")
        var hashes = [leafHash]
        var hash = leafHash
        for i in 0..<completed {
            hash = nodeHash(siblings[completed - 1 - i], hash)
            hashes.append(hash)
        }
        return hashes
    }

    /// Reads `indexes` and checks that the answer has one 32-byte hash per index.
    static func read(_ indexes: [Int64], from reader: some HashReader, for operation: String) throws -> [[UInt8]] {
        if indexes.isEmpty { return [] }
        let hashes = try reader.readHashes(indexes)
        guard hashes.count == indexes.count else {
            throw MerkleError.wrongHashCount(operation: operation, asked: indexes.count, got: hashes.count)
        }
        for (index, hash) in zip(indexes, hashes) where hash.count != hashSize {
            throw MerkleError.malformedStoredHash(index: index, byteCount: hash.count)
        }
        return hashes
    }
}
