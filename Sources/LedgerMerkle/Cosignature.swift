package import LedgerCrypto

// C2SP tlog-cosignature v1, the Ed25519 type (https://c2sp.org/tlog-cosignature): a witness's
// statement that, as of a time, the checkpoint is the largest consistent tree head it has seen
// of that origin. It is a signed-note signature line on the checkpoint,
//
//   — <witness name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)
//
// key ID  = SHA-256(name || "\n" || 0x04 || public key)[:4]   (0x04, not the note key's 0x01)
// message = "cosignature/v1\n" || "time " || decimal timestamp || "\n" || checkpoint body
//
// The witness's key is an ordinary note key (NoteSigner); only the key ID and the signed message
// differ, so a cosigned checkpoint still opens with SignedNote.open, which ignores the witness's
// line as a signature by a key it does not trust.

/// The algorithm byte of Ed25519 cosignatures in key IDs and verifier keys.
let cosignatureEd25519Algorithm: UInt8 = 0x04

/// Why a cosignature was refused.
package enum CosignatureError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalidSignature(String)

    package var description: String {
        switch self {
        case .malformed(let reason): "malformed cosignature: \(reason)"
        case .invalidSignature(let reason): reason
        }
    }
}

/// A witness's public key for cosignature/v1: `NAME+KEYID+BASE64(0x04 || public key)`.
package struct CosignerKey: Sendable, Equatable, CustomStringConvertible {
    package let name: String
    package let keyID: UInt32
    package let publicKey: Ed25519.PublicKey

    package init(name: String, publicKey: Ed25519.PublicKey) throws(NoteError) {
        guard isValidNoteKeyName(name) else { throw .invalidKeyName(name) }
        self.name = name
        self.publicKey = publicKey
        self.keyID = noteKeyHash(name: name, encodedKey: [cosignatureEd25519Algorithm] + publicKey.bytes)
    }

    /// The cosigner key of a witness's note key (the same Ed25519 key, the cosignature key ID).
    package init(of signer: NoteSigner) throws(NoteError) {
        try self.init(name: signer.name, publicKey: signer.verifierKey.publicKey)
    }

    package init(parsing text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedVerifierKey(key: text, reason: "it needs three parts joined by '+'") }
        guard let stated = parseKeyHash(parts[1]) else {
            throw .malformedVerifierKey(key: text, reason: "the key ID is not 8 hex digits")
        }
        guard let encoded = StrictBase64.decode(parts[2]), encoded.count == 33, encoded[0] == cosignatureEd25519Algorithm else {
            throw .malformedVerifierKey(key: text, reason: "a cosigner key is base64 of 0x04 and a 32-byte Ed25519 key")
        }
        try self.init(name: String(parts[0]), publicKey: Ed25519.PublicKey(bytes: Array(encoded.dropFirst())))
        guard keyID == stated else { throw .keyHashMismatch(name: name, stated: stated, computed: keyID) }
    }

    package var description: String {
        "\(name)+\(hex8(keyID))+\(StrictBase64.encode([cosignatureEd25519Algorithm] + publicKey.bytes))"
    }
}

package enum Cosignature {
    /// The bytes a cosignature/v1 signs: the header line, the time line and the checkpoint body.
    package static func message(checkpointText: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(checkpointText.utf8)
    }

    /// The signature line (ending in a newline) by `witness` on the checkpoint whose note body is
    /// `checkpointText`, at `timestamp` (POSIX seconds).
    package static func line(checkpointText: String, witness: NoteSigner, timestamp: UInt64) throws -> String {
        let key = try CosignerKey(of: witness)
        let signature = try witness.sign(message(checkpointText: checkpointText, timestamp: timestamp))
        let id = withUnsafeBytes(of: key.keyID.bigEndian) { Array($0) }
        let time = withUnsafeBytes(of: timestamp.bigEndian) { Array($0) }
        return "— \(key.name) \(StrictBase64.encode(id + time + signature))\n"
    }

    /// Checks one signature `line` (with or without its newline) as `witness`'s cosignature of
    /// the checkpoint body `checkpointText`; returns its timestamp.
    package static func verify(line: String, checkpointText: String, witness: CosignerKey) throws(CosignatureError) -> UInt64 {
        var text = Substring(line)
        if text.hasSuffix("\n") { text = text.dropLast() }
        guard text.hasPrefix("— ") else { throw .malformed("a signature line starts with an em dash (U+2014) and a space") }
        let parts = text.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .malformed("a signature line is \"— NAME BASE64\"") }
        guard String(parts[0]) == witness.name else {
            throw .invalidSignature("the line is signed by \(parts[0]), not the witness \(witness.name)")
        }
        guard let raw = StrictBase64.decode(String(parts[1])), raw.count == 4 + 8 + 64 else {
            throw .malformed("a cosignature/v1 is base64 of a 4-byte key ID, an 8-byte time and a 64-byte signature")
        }
        let id = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard id == witness.keyID else {
            throw .invalidSignature("the line's key ID \(hex8(id)) is not the witness key's \(hex8(witness.keyID)) (not a cosignature/v1 of that key)")
        }
        let timestamp = raw.dropFirst(4).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard timestamp <= UInt64(Int64.max) else { throw .malformed("the time exceeds 2^63 - 1") }
        guard witness.publicKey.isValidSignature(Array(raw.suffix(64)), for: message(checkpointText: checkpointText, timestamp: timestamp)) else {
            throw .invalidSignature("the cosignature of \(witness.name) does not verify on this checkpoint")
        }
        return timestamp
    }
}
