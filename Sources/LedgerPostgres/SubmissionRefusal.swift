package import LedgerDomain

/// Why the sequencer refused a submission; nothing of it was written. Kept structured (the
/// rules' line and field, or which entry moved on) so that the server answers the same 400 or
/// 409 as on SQLite; `description` is what the command line prints.
package enum SubmissionRefusal: Error, Sendable, CustomStringConvertible {
    /// The rules refused an event (its line within the submission, 1-based).
    case input(InputError)
    /// If-Match: `entry`'s last seq is `lastSeq`, not the `expected` the submitter saw.
    case movedOn(entry: String, expected: Int64, lastSeq: Int64)

    package var description: String {
        switch self {
        case .input(let error): error.description
        case let .movedOn(entry, expected, lastSeq): "entry \(entry) has moved on: its last seq is \(lastSeq), not \(expected); nothing was written"
        }
    }

    /// The text `results.error` keeps for a ticket answered through the inbox: tab-separated
    /// parts, the free text last. (`InputError.refusal`, the translatable reason, is not kept:
    /// a refusal read back from the inbox shows its text only.)
    var stored: String {
        switch self {
        case .input(let error): ["input", error.line.map(String.init) ?? "", error.field ?? "", error.problem].joined(separator: "\t")
        case let .movedOn(entry, expected, lastSeq): ["moved_on", String(expected), String(lastSeq), entry].joined(separator: "\t")
        }
    }

    /// Reads `stored` back; any other text (an answer written before schema 2) is the problem.
    init(stored text: String) {
        let parts = text.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 4, parts[0] == "input" {
            self = .input(InputError(line: Int(parts[1]), field: parts[2].isEmpty ? nil : parts[2], parts[3]))
        } else if parts.count == 4, parts[0] == "moved_on", let expected = Int64(parts[1]), let lastSeq = Int64(parts[2]) {
            self = .movedOn(entry: parts[3], expected: expected, lastSeq: lastSeq)
        } else {
            self = .input(InputError(text))
        }
    }
}
