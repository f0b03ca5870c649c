import Foundation
import LedgerCrypto
import Testing
@testable import LedgerMerkle

/// C2SP tlog-witness checks and tlog-cosignature/v1 lines, offline: a log of leaves "0".."n-1"
/// in memory, its checkpoints signed with a real key, a witness key, every refusal the spec
/// names (with its HTTP status), and a fork signed with the log's own key.
struct WitnessTests {
    let log = try! NoteSigner.generate(name: "example.test/log")
    let witness = try! NoteSigner.generate(name: "witness.test/w1")

    func leaves(_ prefix: String, _ count: Int) -> [[UInt8]] {
        (0..<count).map { Merkle.leafHash(canonical: Array("\(prefix)\($0)".utf8)) }
    }

    func note(_ hashes: [[UInt8]], signer: NoteSigner? = nil) throws -> (Checkpoint, String) {
        let root = try Merkle.treeHash(size: Int64(hashes.count), reader: try MemoryHashStore(leafHashes: hashes))
        let checkpoint = try Checkpoint(origin: "example.test/log", size: Int64(hashes.count), rootHash: root)
        return (checkpoint, try checkpoint.signed(by: [signer ?? log]))
    }

    func request(_ hashes: [[UInt8]], from old: Int64, signer: NoteSigner? = nil) throws -> AddCheckpointRequest {
        let proof = old == 0 || old == Int64(hashes.count) ? [] : try Merkle.consistencyProof(oldSize: old, newSize: Int64(hashes.count), reader: try MemoryHashStore(leafHashes: hashes))
        return AddCheckpointRequest(oldSize: old, proof: proof, note: try note(hashes, signer: signer).1)
    }

    func refusal(_ body: () throws -> Checkpoint) -> WitnessRefusal? {
        do { _ = try body(); return nil } catch let refusal as WitnessRefusal { return refusal } catch { return nil }
    }

    @Test("a request body prints and parses back; malformed bodies are 400")
    func requestBody() throws {
        let request = try request(leaves("a", 7), from: 3)
        #expect(request.proof.count > 0)
        #expect(try AddCheckpointRequest(parsing: request.body) == request)
        #expect(request.body.hasPrefix("old 3\n"))
        let first = try self.request(leaves("a", 7), from: 0)
        #expect(first.body.hasPrefix("old 0\n\nexample.test/log\n7\n"))
        #expect(try AddCheckpointRequest(parsing: first.body) == first)
        for bad in ["old 3\n", "old 03\n\nx", "new 3\n\nx", "old 3\nnot-base64!\n\nx", "old -1\n\nx",
                    "old 1\n" + String(repeating: "\(StrictBase64.encode([UInt8](repeating: 0, count: 32)))\n", count: 64) + "\nx"] {
            #expect(throws: WitnessRefusal.self, "\(bad)") { try AddCheckpointRequest(parsing: bad) }
        }
    }

    @Test("the witness follows a growing log; every refusal of the spec, with its status")
    func checks() throws {
        let key = log.verifierKey
        let seven = leaves("a", 7), twelve = leaves("a", 12)
        let first = try Witness.check(try request(seven, from: 0), origin: "example.test/log", logKey: key, record: nil)
        #expect(first.size == 7)
        let record = WitnessRecord(size: 7, root: first.rootHash)
        #expect(try Witness.check(try request(twelve, from: 7), origin: "example.test/log", logKey: key, record: record).size == 12)
        // The same checkpoint again at the same size: accepted (equal roots, no proof).
        #expect(try Witness.check(try request(seven, from: 7), origin: "example.test/log", logKey: key, record: record).size == 7)

        #expect(refusal { try Witness.check(try request(twelve, from: 0), origin: "example.test/log", logKey: key, record: record) }?.status == 409)
        #expect(refusal { try Witness.check(try request(twelve, from: 5), origin: "example.test/log", logKey: key, record: record) }?.status == 409)
        #expect(refusal { try Witness.check(try request(twelve, from: 7), origin: "other.test/log", logKey: key, record: record) }?.status == 404)
        let stranger = try NoteSigner.generate(name: "example.test/log")
        #expect(refusal { try Witness.check(try request(twelve, from: 7, signer: stranger), origin: "example.test/log", logKey: key, record: record) }?.status == 403)
        let bigger = AddCheckpointRequest(oldSize: 13, proof: [], note: try note(twelve).1)
        #expect(refusal { try Witness.check(bigger, origin: "example.test/log", logKey: key, record: WitnessRecord(size: 13, root: first.rootHash)) }?.status == 400)

        // A fork signed with the log's own key: other leaves after the first 5.
        let fork = Array(seven.prefix(5)) + leaves("b", 7)
        #expect(refusal { try Witness.check(try request(fork, from: 7), origin: "example.test/log", logKey: key, record: record) }?.status == 422)
        let forkSeven = Array(fork.prefix(7))
        #expect(refusal { try Witness.check(try request(forkSeven, from: 7), origin: "example.test/log", logKey: key, record: record) }?.status == 409)
        // A proof with one hash changed.
        var tampered = try request(twelve, from: 7)
        var proof = tampered.proof
        proof[0][0] ^= 1
        tampered = AddCheckpointRequest(oldSize: 7, proof: proof, note: tampered.note)
        #expect(refusal { try Witness.check(tampered, origin: "example.test/log", logKey: key, record: record) }?.status == 422)
    }

    @Test("cosignature/v1: the line verifies with the cosigner key on that body only; key ID uses 0x04; the key prints and parses back")
    func cosignatureLines() throws {
        let (checkpoint, _) = try note(leaves("a", 7))
        let line = try Cosignature.line(checkpointText: checkpoint.text, witness: witness, timestamp: 1_700_000_000)
        let key = try CosignerKey(of: witness)
        #expect(try CosignerKey(parsing: key.description) == key)
        #expect(key.keyID != witness.keyHash, "the cosignature key ID must differ from the note key's (0x04, not 0x01)")
        let expectedID = SHA256.hash(Array("witness.test/w1\n".utf8) + [0x04] + witness.verifierKey.publicKey.bytes).prefix(4)
        #expect(key.keyID == expectedID.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        #expect(try Cosignature.verify(line: line, checkpointText: checkpoint.text, witness: key) == 1_700_000_000)

        // The signed message is the header, the time line and the body, as the spec spells it.
        let raw = StrictBase64.decode(String(line.dropLast().split(separator: " ")[2]))!
        let message = Array("cosignature/v1\ntime 1700000000\n".utf8) + Array(checkpoint.text.utf8)
        #expect(witness.verifierKey.publicKey.isValidSignature(Array(raw.suffix(64)), for: message))

        let (other, _) = try note(leaves("a", 8))
        #expect(throws: CosignatureError.self) { try Cosignature.verify(line: line, checkpointText: other.text, witness: key) }
        let stranger = try CosignerKey(of: try NoteSigner.generate(name: "witness.test/w1"))
        #expect(throws: CosignatureError.self) { try Cosignature.verify(line: line, checkpointText: checkpoint.text, witness: stranger) }
        // A later time in the line than the one signed.
        var changed = raw
        changed[11] ^= 1
        let forged = "— witness.test/w1 \(StrictBase64.encode(changed))\n"
        #expect(throws: CosignatureError.self) { try Cosignature.verify(line: forged, checkpointText: checkpoint.text, witness: key) }
        // A cosigned note still opens with the log's key: the witness line is ignored as unknown.
        let cosigned = try note(leaves("a", 7)).1 + line
        #expect(try Checkpoint.open(note: cosigned, verifiers: [log.verifierKey]).checkpoint == checkpoint)
    }
}
