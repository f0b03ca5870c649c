/// Why a tree computation could not be done. Verification never throws: it answers false.
package enum MerkleError: Error, Equatable, CustomStringConvertible {
    /// The arguments do not describe a tree position (for example a leaf index ≥ the tree size).
    case invalidArguments(operation: String, detail: String)
    /// The hash store answered with a different number of hashes than it was asked for.
    case wrongHashCount(operation: String, asked: Int, got: Int)
    /// The hash store answered with a value that is not a 32-byte hash.
    case malformedStoredHash(index: Int64, byteCount: Int)
    /// The hash store does not hold the hash at `index` (it holds `count` hashes).
    case missingStoredHash(index: Int64, count: Int64)

    package var description: String {
        switch self {
        case let .invalidArguments(operation, detail):
            "\(operation): \(detail)"
        case let .wrongHashCount(operation, asked, got):
            "\(operation): the hash store returned \(got) hashes for \(asked) indexes; the tree table is damaged or incomplete"
        case let .malformedStoredHash(index, byteCount):
            "stored hash \(index) has \(byteCount) bytes, not 32; the tree table is damaged"
        case let .missingStoredHash(index, count):
            "stored hash \(index) does not exist (the store holds \(count)); the tree table is behind the log"
        }
    }
}
