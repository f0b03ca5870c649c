import Foundation
import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// Checkpoint bodies (C2SP tlog-checkpoint): Go's tree-note vector, the spec's example, strictness.
struct CheckpointTests {
    struct Vectors: Decodable {
        struct GoTree: Decodable { let text: String; let origin: String; let size: Int64; let root_is_leaf_hash_of: String }
        struct Example: Decodable { let origin: String; let size: Int64; let root: String }
        let go_tree: GoTree
        let go_bad_trees: [String]
        let c2sp_example_note: String
        let c2sp_example: Example
    }

    let v: Vectors
    init() throws { v = try loadVector(Vectors.self, "note/checkpoint.json") }

    /// Go tlog's TestFormatTree / TestParseTree.
    @Test func goTreeNoteFormatsAndParses() throws {
        let root = Merkle.leafHash(canonical: Array(v.go_tree.root_is_leaf_hash_of.utf8))
        let checkpoint = try Checkpoint(origin: v.go_tree.origin, size: v.go_tree.size, rootHash: root)
        #expect(checkpoint.text == v.go_tree.text)
        #expect(try Checkpoint(parsing: v.go_tree.text) == checkpoint)
        for bad in v.go_bad_trees {
            #expect(throws: CheckpointError.self, "\(String(reflecting: bad))") { try Checkpoint(parsing: bad) }
        }
    }

    @Test func c2spExampleParsesButIsNotTrustedWithoutItsKey() throws {
        let body = String(v.c2sp_example_note[..<v.c2sp_example_note.range(of: "\n\n")!.lowerBound]) + "\n"
        let checkpoint = try Checkpoint(parsing: body)
        #expect(checkpoint.origin == v.c2sp_example.origin)
        #expect(checkpoint.size == v.c2sp_example.size)
        #expect(StrictBase64.encode(checkpoint.rootHash) == v.c2sp_example.root)
        let ours = try NoteSigner.generate(name: v.c2sp_example.origin)
        do {
            _ = try Checkpoint.open(note: v.c2sp_example_note, verifiers: [ours.verifierKey])
            Issue.record("a checkpoint signed by an unknown key was accepted")
        } catch let error as NoteError {
            guard case let .noTrustedSignature(signers, _) = error else { Issue.record("refused as \(error)"); return }
            #expect(signers.count == 1 && signers[0].hasPrefix("example.com/behind-the-sofa+"))
        }
    }

    @Test func signedCheckpointRoundTrip() throws {
        let signer = try NoteSigner.generate(name: "listledger/court:baisha")
        let root = Merkle.leafHash(canonical: Array("x".utf8))
        let checkpoint = try Checkpoint(origin: "listledger/court:baisha", size: 1234, rootHash: root)
        let note = try checkpoint.signed(by: [signer])
        #expect(note.hasPrefix("listledger/court:baisha\n1234\n\(StrictBase64.encode(root))\n\n— listledger/court:baisha "))
        let opened = try Checkpoint.open(note: note, verifiers: [signer.verifierKey])
        #expect(opened.checkpoint == checkpoint)
        #expect(opened.verifiedBy == [signer.verifierKey])
        // With extension lines.
        let extended = try Checkpoint(origin: "o", size: 0, rootHash: Merkle.emptyTreeHash, extensionLines: ["ext one", "ext two"])
        #expect(extended.text == "o\n0\n\(StrictBase64.encode(Merkle.emptyTreeHash))\next one\next two\n")
        #expect(try Checkpoint(parsing: extended.text) == extended)
    }

    @Test(arguments: [
        "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",          // leading zero
        "o\n+1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",          // sign
        "o\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",          // negative
        "o\n 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",          // space
        "o\n1.0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",         // not an integer
        "o\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", // too large
        "o\n\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",            // empty size
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",           // 31 bytes
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",       // 35 bytes
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",            // no padding
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n",           // stray bits
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-=\n",           // URL alphabet
        "o\n1\n AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",          // space
        "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",            // empty origin
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",              // no final newline
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",          // empty extension line
        "o\n1\n",                                                          // no root
        "",
    ])
    func malformedBodiesAreRefused(text: String) {
        #expect(throws: CheckpointError.self) { try Checkpoint(parsing: text) }
    }

    @Test func theLargestSizeParses() throws {
        let text = "o\n9223372036854775807\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        #expect(try Checkpoint(parsing: text).size == Int64.max)
        #expect(try Checkpoint(parsing: text).text == text)
    }

    @Test func constructorRefusesWhatCannotBePrinted() {
        #expect(throws: CheckpointError.self) { try Checkpoint(origin: "a\nb", size: 1, rootHash: Merkle.emptyTreeHash) }
        #expect(throws: CheckpointError.self) { try Checkpoint(origin: "o", size: -1, rootHash: Merkle.emptyTreeHash) }
        #expect(throws: CheckpointError.self) { try Checkpoint(origin: "o", size: 1, rootHash: [1, 2]) }
        #expect(throws: CheckpointError.self) { try Checkpoint(origin: "o", size: 1, rootHash: Merkle.emptyTreeHash, extensionLines: [""]) }
    }

    @Test func strictBase64() {
        // RFC 4648 §10 test vectors.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(StrictBase64.encode(Array(plain.utf8)) == encoded)
            #expect(StrictBase64.decode(encoded) == Array(plain.utf8))
        }
        for bad in ["Zg", "Zg=", "Zh==", "Zm9=", "Z===", "====", "Zm9v\n", "Zm 9v", "Zg==Zg==", "Zm9-", "Zm9_"] {
            #expect(StrictBase64.decode(bad) == nil, "\(String(reflecting: bad))")
        }
        for n in 0..<70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(StrictBase64.decode(StrictBase64.encode(bytes)) == bytes)
        }
    }
}
