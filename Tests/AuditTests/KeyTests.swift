import Foundation
import LedgerDomain
import TestSupport
import Testing

/// Verifies a C2SP signed checkpoint with a signed-note verifier key, independently of the Swift
/// code: Python's `cryptography` for Ed25519, the key hash and note layout from the C2SP
/// signed-note spec. Prints "SIZE ROOT_B64" and exits 0, or exits 4 naming the failure.
let independentCheckpointCheck = #"""
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
note, vkey = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2].strip()
name, keyhash, kb = vkey.split("+", 2)
raw = base64.b64decode(kb, validate=True)
assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 verifier key"
if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() != keyhash:
    print("key hash mismatch"); sys.exit(4)
i = note.rfind("\n\n")
body, sigs = note[:i + 1], note[i + 2:]
for line in sigs.splitlines():
    if not line.startswith("\u2014 "): continue
    sname, sb = line[2:].rsplit(" ", 1)
    sig = base64.b64decode(sb, validate=True)
    if sname != name or sig[:4].hex() != keyhash: continue
    try:
        Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], body.encode())
    except Exception:
        print("bad signature"); sys.exit(4)
    lines = body.split("\n")
    print(lines[1], lines[2]); sys.exit(0)
print("no signature by that key"); sys.exit(4)
"""#

@Suite("keys and checkpoints")
struct KeyTests {
    @Test("keys init writes a 0600 key file and never overwrites one")
    func keyFileIsPrivateAndNeverOverwritten() throws {
        let ledger = try TestLedger.demo(lines: 10, key: false)
        let created = try ledger.ok(["keys", "init"])
        let keyFile = ledger.db + ".key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let original = try String(contentsOfFile: keyFile, encoding: .utf8)
        #expect(original.hasPrefix("PRIVATE+KEY+listledger/court:baisha+"))
        #expect(created.stdout.contains(try ledger.verifierKey()))

        let again = try ledger.ll(["keys", "init"])
        #expect(again.status == 1, "\(again)")
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8) == original)

        // Another file the operator already has is not touched either.
        let other = try ledger.write("precious.key", "do not overwrite\n")
        let onOther = try ledger.ll(["keys", "init"], ["--key-file", other, "--replace"])
        #expect(onOther.status == 1, "\(onOther)")
        #expect(try ledger.read("precious.key") == "do not overwrite\n")

        // A second key for the same ledger needs --replace.
        let second = try ledger.ll(["keys", "init"], ["--key-file", ledger.path("second.key")])
        #expect(second.status == 1 && second.stderr.contains("--replace"), "\(second)")
        #expect(!FileManager.default.fileExists(atPath: ledger.path("second.key")))
    }

    @Test("the key is named after init --court, else the first event's court; refused with neither")
    func keyName() throws {
        let empty = try TestLedger()
        try empty.ok("init")
        let refused = try empty.ll(["keys", "init"])
        #expect(refused.status == 1 && refused.stderr.contains("--name"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: empty.db + ".key"))

        let named = try TestLedger()
        try named.ok("init", "--court", "court:hainan-2nd-intermediate")
        try named.ok(["keys", "init"])
        #expect(try named.verifierKey().hasPrefix("listledger/court:hainan-2nd-intermediate+"))

        let fromEvents = try TestLedger.demo(lines: 3)
        #expect(try fromEvents.verifierKey().hasPrefix("listledger/court:baisha+"))
    }

    @Test("keys show's verifier key verifies checkpoints with an independent Ed25519 check")
    func checkpointVerifiesIndependently() throws {
        let ledger = try TestLedger.demo(lines: 40)
        let key = try ledger.verifierKey()
        let signed = try ledger.ok(["checkpoint"], ["--json"]).json()
        let note = try #require(string(member(signed, "note")))
        let file = try ledger.write("cp.txt", note)
        #expect(note.hasPrefix("listledger/court:baisha\n40\n"))

        let checked = try python(independentCheckpointCheck, [file, key])
        #expect(checked.status == 0, "\(checked)")
        #expect(checked.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "40 \(string(member(signed, "root")) ?? "")")
        let verify = try ledger.ll(["verify"], ["--json"]).json()
        let rootHex = try #require(string(member(verify, "root")))
        let rootB64 = try #require(string(member(signed, "root")))
        #expect(Data(base64Encoded: rootB64)?.map { String(format: "%02x", $0) }.joined() == rootHex)

        // The offline check of the binary agrees, and both refuse a changed note.
        #expect(try run(listledger, ["checkpoint", "--verify", file, "--key", key]).status == 0)
        let forged = try ledger.write("forged.txt", note.replacingOccurrences(of: "\n40\n", with: "\n41\n"))
        #expect(try python(independentCheckpointCheck, [forged, key]).status == 4)
        let refused = try run(listledger, ["checkpoint", "--verify", forged, "--key", key])
        #expect(refused.status == 4 && refused.stderr.contains("signature"), "\(refused)")

        // Another key with the same name is not the trusted key.
        let other = try TestLedger.demo(lines: 3)
        let otherKey = try other.verifierKey()
        #expect(otherKey != key)
        #expect(try python(independentCheckpointCheck, [file, otherKey]).status == 4)
        #expect(try run(listledger, ["checkpoint", "--verify", file, "--key", otherKey]).status == 4)
        // A key file (keys show's output) works as --key; an unreadable note is exit 1.
        let keyFile = try ledger.write("vk.txt", try ledger.ok(["keys", "show"]).stdout)
        #expect(try run(listledger, ["checkpoint", "--verify", file, "--key", keyFile]).status == 0)
        #expect(try run(listledger, ["checkpoint", "--verify", ledger.path("missing.txt"), "--key", key]).status == 1)
    }

    @Test("a checkpoint of an unchanged log is not signed twice; one of a grown log is")
    func checkpointsGrowWithTheLog() throws {
        let ledger = try TestLedger.demo(lines: 20)
        let first = try ledger.ok(["checkpoint"], ["--json"]).json()
        let same = try ledger.ok(["checkpoint"], ["--json"]).json()
        #expect(member(same, "created") == .bool(false))
        #expect(string(member(same, "note")) == string(member(first, "note")))
        try ledger.append(lines: 20..<30)
        let grown = try ledger.ok(["checkpoint"], ["--json"]).json()
        #expect(integer(member(grown, "size")) == 30)
        #expect(member(grown, "created") == .bool(true))
    }
}
