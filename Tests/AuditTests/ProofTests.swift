import Foundation
import TestSupport
import LedgerDomain
import LedgerMerkle
import Testing

/// The checkpoint a proof JSON carries, opened with the trusted key.
func openCheckpoint(_ note: String?, key: String) throws -> Checkpoint {
    let verifier = try NoteVerifierKey(parsing: key)
    return try Checkpoint.open(note: try #require(note), verifiers: [verifier]).checkpoint
}

func hashes(_ value: JSONValue?) -> [[UInt8]] {
    array(value).compactMap { string($0).flatMap { StrictBase64.decode($0) } }
}

/// `value` with one bit of the base64 bytes of `field` (or of item `index` of that list) flipped.
func flippingBit(_ value: JSONValue, _ field: String, index: Int? = nil, byte: Int = 5) -> JSONValue {
    func flip(_ text: String) -> String {
        var bytes = StrictBase64.decode(text)!
        bytes[min(byte, bytes.count - 1)] ^= 0x01
        return StrictBase64.encode(bytes)
    }
    guard let index else { return setting(value, field, .string(flip(string(member(value, field))!))) }
    var items = array(member(value, field))
    items[index] = .string(flip(string(items[index])!))
    return setting(value, field, .array(items))
}

@Suite("inclusion and consistency proofs")
struct ProofTests {
    @Test("prove --seq verifies for every event of a 130-event ledger")
    func everySeqProves() throws {
        let ledger = try TestLedger.demo(lines: 130)
        let key = try ledger.verifierKey()
        try ledger.ok("checkpoint")
        for seq in 1...130 {
            let proof = try ledger.ok("prove", "--seq", String(seq), "--json").json()
            let checkpoint = try openCheckpoint(string(member(proof, "checkpoint")), key: key)
            #expect(checkpoint.size == 130)
            #expect(integer(member(proof, "tree_size")) == 130)
            #expect(integer(member(proof, "index")) == Int64(seq - 1))
            let leaf = try #require(string(member(proof, "leaf")).flatMap { StrictBase64.decode($0) })
            #expect(integer(member(try JSONParser.parse(leaf), "seq")) == Int64(seq))
            #expect(Merkle.verifyInclusion(index: Int64(seq - 1), size: checkpoint.size, leafHash: Merkle.leafHash(canonical: leaf),
                                           proof: hashes(member(proof, "proof")), root: checkpoint.rootHash), "seq \(seq)")
        }
    }

    @Test("prove without any checkpoint asks for one, or signs one when the key file is there")
    func proveNeedsACheckpoint() throws {
        let ledger = try TestLedger.demo(lines: 12)
        let keyFile = ledger.db + ".key"
        try FileManager.default.moveItem(atPath: keyFile, toPath: ledger.path("away.key"))
        let refused = try ledger.ll("prove", "--seq", "3", "--json")
        #expect(refused.status == 1 && refused.stderr.contains("listledger checkpoint"), "\(refused)")
        let signed = try ledger.ok("prove", "--seq", "3", "--json", "--key-file", ledger.path("away.key")).json()
        #expect(try openCheckpoint(string(member(signed, "checkpoint")), key: try ledger.verifierKey()).size == 12)
        // A later event is not covered by the stored checkpoint of 12 events.
        try ledger.append(lines: 12..<14)
        #expect(try ledger.ll("prove", "--seq", "14", "--json").status == 1)
        #expect(try ledger.ok("prove", "--seq", "12", "--json").status == 0)
    }

    @Test("consistency proofs between checkpoints verify, online and offline")
    func consistencyProofs() throws {
        let ledger = try TestLedger.demo(lines: 1)
        let key = try ledger.verifierKey()
        let sizes = [1, 7, 64, 100, 130]
        var notes: [Int: String] = [:]
        for (index, size) in sizes.enumerated() {
            if index > 0 { try ledger.append(lines: sizes[index - 1]..<size) }
            notes[size] = try #require(string(member(try ledger.ok(["checkpoint"], ["--json"]).json(), "note")))
        }
        for (old, new) in [(1, 7), (7, 64), (64, 100), (1, 130), (100, 130), (7, 130), (64, 64)] {
            let proof = try ledger.ok("prove", "--from", String(old), "--to", String(new), "--json").json()
            #expect(integer(member(proof, "old_size")) == Int64(old) && integer(member(proof, "new_size")) == Int64(new))
            let older = try openCheckpoint(string(member(proof, "old_checkpoint")), key: key)
            let newer = try openCheckpoint(string(member(proof, "new_checkpoint")), key: key)
            #expect(Merkle.verifyConsistency(oldSize: Int64(old), newSize: Int64(new), proof: hashes(member(proof, "proof")),
                                             oldRoot: older.rootHash, newRoot: newer.rootHash), "\(old) → \(new)")
            let file = try ledger.write("consistency-\(old)-\(new).json", text(proof))
            let checked = try run(listledger, ["verify-proof", file, "--key", key])
            #expect(checked.status == 0, "\(old) → \(new): \(checked)")
            // The same with the auditor's own saved checkpoints instead of the ones the proof carries.
            let bare = try ledger.write("bare-\(old)-\(new).json", text(.object([
                ("old_size", .integer(Int64(old))), ("new_size", .integer(Int64(new))), ("proof", member(proof, "proof")!),
            ])))
            let oldFile = try ledger.write("old-\(old).txt", notes[old]!)
            let newFile = try ledger.write("new-\(new).txt", notes[new]!)
            #expect(try run(listledger, ["verify-proof", bare, "--key", key, "--old", oldFile, "--new", newFile]).status == 0)
            #expect(try run(listledger, ["verify-proof", bare, "--key", key]).status == 1, "no checkpoints to check against")
            if old != new {
                // Checkpoints of other sizes do not fit the proof.
                #expect(try run(listledger, ["verify-proof", bare, "--key", key, "--old", newFile, "--new", oldFile]).status == 4)
                var changed = flippingBit(proof, "proof", index: 0)
                #expect(try run(listledger, ["verify-proof", try ledger.write("flip.json", text(changed)), "--key", key]).status == 4)
                var path = array(member(proof, "proof"))
                path.removeLast()
                changed = setting(proof, "proof", .array(path))
                #expect(try run(listledger, ["verify-proof", try ledger.write("short.json", text(changed)), "--key", key]).status == 4)
            }
        }
    }

    @Test("verify-proof refuses a changed inclusion proof with exit 4, naming what failed")
    func tamperedInclusionProofs() throws {
        let ledger = try TestLedger.demo(lines: 130)
        let key = try ledger.verifierKey()
        try ledger.ok("checkpoint")
        let proof = try ledger.ok("prove", "--seq", "38", "--json").json()
        let good = try ledger.write("good.json", text(proof))
        #expect(try run(listledger, ["verify-proof", good, "--key", key]).status == 0)

        var path = array(member(proof, "proof"))
        let extra = setting(proof, "proof", .array(path + [path[0]]))
        path.removeLast()
        let missing = setting(proof, "proof", .array(path))
        let note = try #require(string(member(proof, "checkpoint")))
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        let otherRoot = StrictBase64.encode([UInt8](repeating: 7, count: 32))
        let forgedNote = ([lines[0], lines[1], Substring(otherRoot)] + lines[3...]).joined(separator: "\n")
        let cases: [(String, JSONValue, String)] = [
            ("a proof hash with one bit flipped", flippingBit(proof, "proof", index: 2), "proof"),
            ("the leaf with one bit flipped", flippingBit(proof, "leaf", byte: 40), "proof"),
            ("a wrong tree size", setting(proof, "tree_size", .integer(129)), "tree_size"),
            ("another index", setting(proof, "index", .integer(38)), "seq"),
            ("an extra hash", extra, "proof"),
            ("a missing hash", missing, "proof"),
            ("a checkpoint with another root", setting(proof, "checkpoint", .string(forgedNote)), "signature"),
        ]
        for (what, changed, named) in cases {
            let file = try ledger.write("bad.json", text(changed))
            let result = try run(listledger, ["verify-proof", file, "--key", key])
            #expect(result.status == 4, "\(what): \(result)")
            #expect(result.stderr.contains(named), "\(what) should name \(named): \(result.stderr)")
        }
        let otherKey = try TestLedger.demo(lines: 2).verifierKey()
        #expect(try run(listledger, ["verify-proof", good, "--key", otherKey]).status == 4)
        #expect(try run(listledger, ["verify-proof", try ledger.write("junk.json", "{not json"), "--key", key]).status == 1)
    }
}
