import Foundation
import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// Go's note package vectors (Fixtures/vectors/note/go-note.json) and our own round trips.
struct SignedNoteTests {
    struct Vectors: Decodable {
        let peter_verifier_key: String
        let peter_signer_key: String
        let peter_key_hash: String
        let enoch_verifier_key: String
        let enoch_key_hash: String
        let text: String
        let peter_signature_line: String
        let enoch_signature_line: String
        let signed_by_peter: String
        let signed_by_both: String
        let bad_verifier_keys: [String]
        let malformed_notes: [String]
        let malformed_note_invalid_utf8_hex: String
    }

    let v: Vectors
    let peter: NoteVerifierKey
    let enoch: NoteVerifierKey

    init() throws {
        v = try loadVector(Vectors.self, "note/go-note.json")
        peter = try NoteVerifierKey(parsing: v.peter_verifier_key)
        enoch = try NoteVerifierKey(parsing: v.enoch_verifier_key)
    }

    // MARK: Keys

    @Test func verifierKeysParseAndPrintBack() {
        #expect(peter.name == "PeterNeumann")
        #expect(hex8(peter.keyHash) == v.peter_key_hash)
        #expect(peter.description == v.peter_verifier_key)
        #expect(enoch.name == "EnochRoot")
        #expect(hex8(enoch.keyHash) == v.enoch_key_hash)
        #expect(enoch.description == v.enoch_verifier_key)
    }

    @Test func keyHashIsComputedFromNameAndKey() throws {
        // The key hash of a key built from the raw public key, not parsed from the text.
        let raw = base64(String(v.peter_verifier_key.split(separator: "+", maxSplits: 2)[2]))
        let built = try NoteVerifierKey(name: "PeterNeumann", publicKey: Ed25519.PublicKey(bytes: Array(raw.dropFirst())))
        #expect(hex8(built.keyHash) == v.peter_key_hash)
        #expect(built == peter)
        #expect(hex8(noteKeyHash(name: "PeterNeumann", encodedKey: raw)) == v.peter_key_hash)
    }

    /// Go's TestNewVerifier: every proper substring and every single-byte change is refused.
    @Test func mangledVerifierKeysAreRefused() {
        let bytes = Array(v.peter_verifier_key.utf8)
        var accepted: [String] = []
        for i in 0...bytes.count {
            for j in (i + 1)..<(bytes.count + 1) where !(i == 0 && j == bytes.count) {
                let text = String(decoding: bytes[i..<j], as: UTF8.self)
                if (try? NoteVerifierKey(parsing: text)) != nil { accepted.append(text) }
            }
        }
        for i in bytes.indices {
            var changed = bytes
            changed[i] &+= 1
            let text = String(decoding: changed, as: UTF8.self)
            if (try? NoteVerifierKey(parsing: text)) != nil { accepted.append(text) }
        }
        #expect(accepted.isEmpty)
        #expect(throws: NoteError.self) { try NoteVerifierKey(parsing: v.bad_verifier_keys[0]) }
        #expect(throws: NoteError.unsupportedAlgorithm(0x65)) { try NoteVerifierKey(parsing: v.bad_verifier_keys[1]) }
    }

    /// Go's TestNewSigner: the signer key parses, matches the verifier key, and manglings fail.
    @Test func signerKeyParsesAndManglingsAreRefused() throws {
        let signer = try NoteSigner(parsing: v.peter_signer_key)
        #expect(signer.verifierKey == peter)
        #expect(signer.encodedSignerKey == v.peter_signer_key)
        #expect(!signer.description.contains(String(v.peter_signer_key.split(separator: "+", maxSplits: 4)[4])))
        let bytes = Array(v.peter_signer_key.utf8)
        var accepted = 0
        for i in 0...bytes.count {
            for j in (i + 1)..<(bytes.count + 1) where !(i == 0 && j == bytes.count) {
                if (try? NoteSigner(parsing: String(decoding: bytes[i..<j], as: UTF8.self))) != nil { accepted += 1 }
            }
        }
        for i in bytes.indices {
            var changed = bytes
            changed[i] &+= 1
            if (try? NoteSigner(parsing: String(decoding: changed, as: UTF8.self))) != nil { accepted += 1 }
        }
        #expect(accepted == 0)
    }

    @Test(arguments: ["", "a+b", "a b", "tab\there", "new\nline", "nbsp\u{a0}x", "ideographic\u{3000}space", "ctl\u{7f}"])
    func invalidKeyNamesAreRefused(name: String) throws {
        let key = try Ed25519.PrivateKey.generate()
        #expect(throws: NoteError.invalidKeyName(name)) { try NoteSigner(name: name, privateKey: key) }
        #expect(throws: NoteError.invalidKeyName(name)) { try NoteVerifierKey(name: name, publicKey: key.publicKey()) }
    }

    // MARK: Signing and opening

    /// Go's TestSign: Ed25519 is deterministic, so we must write exactly Go's note.
    @Test func signingReproducesGosNote() throws {
        let signer = try NoteSigner(parsing: v.peter_signer_key)
        #expect(try SignedNote.sign(text: v.text, signers: [signer]) == v.signed_by_peter)
    }

    /// Go's TestOpen: one signature verified, one by an untrusted key ignored; both verified.
    @Test func openingGosNotes() throws {
        let one = try SignedNote.open(note: v.signed_by_both, verifiers: [peter])
        #expect(one.text == v.text)
        #expect(one.verifiedBy == [peter])
        #expect(one.unverifiedSigners == ["EnochRoot+\(v.enoch_key_hash)"])

        let both = try SignedNote.open(note: v.signed_by_both, verifiers: [peter, enoch])
        #expect(both.verifiedBy == [peter, enoch])
        #expect(both.unverifiedSigners.isEmpty)

        // A repeated signature line and a repeated trusted key are harmless.
        let repeated = v.text + "\n" + v.peter_signature_line + v.peter_signature_line + v.enoch_signature_line
        #expect(try SignedNote.open(note: repeated, verifiers: [peter, peter]).verifiedBy == [peter])
    }

    @Test func noTrustedSignatureIsRefusedAndSaysWhoSigned() {
        #expect(throws: NoteError.noTrustedSignature(signers: ["PeterNeumann+\(v.peter_key_hash)", "EnochRoot+\(v.enoch_key_hash)"], trusted: [])) {
            try SignedNote.open(note: v.signed_by_both, verifiers: [])
        }
        #expect(throws: NoteError.noTrustedSignature(signers: ["PeterNeumann+\(v.peter_key_hash)"], trusted: ["EnochRoot+\(v.enoch_key_hash)"])) {
            try SignedNote.open(note: v.signed_by_peter, verifiers: [enoch])
        }
    }

    /// Go's "invalid signature" case: 4 characters inserted into Peter's signature.
    @Test func alteredSignatureIsRefused() {
        let line = v.peter_signature_line
        let cut = line.utf8.index(line.utf8.startIndex, offsetBy: 60)
        let altered = v.text + "\n" + String(line[..<cut]) + "ABCD" + String(line[cut...])
        #expect(throws: NoteError.invalidSignature(name: "PeterNeumann", keyHash: peter.keyHash)) {
            try SignedNote.open(note: altered, verifiers: [peter])
        }
    }

    /// Go's TestOpen malformed messages, plus too many signatures.
    @Test func malformedNotesAreRefused() {
        for note in v.malformed_notes {
            #expect(throws: NoteError.self, "\(String(reflecting: note))") { try SignedNote.open(note: note, verifiers: [peter]) }
            do {
                _ = try SignedNote.open(note: note, verifiers: [peter])
            } catch {
                if case .malformedNote = error { continue }
                Issue.record("\(String(reflecting: note)) refused as \(error), not as malformed")
            }
        }
        #expect(throws: NoteError.malformedNote(reason: "it is not valid UTF-8")) {
            try SignedNote.open(bytes: hex(v.malformed_note_invalid_utf8_hex), verifiers: [peter])
        }
        // Signature lines must start with U+2014 EM DASH and a space, not a look-alike.
        for lookalike in ["\u{2013} ", "\u{2015} ", "-- ", "- ", "\u{2014}", "\u{2014}  "] {
            let note = v.text + "\n" + v.peter_signature_line.replacingOccurrences(of: "\u{2014} ", with: lookalike)
            #expect(throws: NoteError.self, "\(String(reflecting: lookalike))") { try SignedNote.open(note: note, verifiers: [peter]) }
        }
        let many = v.text + "\n" + String(repeating: v.peter_signature_line, count: 101)
        #expect(throws: NoteError.tooManySignatures(limit: 100)) { try SignedNote.open(note: many, verifiers: [peter]) }
    }

    @Test func roundTripWithFreshKeys() throws {
        let log = try NoteSigner.generate(name: "listledger/court:baisha")
        let witness = try NoteSigner.generate(name: "witness.example/w1")
        let text = "listledger/court:baisha\n5\n" + StrictBase64.encode([UInt8](repeating: 7, count: 32)) + "\n"
        let note = try SignedNote.sign(text: text, signers: [log, witness])
        #expect(note.hasPrefix(text + "\n— listledger/court:baisha "))
        let opened = try SignedNote.open(note: note, verifiers: [log.verifierKey, witness.verifierKey])
        #expect(opened.text == text)
        #expect(opened.verifiedBy == [log.verifierKey, witness.verifierKey])
        // The verifier key survives its text form, and the signer key its secret text form.
        #expect(try NoteVerifierKey(parsing: log.verifierKey.description) == log.verifierKey)
        #expect(try NoteSigner(parsing: log.encodedSignerKey).verifierKey == log.verifierKey)
        // Text with blank lines inside is fine: the last blank line separates the signatures.
        let spaced = "a\n\nb\n"
        #expect(try SignedNote.open(note: SignedNote.sign(text: spaced, signers: [log]), verifiers: [log.verifierKey]).text == spaced)
    }

    @Test func tamperingIsRefused() throws {
        let log = try NoteSigner.generate(name: "listledger/court:baisha")
        let text = "listledger/court:baisha\n5\n" + StrictBase64.encode([UInt8](repeating: 7, count: 32)) + "\n"
        let note = try SignedNote.sign(text: text, signers: [log])
        let key = log.verifierKey

        // The text changed (size 5 → 6).
        let changedText = note.replacingOccurrences(of: "\n5\n", with: "\n6\n")
        #expect(throws: NoteError.invalidSignature(name: key.name, keyHash: key.keyHash)) {
            try SignedNote.open(note: changedText, verifiers: [key])
        }
        // Each bit of the signature (after the key hash) flipped in turn.
        let lineStart = note.range(of: "— ")!.upperBound
        let signatureText = String(note[lineStart...].split(separator: " ")[1].dropLast())
        let raw = base64(signatureText)
        for bit in stride(from: 32, to: raw.count * 8, by: 7) {
            var bad = raw
            bad[bit / 8] ^= 1 << UInt8(bit % 8)
            let tampered = note.replacingOccurrences(of: signatureText, with: StrictBase64.encode(bad))
            #expect(throws: NoteError.invalidSignature(name: key.name, keyHash: key.keyHash)) {
                try SignedNote.open(note: tampered, verifiers: [key])
            }
        }
        // Another key name on the signature line: an untrusted signer, so no trusted signature.
        let renamed = note.replacingOccurrences(of: "— listledger/court:baisha ", with: "— listledger/court:other ")
        #expect(throws: NoteError.noTrustedSignature(signers: ["listledger/court:other+\(hex8(key.keyHash))"], trusted: ["\(key.name)+\(hex8(key.keyHash))"])) {
            try SignedNote.open(note: renamed, verifiers: [key])
        }
        // Same name and key hash but another key: the signature does not verify.
        let impostor = try NoteSigner.generate(name: "listledger/court:baisha")
        let forged = try SignedNote.sign(text: text, signers: [impostor])
        let forgedLine = forged.split(separator: "\n").last!
        let withOurHash = forgedLine.replacingOccurrences(
            of: String(forgedLine.split(separator: " ")[2]),
            with: StrictBase64.encode(withUnsafeBytes(of: key.keyHash.bigEndian) { Array($0) } + Array(base64(String(forgedLine.split(separator: " ")[2])).dropFirst(4))))
        #expect(throws: NoteError.invalidSignature(name: key.name, keyHash: key.keyHash)) {
            try SignedNote.open(note: text + "\n" + withOurHash + "\n", verifiers: [key])
        }
    }

    @Test func signingRefusesBadText() throws {
        let log = try NoteSigner.generate(name: "log")
        #expect(throws: NoteError.malformedText(reason: "the text must end in a newline")) { try SignedNote.sign(text: "abc", signers: [log]) }
        #expect(throws: NoteError.malformedText(reason: "the text must end in a newline")) { try SignedNote.sign(text: "", signers: [log]) }
        #expect(throws: NoteError.malformedText(reason: "control character 0x09 at byte 1")) { try SignedNote.sign(text: "a\tb\n", signers: [log]) }
        #expect(throws: NoteError.noSigners) { try SignedNote.sign(text: "abc\n", signers: []) }
    }

    @Test func ambiguousTrustedKeysAreRefused() throws {
        // Two different keys that claim the same name and key hash (a forged verifier list).
        let other = try Ed25519.PrivateKey.generate().publicKey()
        let clash = NoteVerifierKey(unchecked: "PeterNeumann", keyHash: peter.keyHash, publicKey: other)
        #expect(throws: NoteError.ambiguousVerifier(name: "PeterNeumann", keyHash: peter.keyHash)) {
            try SignedNote.open(note: v.signed_by_peter, verifiers: [peter, clash])
        }
    }

    @Test func errorsExplainThemselves() {
        let error = NoteError.invalidSignature(name: "PeterNeumann", keyHash: 0xc74f20a3)
        #expect(error.description.contains("PeterNeumann+c74f20a3"))
        #expect(NoteError.keyHashMismatch(name: "a", stated: 1, computed: 0xabcdef).description.contains("00abcdef"))
    }
}
