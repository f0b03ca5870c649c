package import LedgerDomain

/// Why a storage operation failed, in words an operator can act on, naming no command-line
/// flag (the command line and the server add their own wording: which option, which route).
package enum StorageError: Error, Sendable, CustomStringConvertible {
    /// Refused input: nothing was written. The field names the event's field, or the
    /// argument of the call (e.g. `entry`), never an option.
    case input(InputError)
    /// Nothing at `path` is a ledger: `missing` when no file is there.
    case notALedger(path: String, reason: String, missing: Bool)
    /// The engine refused (read-only file, disk full, server gone): nothing was written.
    case unavailable(String)
    /// The stored data contradicts itself.
    case integrity(String)

    package var description: String {
        switch self {
        case .input(let error): error.description
        case let .notALedger(path, reason, _): "\(path): \(reason)"
        case .unavailable(let reason): reason
        case .integrity(let reason): "integrity failure: \(reason)"
        }
    }
}
