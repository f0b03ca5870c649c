package import LedgerCrypto

// Keys of C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only, in the text forms of
// Go's golang.org/x/mod/sumdb/note:
//   verifier key  NAME+KEYHASH+BASE64(0x01 || 32-byte public key)
//   signer key    PRIVATE+KEY+NAME+KEYHASH+BASE64(0x01 || 32-byte seed)
// KEYHASH = first 4 bytes, big-endian, of SHA-256(NAME || "\n" || 0x01 || public key), as 8
// lower-case hex digits.

/// The signature type byte of Ed25519 in signed notes.
let noteEd25519Algorithm: UInt8 = 0x01

/// The key hash (key ID) of a named key: the first 4 bytes, big-endian, of
/// SHA-256(name || 0x0A || encoded key), where the encoded key starts with its algorithm byte.
package func noteKeyHash(name: String, encodedKey: [UInt8]) -> UInt32 {
    let digest = SHA256.hash(parts: [Array(name.utf8), [0x0a], encodedKey])
    return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
}

/// True for a key name signed notes accept: non-empty, no Unicode white space, no '+', and
/// (stricter than Go, which refuses them in the whole note anyway) no control characters.
package func isValidNoteKeyName(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { scalar in
        scalar == "+" || scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }
}

/// The public half of a note key, as an auditor holds it: checks signatures of that name.
package struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    package let name: String
    package let keyHash: UInt32
    package let publicKey: Ed25519.PublicKey

    /// The verifier key of `publicKey` under `name`.
    package init(name: String, publicKey: Ed25519.PublicKey) throws(NoteError) {
        guard isValidNoteKeyName(name) else { throw .invalidKeyName(name) }
        guard publicKey.bytes.count == 32 else {
            throw .malformedVerifierKey(key: name, reason: "public key of \(publicKey.bytes.count) bytes (need 32)")
        }
        self.name = name
        self.publicKey = publicKey
        self.keyHash = noteKeyHash(name: name, encodedKey: [noteEd25519Algorithm] + publicKey.bytes)
    }

    /// A key with a stated key hash that is not checked: only for tests of hostile verifier lists.
    init(unchecked name: String, keyHash: UInt32, publicKey: Ed25519.PublicKey) {
        self.name = name
        self.keyHash = keyHash
        self.publicKey = publicKey
    }

    /// Parses the text form `NAME+KEYHASH+BASE64(0x01 || public key)`.
    package init(parsing text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedVerifierKey(key: text, reason: "it needs three parts joined by '+'") }
        let name = String(parts[0])
        guard isValidNoteKeyName(name) else { throw .invalidKeyName(name) }
        guard let stated = parseKeyHash(parts[1]) else {
            throw .malformedVerifierKey(key: text, reason: "the key hash \(String(reflecting: String(parts[1]))) is not 8 hex digits")
        }
        guard let encoded = StrictBase64.decode(parts[2]), !encoded.isEmpty else {
            throw .malformedVerifierKey(key: text, reason: "the key is not standard base64")
        }
        let computed = noteKeyHash(name: name, encodedKey: encoded)
        guard computed == stated else { throw .keyHashMismatch(name: name, stated: stated, computed: computed) }
        guard encoded[0] == noteEd25519Algorithm else { throw .unsupportedAlgorithm(encoded[0]) }
        guard encoded.count == 33 else {
            throw .malformedVerifierKey(key: text, reason: "an Ed25519 key of \(encoded.count - 1) bytes (need 32)")
        }
        try self.init(name: name, publicKey: Ed25519.PublicKey(bytes: Array(encoded.dropFirst())))
    }

    /// The text form `NAME+KEYHASH+BASE64(0x01 || public key)`.
    package var description: String {
        "\(name)+\(hex8(keyHash))+\(StrictBase64.encode([noteEd25519Algorithm] + publicKey.bytes))"
    }

    /// True when `signature` (64 bytes, without the key hash) signs `message` with this key.
    package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        publicKey.isValidSignature(signature, for: message)
    }

    package static func == (lhs: NoteVerifierKey, rhs: NoteVerifierKey) -> Bool {
        lhs.name == rhs.name && lhs.keyHash == rhs.keyHash && lhs.publicKey == rhs.publicKey
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(publicKey.bytes)
    }
}

/// The private half of a note key: signs notes under `name`. Its description hides the seed.
package struct NoteSigner: Sendable, CustomStringConvertible {
    package let name: String
    package let privateKey: Ed25519.PrivateKey
    /// The matching verifier key, to hand to auditors.
    package let verifierKey: NoteVerifierKey

    package var keyHash: UInt32 { verifierKey.keyHash }

    /// The signer for `privateKey` under `name`.
    package init(name: String, privateKey: Ed25519.PrivateKey) throws(NoteError) {
        guard isValidNoteKeyName(name) else { throw .invalidKeyName(name) }
        guard privateKey.seed.count == 32 else {
            throw .malformedSignerKey(reason: "an Ed25519 seed of \(privateKey.seed.count) bytes (need 32)")
        }
        let publicKey: Ed25519.PublicKey
        do { publicKey = try privateKey.publicKey() } catch { throw .crypto(String(describing: error)) }
        self.name = name
        self.privateKey = privateKey
        self.verifierKey = try NoteVerifierKey(name: name, publicKey: publicKey)
    }

    /// A new random key named `name`.
    package static func generate(name: String) throws(NoteError) -> NoteSigner {
        let key: Ed25519.PrivateKey
        do { key = try Ed25519.PrivateKey.generate() } catch { throw .crypto(String(describing: error)) }
        return try NoteSigner(name: name, privateKey: key)
    }

    /// Parses the secret text form `PRIVATE+KEY+NAME+KEYHASH+BASE64(0x01 || seed)`, checking that
    /// the key hash matches the public key derived from the seed.
    package init(parsing text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw .malformedSignerKey(reason: "it must start with PRIVATE+KEY+ and have five parts joined by '+'")
        }
        let name = String(parts[2])
        guard isValidNoteKeyName(name) else { throw .invalidKeyName(name) }
        guard let stated = parseKeyHash(parts[3]) else {
            throw .malformedSignerKey(reason: "the key hash is not 8 hex digits")
        }
        guard let encoded = StrictBase64.decode(parts[4]), !encoded.isEmpty else {
            throw .malformedSignerKey(reason: "the key is not standard base64")
        }
        guard encoded[0] == noteEd25519Algorithm else { throw .unsupportedAlgorithm(encoded[0]) }
        guard encoded.count == 33 else {
            throw .malformedSignerKey(reason: "an Ed25519 seed of \(encoded.count - 1) bytes (need 32)")
        }
        try self.init(name: name, privateKey: Ed25519.PrivateKey(seed: Array(encoded.dropFirst())))
        guard keyHash == stated else { throw .keyHashMismatch(name: name, stated: stated, computed: keyHash) }
    }

    /// The secret text form `PRIVATE+KEY+NAME+KEYHASH+BASE64(0x01 || seed)`. Keep it secret.
    package var encodedSignerKey: String {
        "PRIVATE+KEY+\(name)+\(hex8(keyHash))+\(StrictBase64.encode([noteEd25519Algorithm] + privateKey.seed))"
    }

    /// Names the key without revealing it.
    package var description: String { "NoteSigner(\(name)+\(hex8(keyHash)), private key hidden)" }

    /// The 64-byte Ed25519 signature of `message`.
    package func sign(_ message: [UInt8]) throws(NoteError) -> [UInt8] {
        do { return try privateKey.sign(message) } catch { throw .crypto(String(describing: error)) }
    }
}

/// 8 hex digits (either case, as Go's ParseUint accepts) as a key hash.
func parseKeyHash(_ text: Substring) -> UInt32? {
    guard text.utf8.count == 8, text.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
    return UInt32(text, radix: 16)
}

private func isHexDigit(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
        || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
}
