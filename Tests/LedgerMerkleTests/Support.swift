import Foundation
import TestSupport
import LedgerCrypto
@testable import LedgerMerkle


/// Decodes a JSON fixture under `Fixtures/vectors/`.
func loadVector<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
    let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/vectors").appendingPathComponent(path))
    return try JSONDecoder().decode(T.self, from: data)
}




/// RFC 6962 §2.1 written out literally and recursively over leaf hashes, with no stored-hash
/// layout: the reference the Go-derived code is compared with. Subtree hashes are memoised by
/// range, so a whole family of trees over the same leaves stays cheap.
final class NaiveTree {
    let leafHashes: [[UInt8]]
    private var memo: [Int: [UInt8]] = [:]

    init(leafHashes: [[UInt8]]) { self.leafHashes = leafHashes }

    /// Leaf hashes of "leaf 0", "leaf 1", … (the data Go's tlog tests use).
    convenience init(count: Int) {
        self.init(leafHashes: (0..<count).map { i in
            SHA256.hash([0x00] + Array("leaf \(i)".utf8))
        })
    }

    /// k: the largest power of two smaller than n (n > 1).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH(D[lo:hi]).
    func mth(_ lo: Int, _ hi: Int) -> [UInt8] {
        let n = hi - lo
        if n == 0 { return SHA256.hash([UInt8]()) }
        if n == 1 { return leafHashes[lo] }
        let key = lo << 32 | hi
        if let hash = memo[key] { return hash }
        let k = NaiveTree.split(n)
        let hash = SHA256.hash([0x01] + mth(lo, lo + k) + mth(lo + k, hi))
        memo[key] = hash
        return hash
    }

    /// PATH(m, D[lo:hi]) of RFC 6962 §2.1.1.
    func path(_ m: Int, _ lo: Int, _ hi: Int) -> [[UInt8]] {
        let n = hi - lo
        if n == 1 { return [] }
        let k = NaiveTree.split(n)
        if m < k { return path(m, lo, lo + k) + [mth(lo + k, hi)] }
        return path(m - k, lo + k, hi) + [mth(lo, lo + k)]
    }

    /// PROOF(m, D[0:n]) of RFC 6962 §2.1.2.
    func consistency(_ m: Int, _ n: Int) -> [[UInt8]] { subproof(m, 0, n, true) }

    private func subproof(_ m: Int, _ lo: Int, _ hi: Int, _ complete: Bool) -> [[UInt8]] {
        let n = hi - lo
        if m == n { return complete ? [] : [mth(lo, hi)] }
        let k = NaiveTree.split(n)
        if m <= k { return subproof(m, lo, lo + k, complete) + [mth(lo + k, hi)] }
        return subproof(m - k, lo + k, hi, false) + [mth(lo, lo + k)]
    }

    /// The left/right turns from the root down to leaf m in a tree of n leaves (RFC 6962 split).
    static func shape(_ m: Int, _ n: Int) -> [Bool] {
        if n <= 1 { return [] }
        let k = split(n)
        return m < k ? [false] + shape(m, k) : [true] + shape(m - k, n - k)
    }
}

/// `proof` with bit `bit` of hash `element` flipped.
func flipping(_ proof: [[UInt8]], element: Int, bit: Int) -> [[UInt8]] {
    var proof = proof
    proof[element][bit / 8] ^= UInt8(1) << UInt8(bit % 8)
    return proof
}
