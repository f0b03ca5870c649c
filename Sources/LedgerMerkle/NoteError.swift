/// Why a signed note, a note key or a signature was refused.
package enum NoteError: Error, Equatable, CustomStringConvertible {
    /// A key name that is empty or holds a space, a plus sign or a control character.
    case invalidKeyName(String)
    /// A verifier key text that is not `NAME+KEYHASH+BASE64(0x01 || 32-byte public key)`.
    case malformedVerifierKey(key: String, reason: String)
    /// A signer key text that is not `PRIVATE+KEY+NAME+KEYHASH+BASE64(0x01 || 32-byte seed)`.
    case malformedSignerKey(reason: String)
    /// A key whose stated key hash is not the hash of its name and key.
    case keyHashMismatch(name: String, stated: UInt32, computed: UInt32)
    /// A key of a signature algorithm other than Ed25519 (0x01).
    case unsupportedAlgorithm(UInt8)
    /// Text to sign that does not end in a newline or holds a control character.
    case malformedText(reason: String)
    /// A signed note that does not have the signed-note shape.
    case malformedNote(reason: String)
    /// More signature lines than we are willing to read.
    case tooManySignatures(limit: Int)
    /// Two different trusted keys with the same name and key hash.
    case ambiguousVerifier(name: String, keyHash: UInt32)
    /// A signature by a trusted key that does not verify: the note was altered or forged.
    case invalidSignature(name: String, keyHash: UInt32)
    /// No signature by any trusted key; `signers` lists the keys that did sign.
    case noTrustedSignature(signers: [String], trusted: [String])
    /// Signing needs at least one signer.
    case noSigners
    /// libcrypto failed.
    case crypto(String)

    package var description: String {
        switch self {
        case let .invalidKeyName(name):
            "invalid key name \(String(reflecting: name)): it must be non-empty, without spaces, '+' or control characters"
        case let .malformedVerifierKey(key, reason):
            "malformed verifier key \(String(reflecting: key)): \(reason) (expected NAME+KEYHASH+BASE64)"
        case let .malformedSignerKey(reason):
            "malformed signer key: \(reason) (expected PRIVATE+KEY+NAME+KEYHASH+BASE64)"
        case let .keyHashMismatch(name, stated, computed):
            "key hash mismatch for \(name): the key says \(hex8(stated)) but its name and key hash to \(hex8(computed))"
        case let .unsupportedAlgorithm(id):
            "unsupported signature algorithm 0x\(hex2(id)) (only Ed25519, 0x01)"
        case let .malformedText(reason):
            "cannot sign this text: \(reason)"
        case let .malformedNote(reason):
            "malformed signed note: \(reason)"
        case let .tooManySignatures(limit):
            "malformed signed note: more than \(limit) signatures"
        case let .ambiguousVerifier(name, keyHash):
            "ambiguous trusted key \(name)+\(hex8(keyHash)): two different keys share that name and key hash"
        case let .invalidSignature(name, keyHash):
            "invalid signature by trusted key \(name)+\(hex8(keyHash)): the note was altered or not signed by that key"
        case let .noTrustedSignature(signers, trusted):
            "no signature by a trusted key: the note is signed by \(signers.isEmpty ? "nobody" : signers.joined(separator: ", ")); trusted: \(trusted.isEmpty ? "none" : trusted.joined(separator: ", "))"
        case .noSigners:
            "cannot sign a note without a signer"
        case let .crypto(reason):
            "signature operation failed: \(reason)"
        }
    }
}

/// A key hash as printed in keys: 8 lower-case hex digits.
func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

func hex2(_ value: UInt8) -> String {
    let digits = String(value, radix: 16)
    return digits.count == 1 ? "0" + digits : digits
}
