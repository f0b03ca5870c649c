// C2SP tlog checkpoints (https://c2sp.org/tlog-checkpoint): the text of a signed note that
// states a log's tree size and root hash.
//
//   <origin>
//   <tree size, decimal, no leading zeros>
//   <root hash, standard base64>
//   [<extension line>...]

/// Why a checkpoint body was refused.
package enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case invalidOrigin(String)
    case invalidSize(String)
    case invalidRootHash(String)
    case invalidExtensionLine(String)
    case malformed(reason: String)

    package var description: String {
        switch self {
        case let .invalidOrigin(origin):
            "checkpoint origin \(String(reflecting: origin)) must be non-empty, without control characters"
        case let .invalidSize(size):
            "checkpoint tree size \(String(reflecting: size)) must be a decimal number without leading zeros"
        case let .invalidRootHash(root):
            "checkpoint root hash \(String(reflecting: root)) must be the standard base64 of 32 bytes"
        case let .invalidExtensionLine(line):
            "checkpoint extension line \(String(reflecting: line)) must be non-empty, without control characters"
        case let .malformed(reason):
            "malformed checkpoint: \(reason)"
        }
    }
}

/// A log's signed statement of its tree size and root hash.
package struct Checkpoint: Sendable, Equatable {
    /// The log's identity, e.g. `listledger/court:baisha`.
    package let origin: String
    /// The number of leaves (events).
    package let size: Int64
    /// The RFC 6962 root of the tree of `size` leaves (32 bytes).
    package let rootHash: [UInt8]
    /// Optional opaque lines after the root hash (not recommended by the spec; we write none).
    package let extensionLines: [String]

    package init(origin: String, size: Int64, rootHash: [UInt8], extensionLines: [String] = []) throws(CheckpointError) {
        guard !origin.isEmpty, !hasControlCharacter(origin) else { throw .invalidOrigin(origin) }
        guard size >= 0 else { throw .invalidSize(String(size)) }
        guard rootHash.count == Merkle.hashSize else { throw .invalidRootHash(StrictBase64.encode(rootHash)) }
        for line in extensionLines where line.isEmpty || hasControlCharacter(line) {
            throw .invalidExtensionLine(line)
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensionLines = extensionLines
    }

    /// The note text: origin, size, base64 root hash and any extension lines, each ending in a newline.
    package var text: String {
        ([origin, String(size), StrictBase64.encode(rootHash)] + extensionLines).map { $0 + "\n" }.joined()
    }

    /// Parses a checkpoint's note text strictly.
    package init(parsing text: String) throws(CheckpointError) {
        guard text.hasSuffix("\n") else { throw .malformed(reason: "the text must end in a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw .malformed(reason: "it needs at least three lines (origin, size, root hash), has \(lines.count)") }
        guard let size = parseDecimal(lines[1]) else { throw .invalidSize(lines[1]) }
        guard let root = StrictBase64.decode(lines[2]), root.count == Merkle.hashSize else { throw .invalidRootHash(lines[2]) }
        try self.init(origin: lines[0], size: size, rootHash: root, extensionLines: Array(lines.dropFirst(3)))
    }

    /// The signed note of this checkpoint.
    package func signed(by signers: [NoteSigner]) throws(NoteError) -> String {
        try SignedNote.sign(text: text, signers: signers)
    }

    /// Opens a signed checkpoint: the signature of a trusted key must verify and the body must
    /// parse. Throws a ``NoteError`` or a ``CheckpointError``.
    package static func open(note: String, verifiers: [NoteVerifierKey]) throws -> (checkpoint: Checkpoint, verifiedBy: [NoteVerifierKey]) {
        let opened = try SignedNote.open(note: note, verifiers: verifiers)
        return (try Checkpoint(parsing: opened.text), opened.verifiedBy)
    }
}

private func hasControlCharacter(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.properties.generalCategory == .control }
}

/// A non-negative decimal without sign or leading zeros ("0" itself allowed) that fits Int64.
private func parseDecimal(_ text: String) -> Int64? {
    let digits = Array(text.utf8)
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
    guard digits.count == 1 || digits[0] != UInt8(ascii: "0") else { return nil }
    return Int64(text)
}
