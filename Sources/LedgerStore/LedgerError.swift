package import LedgerDomain

/// Why a ledger operation failed, in words an operator can act on.
package enum LedgerError: Error, CustomStringConvertible {
    /// Bad input: refused, nothing written (exit 1).
    case input(InputError)
    /// The ledger file is missing, not a ledger, or of another schema (exit 1).
    case notALedger(path: String, reason: String)
    /// SQLite refused (read-only file, disk full, …).
    case storage(SQLiteError)
    /// The stored data contradicts itself (exit 4).
    case integrity(String)

    package var description: String {
        switch self {
        case .input(let error): error.description
        case let .notALedger(path, reason): "\(path): \(reason)"
        case .storage(let error):
            if error.isReadOnly { "the ledger file is read-only (\(error.message)); nothing was written" }
            else if error.isFull { "the disk is full (\(error.message)); nothing was written and the ledger is unchanged" }
            else if error.isIOError { "the ledger file could not be written (\(error.message)): the disk may be full or a file-size limit reached; nothing was written and the ledger is unchanged" }
            else { error.description }
        case .integrity(let reason): "integrity failure: \(reason)"
        }
    }
}
