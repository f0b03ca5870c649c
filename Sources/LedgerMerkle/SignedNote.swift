// C2SP signed notes (https://c2sp.org/signed-note), as Go's golang.org/x/mod/sumdb/note writes
// and reads them:
//
//   <text, ending in a newline>
//   <blank line>
//   — <key name> <base64(4-byte key hash || 64-byte Ed25519 signature of the text)>
//   ...
//
// The text runs up to and including the newline before the last blank line.

/// A note whose signatures were checked.
package struct OpenedNote: Sendable, Equatable {
    /// The signed text, ending in a newline.
    package let text: String
    /// The trusted keys whose signatures verified, in the order the note lists them.
    package let verifiedBy: [NoteVerifierKey]
    /// `NAME+KEYHASH` of signatures by keys not trusted here (ignored, as the spec requires).
    package let unverifiedSigners: [String]
}

/// Signs and opens C2SP signed notes with Ed25519 keys.
package enum SignedNote {
    /// We read at most this many signature lines (the spec asks verifiers to accept at least 16).
    package static let maxSignatures = 100

    private static let signaturePrefix = Array("— ".utf8) // U+2014 EM DASH, space

    /// The signed note of `text` (which must end in a newline) with one signature line per signer.
    package static func sign(text: String, signers: [NoteSigner]) throws(NoteError) -> String {
        guard !signers.isEmpty else { throw .noSigners }
        let message = Array(text.utf8)
        guard message.last == 0x0a else { throw .malformedText(reason: "the text must end in a newline") }
        if let offset = message.firstIndex(where: { $0 < 0x20 && $0 != 0x0a }) {
            throw .malformedText(reason: "control character 0x\(hex2(message[offset])) at byte \(offset)")
        }
        var note = text + "\n"
        var signed = Set<String>()
        for signer in signers where signed.insert("\(signer.name)+\(signer.keyHash)").inserted {
            let signature = try signer.sign(message)
            let keyHash = withUnsafeBytes(of: signer.keyHash.bigEndian) { Array($0) }
            note += "— \(signer.name) \(StrictBase64.encode(keyHash + signature))\n"
        }
        return note
    }

    /// Opens `note`, checking its signatures against the trusted `verifiers`.
    ///
    /// Signatures by keys not in `verifiers` are ignored. The note is refused when it is
    /// malformed, when a trusted key's signature does not verify, or when no trusted key signed it.
    package static func open(note: String, verifiers: [NoteVerifierKey]) throws(NoteError) -> OpenedNote {
        try open(bytes: Array(note.utf8), verifiers: verifiers)
    }

    /// Opens a note given as bytes; they must be valid UTF-8.
    package static func open(bytes: [UInt8], verifiers: [NoteVerifierKey]) throws(NoteError) -> OpenedNote {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformedNote(reason: "it is not valid UTF-8") }
        if let offset = bytes.firstIndex(where: { $0 < 0x20 && $0 != 0x0a }) {
            throw .malformedNote(reason: "control character 0x\(hex2(bytes[offset])) at byte \(offset)")
        }
        guard let split = lastBlankLine(in: bytes) else {
            throw .malformedNote(reason: "no blank line separates the text from the signatures")
        }
        let text = Array(bytes[...split])
        let block = bytes[(split + 2)...]
        guard let last = block.last, last == 0x0a else {
            throw .malformedNote(reason: block.isEmpty ? "no signature lines after the blank line" : "the last signature line does not end in a newline")
        }
        let lines = block.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false)
        guard lines.count <= maxSignatures else { throw .tooManySignatures(limit: maxSignatures) }

        let trusted = Array(Set(verifiers))
        var verified: [NoteVerifierKey] = []
        var unverified: [String] = []
        for (number, line) in lines.enumerated() {
            let (name, keyHash, signature) = try parseSignatureLine(line, number: number + 1)
            let candidates = trusted.filter { $0.name == name && $0.keyHash == keyHash }
            guard let key = candidates.first else {
                let id = "\(name)+\(hex8(keyHash))"
                if !unverified.contains(id) { unverified.append(id) }
                continue
            }
            guard candidates.count == 1 else { throw .ambiguousVerifier(name: name, keyHash: keyHash) }
            if verified.contains(key) { continue }
            guard key.isValidSignature(signature, for: text) else { throw .invalidSignature(name: name, keyHash: keyHash) }
            verified.append(key)
        }
        guard !verified.isEmpty else {
            throw .noTrustedSignature(signers: unverified, trusted: verifiers.map { "\($0.name)+\(hex8($0.keyHash))" })
        }
        return OpenedNote(text: String(decoding: text, as: UTF8.self), verifiedBy: verified, unverifiedSigners: unverified)
    }

    /// The offset of the first newline of the last "\n\n" in `bytes`.
    private static func lastBlankLine(in bytes: [UInt8]) -> Int? {
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0a && bytes[i + 1] == 0x0a { return i }
            i -= 1
        }
        return nil
    }

    /// `— NAME BASE64` → the name, the key hash and the signature proper.
    private static func parseSignatureLine(_ line: ArraySlice<UInt8>, number: Int) throws(NoteError) -> (String, UInt32, [UInt8]) {
        guard line.starts(with: signaturePrefix) else {
            throw .malformedNote(reason: "signature line \(number) does not start with an em dash (U+2014) and a space")
        }
        let rest = line.dropFirst(signaturePrefix.count)
        guard let space = rest.firstIndex(of: 0x20) else {
            throw .malformedNote(reason: "signature line \(number) has no space between the key name and the signature")
        }
        let name = String(decoding: rest[..<space], as: UTF8.self)
        guard isValidNoteKeyName(name) else {
            throw .malformedNote(reason: "signature line \(number) has an invalid key name \(String(reflecting: name))")
        }
        let encoded = String(decoding: rest[(space + 1)...], as: UTF8.self)
        guard let raw = StrictBase64.decode(encoded), raw.count >= 5 else {
            throw .malformedNote(reason: "signature line \(number) does not end in a base64 key hash and signature")
        }
        let keyHash = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (name, keyHash, Array(raw.dropFirst(4)))
    }
}
