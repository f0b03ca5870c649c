import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import TestSupport
import Testing

/// Issue 13 point 5: the national log of logs. One signed national checkpoint commits to every
/// court's head; `national prove` + `national verify-proof` prove a court's head from it offline,
/// with the national key and the court's key alone. Through the real binary and a real server.
@Suite("PostgreSQL: the national log of logs", .enabled(if: serverURL != nil, skipReason))
struct NationalLogTests {
    func object(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONParser.parse(Array(text.utf8)) else { throw CocoaError(.coderReadCorrupt) }
        return Dictionary(members, uniquingKeysWith: { first, _ in first })
    }

    @Test("publish, prove each court's head, check offline; a tampered leaf or the wrong key fails with exit 4")
    func publishAndProve() async throws {
        let db = try await freshDatabase("national").description
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-national-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        _ = try listledger(["init", "--court", "court:baisha", "--db", db])
        _ = try listledger(["init", "--court", "court:qiongzhong", "--db", db])
        _ = try listledger(["append", repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path, "--court", "court:baisha", "--db", db])
        let notice = #"{"type":"risk_notice_issued","entry":"Q1","at":"2024-03-01T09:00:00+08:00","actor":"court:qiongzhong","court":"court:qiongzhong","case":"(2024)琼9036执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#
        _ = try listledger(["append", try file("q1.jsonl", notice + "\n"), "--court", "court:qiongzhong", "--db", db])

        let first = try object(try listledger(["national", "publish", "--json", "--db", db]))
        #expect(first["size"] == .integer(2))
        #expect(first["appended"] == .array([.string("court:baisha"), .string("court:qiongzhong")]))

        let nationalKey = try file("national.pub", try listledger(["national", "key", "--db", db]))
        let baishaKey = try file("baisha.pub", try listledger(["national", "key", "--court", "court:baisha", "--db", db]))
        let qiongzhongKey = try file("qiongzhong.pub", try listledger(["national", "key", "--court", "court:qiongzhong", "--db", db]))
        #expect(try String(contentsOfFile: nationalKey, encoding: .utf8).hasPrefix("listledger/national+"))

        let baishaProofText = try listledger(["national", "prove", "--court", "court:baisha", "--db", db])
        let baishaProof = try file("baisha-proof.json", baishaProofText)
        let ok = try listledger(["national", "verify-proof", baishaProof, "--key", nationalKey, "--court-key", baishaKey])
        #expect(ok.hasPrefix("ok: the head of court:baisha") && ok.contains("is leaf 0 of the national tree of 2 leaves"), "\(ok)")

        // The leaf holds the court's head as `verify` and `checkpoint` of that log give it.
        let proof = try object(baishaProofText)
        guard case .string(let leafText)? = proof["leaf"], let leafBytes = StrictBase64.decode(leafText) else { Issue.record("no leaf"); return }
        let leaf = try object(String(decoding: leafBytes, as: UTF8.self))
        let verified = try object(try listledger(["verify", "--json", "--court", "court:baisha", "--db", db]))
        #expect(leaf["size"] == verified["events"], "\(leaf) vs \(verified)")
        let courtCheckpoint = try object(try listledger(["checkpoint", "--json", "--court", "court:baisha", "--db", db]))
        #expect(leaf["root"] == courtCheckpoint["root"] && leaf["note"] == courtCheckpoint["note"])

        // RFC 6962 §2.1 by hand for two leaves: root = SHA-256(0x01 || SHA-256(0x00 || leaf0) ||
        // SHA-256(0x00 || leaf1)), which the signed national checkpoint must carry.
        let qiongzhongProofText = try listledger(["national", "prove", "--court", "court:qiongzhong", "--db", db])
        guard case .string(let otherText)? = try object(qiongzhongProofText)["leaf"], let otherLeaf = StrictBase64.decode(otherText),
              case .string(let note)? = proof["checkpoint"] else { Issue.record("no leaf"); return }
        let expectedRoot = SHA256.hash([0x01] + SHA256.hash([0x00] + leafBytes) + SHA256.hash([0x00] + otherLeaf))
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 3 && lines[0] == "listledger/national" && lines[1] == "2" && lines[2] == Substring(StrictBase64.encode(expectedRoot)), "\(note)")

        // Nothing moved: no leaf, the same checkpoint.
        let idle = try object(try listledger(["national", "publish", "--json", "--db", db]))
        #expect(idle["appended"] == .array([]) && idle["size"] == .integer(2) && idle["note"] == first["note"])

        // One court moves: one leaf more; its new head is proven under the new checkpoint.
        let second = #"{"type":"inclusion_decided","entry":"Q1","at":"2024-03-20T09:00:00+08:00","actor":"court:qiongzhong","court":"court:qiongzhong","case":"(2024)琼9036执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"},"grounds":["able_but_refuses"],"public":true}"#
        _ = try listledger(["append", try file("q2.jsonl", second + "\n"), "--court", "court:qiongzhong", "--db", db])
        let moved = try object(try listledger(["national", "publish", "--json", "--db", db]))
        #expect(moved["appended"] == .array([.string("court:qiongzhong")]) && moved["size"] == .integer(3))
        let movedProof = try file("q-proof.json", try listledger(["national", "prove", "--court", "court:qiongzhong", "--db", db]))
        let movedOK = try listledger(["national", "verify-proof", movedProof, "--key", nationalKey, "--court-key", qiongzhongKey])
        #expect(movedOK.contains("court:qiongzhong (2 events") && movedOK.contains("is leaf 2 of the national tree of 3 leaves"), "\(movedOK)")

        // Failures: exit 4, naming what failed.
        let wrongCourtKey = try runProgram(try listledgerBinary(), ["national", "verify-proof", baishaProof, "--key", nationalKey, "--court-key", qiongzhongKey])
        #expect(wrongCourtKey.status == 4, "\(wrongCourtKey)")
        let wrongNationalKey = try runProgram(try listledgerBinary(), ["national", "verify-proof", baishaProof, "--key", baishaKey, "--court-key", baishaKey])
        #expect(wrongNationalKey.status == 4, "\(wrongNationalKey)")
        var forged = leaf
        if case .integer(let size)? = leaf["size"] { forged["size"] = .integer(size + 1) }
        let forgedLeaf = CanonicalJSON.encode(.object(forged.map { ($0.key, $0.value) }))
        let forgedProof = try file("forged.json", baishaProofText.replacingOccurrences(of: leafText, with: StrictBase64.encode(forgedLeaf)))
        let refused = try runProgram(try listledgerBinary(), ["national", "verify-proof", forgedProof, "--key", nationalKey, "--court-key", baishaKey])
        #expect(refused.status == 4 && refused.stderr.contains("audit path"), "\(refused)")
    }

    @Test("a court log that no longer verifies stops the round: exit 4, no leaf, no national checkpoint")
    func brokenCourtStopsTheRound() async throws {
        let url = try await freshDatabase("national_broken")
        let db = url.description
        _ = try listledger(["init", "--court", "court:baisha", "--db", db])
        _ = try listledger(["append", repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path, "--db", db])
        let before = try object(try listledger(["national", "publish", "--json", "--db", db]))
        #expect(before["size"] == .integer(1))
        // The owner can still get past the triggers: an attacker with the owner's rights.
        try await PostgresAdmin.execute(["ALTER TABLE events DISABLE TRIGGER events_append_only",
                                         "UPDATE events SET canonical = canonical || '\\x20'::bytea WHERE seq = 2",
                                         "ALTER TABLE events ENABLE TRIGGER events_append_only"], on: url)
        let refused = try runProgram(try listledgerBinary(), ["national", "publish", "--db", db])
        #expect(refused.status == 4, "\(refused)")
        // The last national checkpoint is still the one before: nothing was signed.
        let proof = try object(try listledger(["national", "prove", "--court", "court:baisha", "--db", db]))
        #expect(proof["tree_size"] == .integer(1) && proof["checkpoint"] == before["note"])
    }
}
