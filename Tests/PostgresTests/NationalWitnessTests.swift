import Foundation
import LedgerPostgres
import TestSupport
import Testing

/// Issue 13 point 5, second half: consistency proofs between national checkpoints, a witness
/// that cosigns them (C2SP tlog-witness add-checkpoint checks, tlog-cosignature/v1 lines), the
/// log storing and serving the cosignatures, and a forked national history refused. Real keys,
/// the real binary, a real server; the cosignature is checked by an independent Python
/// implementation of the spec (the `cryptography` package's Ed25519).
@Suite("PostgreSQL: national consistency proofs and witness cosignatures", .enabled(if: serverURL != nil, skipReason))
struct NationalWitnessTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-witness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func notice(_ entry: String, court: String) -> String {
        #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"2024-03-01T09:00:00+08:00","actor":"\#(court)","court":"\#(court)","case":"(2024)琼9036执\#(entry.count)号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"# + "\n"
    }

    /// Appends one new entry to `court`'s log and runs a national round; returns the new size.
    func moveAndPublish(_ db: String, court: String, entry: String) throws -> String {
        _ = try listledger(["append", try file("\(entry).jsonl", notice(entry, court: court)), "--court", court, "--db", db])
        let round = try listledger(["national", "publish", "--json", "--db", db])
        guard let size = round.firstMatch(of: #/"size":(\d+)/#)?.1 else { throw HarnessFailure("no size in \(round)") }
        return String(size)
    }

    /// Checks a cosignature/v1 line as the spec defines it, in Python: the key ID from the name
    /// and key, the signed message built from the checkpoint body, the Ed25519 signature.
    func pythonAccepts(line: String, note: String, cosignerKey: String) throws -> RunResult {
        let script = #"""
        import base64, hashlib, struct, sys
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        line, note, vkey = open(sys.argv[1]).read(), open(sys.argv[2]).read(), open(sys.argv[3]).read().strip()
        name, keyid_hex, key_b64 = vkey.split("+", 2)
        key = base64.b64decode(key_b64)
        assert key[0] == 4 and len(key) == 33, "not a cosignature/v1 Ed25519 key"
        assert hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() == keyid_hex, "key ID"
        assert line.startswith("\u2014 " + name + " "), "line name"
        raw = base64.b64decode(line.rstrip("\n").split(" ")[2])
        assert raw[:4].hex() == keyid_hex and len(raw) == 76, "line key ID / length"
        (timestamp,) = struct.unpack(">Q", raw[4:12])
        body = note[: note.index("\n\n") + 1]
        message = b"cosignature/v1\ntime %d\n" % timestamp + body.encode()
        Ed25519PublicKey.from_public_bytes(key[1:]).verify(raw[12:], message)
        print("ok", timestamp)
        """#
        return try runProgram("/usr/bin/env", ["python3", "-c", script, try file("line.txt", line), try file("note.txt", note), try file("w.pub", cosignerKey)])
    }

    @Test("prove --from: a consistency proof verify-proof accepts with the national key; a witness cosigns from 0, then from its size; the log stores and serves the line; verify-proof --witness requires it")
    func consistencyAndCosigning() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try await freshDatabase("witness").description
        _ = try listledger(["init", "--court", "court:baisha", "--db", db])
        _ = try listledger(["init", "--court", "court:qiongzhong", "--db", db])
        #expect(try moveAndPublish(db, court: "court:baisha", entry: "B1") == "1")
        #expect(try moveAndPublish(db, court: "court:qiongzhong", entry: "Q1") == "2")
        let nationalKey = try file("national.pub", try listledger(["national", "key", "--db", db]))

        // The witness's key: a cosigner key (0x04), and a state file that starts empty.
        let witnessKeyFile = dir.appendingPathComponent("w1.key").path
        let cosigner = try listledger(["national", "witness-key", "--name", "witness.test/w1", "--out", witnessKeyFile]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(cosigner.hasPrefix("witness.test/w1+"), "\(cosigner)")
        let cosignerFile = try file("w1.pub", cosigner + "\n")
        let state = dir.appendingPathComponent("w1-state.json").path
        let refusedOverwrite = try runProgram(try listledgerBinary(), ["national", "witness-key", "--name", "witness.test/w1", "--out", witnessKeyFile])
        #expect(refusedOverwrite.status == 1 && refusedOverwrite.stderr.contains("--out"), "\(refusedOverwrite)")

        // First contact: old 0, no proof lines.
        let first = try listledger(["national", "prove", "--from", "0", "--witness-request", "--db", db])
        #expect(first.hasPrefix("old 0\n\nlistledger/national\n2\n"), "\(first)")
        let line2 = try listledger(["national", "cosign", try file("req2.txt", first), "--key", nationalKey, "--witness-key", witnessKeyFile, "--state", state])
        #expect(line2.hasPrefix("— witness.test/w1 ") && line2.hasSuffix("\n") && line2.split(separator: "\n").count == 1, "\(line2)")
        let note2 = String(first.dropFirst("old 0\n\n".count))
        let python = try pythonAccepts(line: line2, note: note2, cosignerKey: cosigner)
        #expect(python.status == 0 && python.stdout.hasPrefix("ok "), "independent check of the cosignature: \(python)")
        #expect(try String(contentsOfFile: state, encoding: .utf8).contains(#""size":2"#))

        // The same request again: the witness is at 2 now, so old 0 conflicts (409) and it says its size.
        let again = try runProgram(try listledgerBinary(), ["national", "cosign", try file("req2.txt", first), "--key", nationalKey, "--witness-key", witnessKeyFile, "--state", state])
        #expect(again.status == 4 && again.stderr.contains("409") && again.stderr.contains("last cosigned size 2"), "\(again)")

        // The log grows; the consistency proof from 2 checks offline with the national key alone.
        #expect(try moveAndPublish(db, court: "court:baisha", entry: "B2") == "3")
        let consistency = try file("consistency.json", try listledger(["national", "prove", "--from", "2", "--db", db]))
        let checked = try listledger(["verify-proof", consistency, "--key", nationalKey])
        #expect(checked.contains("listledger/national of 3 events") && checked.contains("extends its checkpoint of 2"), "\(checked)")
        let forgedProof = try String(contentsOfFile: consistency, encoding: .utf8)
            .replacingOccurrences(of: #""old_size":2"#, with: #""old_size":1"#)
        let forged = try runProgram(try listledgerBinary(), ["verify-proof", try file("forged.json", forgedProof), "--key", nationalKey])
        #expect(forged.status == 4, "\(forged)")

        let request3 = try listledger(["national", "prove", "--from", "2", "--witness-request", "--db", db])
        #expect(request3.hasPrefix("old 2\n") && !request3.hasPrefix("old 2\n\n"), "a proof from 2 to 3 has hashes: \(request3)")
        let line3 = try listledger(["national", "cosign", try file("req3.txt", request3), "--key", nationalKey, "--witness-key", witnessKeyFile, "--state", state])
        #expect(try String(contentsOfFile: state, encoding: .utf8).contains(#""size":3"#))

        // The log collects the line: a line of another checkpoint is refused (nothing stored),
        // the right one stored and served; a court's proof then carries it.
        let wrong = try runProgram(try listledgerBinary(), ["national", "add-cosignature", try file("l2.txt", line2), "--witness", cosignerFile, "--db", db])
        #expect(wrong.status == 4 && wrong.stderr.contains("nothing stored"), "\(wrong)")
        _ = try listledger(["national", "add-cosignature", try file("l3.txt", line3), "--witness", cosignerFile, "--db", db])
        _ = try listledger(["national", "add-cosignature", try file("l3.txt", line3), "--witness", cosignerFile, "--db", db])
        let served = try listledger(["national", "checkpoint", "--db", db])
        #expect(served.hasPrefix("listledger/national\n3\n") && served.hasSuffix(line3), "\(served)")
        #expect(served.components(separatedBy: "— witness.test/w1 ").count == 2, "the line is stored once: \(served)")
        #expect(try listledger(["national", "checkpoint", "--size", "2", "--db", db]) == note2, "size 2 has no cosignature stored")

        let courtKey = try file("baisha.pub", try listledger(["national", "key", "--court", "court:baisha", "--db", db]))
        let proof = try file("proof.json", try listledger(["national", "prove", "--court", "court:baisha", "--db", db]))
        let witnessed = try listledger(["national", "verify-proof", proof, "--key", nationalKey, "--court-key", courtKey, "--witness", cosignerFile])
        #expect(witnessed.contains("cosigned by witness.test/w1"), "\(witnessed)")
        // A quorum that names a witness which never cosigned fails.
        let otherKeyFile = dir.appendingPathComponent("w2.key").path
        let other = try listledger(["national", "witness-key", "--name", "witness.test/w2", "--out", otherKeyFile]).trimmingCharacters(in: .whitespacesAndNewlines)
        let missing = try runProgram(try listledgerBinary(), ["national", "verify-proof", proof, "--key", nationalKey, "--court-key", courtKey,
                                                             "--witness", cosignerFile, "--witness", other])
        #expect(missing.status == 4 && missing.stderr.contains("witness.test/w2"), "\(missing)")
    }

    @Test("a forked national history signed with the same key is refused by the witness (422, state unchanged); another key 403; garbage 400")
    func forkRefused() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try await freshDatabase("fork_a")
        let b = try await freshDatabase("fork_b")
        for url in [a, b] {
            _ = try listledger(["init", "--court", "court:baisha", "--db", url.description])
            _ = try listledger(["init", "--court", "court:qiongzhong", "--db", url.description])
        }
        // B holds A's national key: the operator who signs two histories with one key.
        let nationalKey = try file("national.pub", try listledger(["national", "key", "--db", a.description]))
        _ = try listledger(["national", "key", "--db", b.description])
        let fetched = try await PostgresAdmin.scalar("SELECT secret FROM national_key", on: a)
        let secret = try #require(fetched)
        try await PostgresAdmin.execute(["UPDATE national_key SET secret = '\(secret)'"], on: b)
        #expect(try listledger(["national", "key", "--db", b.description]) == (try String(contentsOfFile: nationalKey, encoding: .utf8)))

        // A: sizes 1, 2, 3. The witness follows A up to 3.
        _ = try moveAndPublish(a.description, court: "court:baisha", entry: "A1")
        _ = try moveAndPublish(a.description, court: "court:qiongzhong", entry: "A2")
        #expect(try moveAndPublish(a.description, court: "court:baisha", entry: "A3") == "3")
        let witnessKey = dir.appendingPathComponent("w.key").path
        _ = try listledger(["national", "witness-key", "--name", "witness.test/fork", "--out", witnessKey])
        let state = dir.appendingPathComponent("state.json").path
        _ = try listledger(["national", "cosign", try file("a3.txt", try listledger(["national", "prove", "--from", "0", "--witness-request", "--db", a.description])),
                            "--key", nationalKey, "--witness-key", witnessKey, "--state", state])
        let stateAt3 = try String(contentsOfFile: state, encoding: .utf8)
        #expect(stateAt3.contains(#""size":3"#))

        // B: other leaves (other entries), sizes 2 and 4, signed with the same key.
        _ = try moveAndPublish(b.description, court: "court:baisha", entry: "BB1")
        _ = try moveAndPublish(b.description, court: "court:qiongzhong", entry: "BB2")
        _ = try moveAndPublish(b.description, court: "court:baisha", entry: "BB3")
        #expect(try moveAndPublish(b.description, court: "court:qiongzhong", entry: "BB4") == "4")
        let forkRequest = try listledger(["national", "prove", "--from", "3", "--witness-request", "--db", b.description])
        let refused = try runProgram(try listledgerBinary(), ["national", "cosign", try file("b4.txt", forkRequest),
                                                             "--key", nationalKey, "--witness-key", witnessKey, "--state", state])
        #expect(refused.status == 4 && refused.stderr.contains("422") && refused.stderr.contains("fork"), "\(refused)")
        #expect(refused.stdout.isEmpty, "no cosignature printed: \(refused)")
        #expect(try String(contentsOfFile: state, encoding: .utf8) == stateAt3, "the state moved after a refusal")

        // A checkpoint of a log with its own key: not signed by the trusted key (403).
        let c = try await freshDatabase("fork_c")
        _ = try listledger(["init", "--court", "court:baisha", "--db", c.description])
        _ = try moveAndPublish(c.description, court: "court:baisha", entry: "C1")
        let strangerFirst = try runProgram(try listledgerBinary(), ["national", "cosign", try file("c0.txt", try listledger(["national", "prove", "--from", "0", "--witness-request", "--db", c.description])),
                                                                   "--key", nationalKey, "--witness-key", witnessKey, "--state", state])
        #expect(strangerFirst.status == 4 && strangerFirst.stderr.contains("403"), "\(strangerFirst)")
        let garbage = try runProgram(try listledgerBinary(), ["national", "cosign", try file("g.txt", "hello\n\nworld\n"),
                                                             "--key", nationalKey, "--witness-key", witnessKey, "--state", state])
        #expect(garbage.status == 1 && garbage.stderr.contains("400"), "\(garbage)")
        #expect(try String(contentsOfFile: state, encoding: .utf8) == stateAt3)
    }
}
