/// Why a proof was not accepted. The two cases are two answers a caller gives differently: the
/// command line exits 1 for `unreadable` and 4 for `failed`; a server would answer 400 and 422.
package enum ProofCheckError: Error, Sendable, CustomStringConvertible {
    /// The proof document cannot be read: a field is missing, mistyped or not base64.
    case unreadable(String)
    /// The proof was read and does not hold; the text names the failed check.
    case failed(String)

    package var description: String {
        switch self {
        case .unreadable(let reason), .failed(let reason): reason
        }
    }
}
