import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerService
import Testing

/// `ProofCheck` (what `verify-proof` runs) on a two-leaf tree whose hashes are computed here
/// from RFC 6962 §2.1 with SHA-256 directly (leaf: 0x00 || bytes, node: 0x01 || left || right),
/// not with the Merkle code under test.
struct ProofCheckTests {
    let first = Array(#"{"seq":1,"x":"a"}"#.utf8)
    let second = Array(#"{"seq":2,"x":"b"}"#.utf8)

    func leaf(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash([0x00] + bytes) }

    func fields(leaf: [UInt8], proof: [[UInt8]], note: String, drop: String? = nil) -> ProofFields {
        let members: [(String, JSONValue)] = [
            ("index", .integer(0)), ("tree_size", .integer(2)), ("leaf", .string(StrictBase64.encode(leaf))),
            ("proof", .array(proof.map { .string(StrictBase64.encode($0)) })), ("checkpoint", .string(note)),
        ]
        return ProofFields(members: members.filter { $0.0 != drop })
    }

    func signedNote(_ signer: NoteSigner) throws -> String {
        let root = SHA256.hash([0x01] + leaf(first) + leaf(second))
        return try Checkpoint(origin: "test/proofs", size: 2, rootHash: root).signed(by: [signer])
    }

    @Test("a sound inclusion proof holds; a changed leaf, a missing field and another key are told apart")
    func inclusion() throws {
        let signer = try NoteSigner.generate(name: "test/proofs")
        let note = try signedNote(signer)
        let summary = try ProofCheck.inclusion(fields(leaf: first, proof: [leaf(second)], note: note), key: signer.verifierKey)
        #expect(summary.hasPrefix("event seq 1 is leaf 0 of the tree of 2 events of test/proofs"))

        let changed = Array(#"{"seq":1,"x":"c"}"#.utf8)
        do {
            _ = try ProofCheck.inclusion(fields(leaf: changed, proof: [leaf(second)], note: note), key: signer.verifierKey)
            Issue.record("a changed leaf was accepted")
        } catch {
            guard case .failed(let reason) = error else { Issue.record("a changed leaf is a failed check: \(error)"); return }
            #expect(reason.hasPrefix("proof: the audit path from the leaf leads to a root other than the signed root"))
        }
        do {
            _ = try ProofCheck.inclusion(fields(leaf: first, proof: [leaf(second)], note: note, drop: "proof"), key: signer.verifierKey)
            Issue.record("a proof without its path was accepted")
        } catch {
            guard case .unreadable(let reason) = error else { Issue.record("a missing field is unreadable input: \(error)"); return }
            #expect(reason == "proof: missing field \"proof\"")
        }
        let stranger = try NoteSigner.generate(name: "test/proofs")
        do {
            _ = try ProofCheck.inclusion(fields(leaf: first, proof: [leaf(second)], note: note), key: stranger.verifierKey)
            Issue.record("a checkpoint signed by another key was accepted")
        } catch {
            guard case .failed(let reason) = error else { Issue.record("another key is a failed check: \(error)"); return }
            #expect(reason.hasPrefix("checkpoint: "))
        }
    }

    /// Hand-worked from RFC 6962 §2.1.1: split at the largest power of two below the size.
    /// Leaf 0 of 7: 4 | 2 | 1 → 3 hashes; leaf 6 of 7: right part of 3, then of 1 → 2; a lone leaf: 0.
    @Test("audit path lengths")
    func auditPathLengths() {
        #expect(ProofCheck.auditPathLength(index: 0, size: 7) == 3)
        #expect(ProofCheck.auditPathLength(index: 6, size: 7) == 2)
        #expect(ProofCheck.auditPathLength(index: 4, size: 5) == 1)
        #expect(ProofCheck.auditPathLength(index: 0, size: 1) == 0)
    }

    @Test("a new checkpoint is signed only when none covers the events")
    func checkpointPolicy() {
        #expect(CheckpointPolicy.needsSigning(latestSize: nil, toCover: 1))
        #expect(!CheckpointPolicy.needsSigning(latestSize: 5, toCover: 5))
        #expect(CheckpointPolicy.needsSigning(latestSize: 5, toCover: 6))
    }
}
