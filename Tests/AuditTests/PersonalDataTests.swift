import Foundation
import TestSupport
import LedgerDomain
import Testing

/// SPEC §7 end to end through the binary: v2 events, erase, and what the files still hold.
@Suite("personal data (issue 12)")
struct PersonalDataTests {
    static let name = "测试甲"
    static let id = "460030198001010105"
    static let otherName = "测试丙"
    static let otherID = "460030199002020203"

    static func line(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func event(_ type: String, _ entry: String, _ at: String, _ fields: [String: Any] = [:]) -> String {
        var object: [String: Any] = ["type": type, "entry": entry, "at": at, "actor": "court:baisha"]
        for (key, value) in fields { object[key] = value }
        return line(object)
    }

    /// E1 listed then shielded (erasable); E2 listed (not erasable).
    static func lifecycle() -> String {
        let d1: [String: Any] = ["kind": "person", "name": name, "id_number": id]
        let d2: [String: Any] = ["kind": "person", "name": otherName, "id_number": otherID]
        return [
            event("risk_notice_issued", "E1", "2024-03-01T09:00:00+08:00", ["court": "court:baisha", "case": "(2024)琼9030执1号", "debtor": d1]),
            event("inclusion_decided", "E1", "2024-03-05T10:00:00+08:00", ["court": "court:baisha", "case": "(2024)琼9030执1号", "debtor": d1, "grounds": ["able_but_refuses"], "public": true]),
            event("entry_published", "E1", "2024-03-06T10:00:00+08:00"),
            event("entry_corrected", "E1", "2024-03-07T10:00:00+08:00", ["corrections": ["debtor.name": name + "某"], "reason": "typo"]),
            event("inclusion_decided", "E2", "2024-03-05T11:00:00+08:00", ["court": "court:baisha", "case": "(2024)琼9030执2号", "debtor": d2, "grounds": ["able_but_refuses"], "public": true]),
            event("obligation_discharged", "E1", "2024-04-01T10:00:00+08:00", ["basis": "full_performance"]),
            event("entry_shielded", "E1", "2024-04-02T10:00:00+08:00", ["reason": "discharge"]),
        ].joined(separator: "\n") + "\n"
    }

    static func files(_ ledger: TestLedger) -> [(String, Data)] {
        ["", "-wal", "-shm", "-journal"].compactMap { suffix in
            FileManager.default.contents(atPath: ledger.db + suffix).map { (suffix.isEmpty ? "db" : suffix, $0) }
        }
    }

    static func holds(_ data: Data, _ text: String) -> Bool { data.range(of: Data(text.utf8)) != nil }

    @Test("new events are v2: the canonical bytes hold commitments, history joins the values back and says v")
    func encodingV2() throws {
        let ledger = try TestLedger()
        try ledger.ok("init")
        try ledger.ok("append", "-", stdin: Self.lifecycle())
        let history = try ledger.ok("history", "--entry", "E1", "--json").stdout
        #expect(history.contains(Self.name) && history.contains(Self.id))
        #expect(history.contains("\"v\":2"))
        let sqlite = try run("/usr/bin/env", ["sqlite3", ledger.db, "SELECT canonical FROM events"])
        if sqlite.status == 0 {
            #expect(!sqlite.stdout.contains(Self.id) && !sqlite.stdout.contains(Self.name), "a value is in the hashed bytes")
            #expect(sqlite.stdout.contains("\"commitment\":"))
        }
    }

    @Test("erase: refused while listed (exit 1, nothing written); after exit the values leave db, WAL and shm; verify, proofs, checkpoints and consistency still pass")
    func erase() throws {
        let ledger = try TestLedger()
        try ledger.ok("init")
        try ledger.ok("append", "-", stdin: Self.lifecycle())
        try ledger.ok(["keys", "init"])
        let key = try ledger.verifierKey()
        let saved = try ledger.write("before.txt", try ledger.ok("checkpoint").stdout)
        // The values are in the files before: the byte search below can find them.
        #expect(Self.files(ledger).contains { Self.holds($0.1, Self.id) })

        let size = try member(try ledger.ok("verify", "--json").json(), "events")
        let refused = try ledger.ll(["erase"], ["--entry", "E2", "--reason", "purpose served"])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("shielded or revoked"), "\(refused.stderr)")
        #expect(try member(try ledger.ok("verify", "--json").json(), "events") == size, "a refused erase wrote something")
        #expect(try ledger.ll(["erase"], ["--entry", "E1"]).status != 0, "erase without --reason")
        #expect(try ledger.ll(["append", "-"], stdin: Self.event("personal_data_erased", "E1", "2024-05-01T10:00:00+08:00", ["reason": "x"]) + "\n").status == 1,
                "personal_data_erased through append would erase nothing")

        let erased = try ledger.ok(["erase"], ["--entry", "E1", "--reason", "PIPL art. 47", "--json"]).json()
        #expect(integer(member(erased, "erased_events")) == 3)  // notice, inclusion, correction
        for (file, data) in Self.files(ledger) {
            for value in [Self.id, Self.name, Self.name + "某"] {
                #expect(!Self.holds(data, value), "\(value) is still in \(file)")
            }
        }
        // The other entry keeps its values (the search is not vacuous).
        #expect(Self.files(ledger).contains { Self.holds($0.1, Self.otherID) })

        let verified = try ledger.ok("verify", "--json").json()
        #expect(member(verified, "ok") == .bool(true))
        for seq in ["1", "2", "4", "8"] {
            let proof = try ledger.ok("prove", "--seq", seq, "--json").stdout
            #expect(!proof.contains(Self.id))
        }
        try ledger.ok("checkpoint")
        let against = try ledger.ok(["verify"], ["--against", saved, "--key", key, "--json"]).json()
        #expect(member(member(against, "against"), "ok") == .bool(true))
        #expect(try ledger.ll(["erase"], ["--entry", "E1", "--reason", "again"]).status == 1, "a second erase")

        // What readers see now: commitments, never the values.
        let history = try ledger.ok("history", "--entry", "E1", "--json").stdout
        #expect(!history.contains(Self.id) && !history.contains(Self.name) && history.contains("\"commitment\":"))
        #expect(history.contains("personal_data_erased"))
        let state = try ledger.ok("state", "--json").stdout
        #expect(!state.contains(Self.name))

        // A bundle exported after the erase carries no erased value and still audits (both verifiers).
        let bundle = ledger.path("after.json")
        try ledger.ok(["export"], ["--bundle", bundle, "--all"])
        let bytes = try #require(FileManager.default.contents(atPath: bundle))
        #expect(!Self.holds(bytes, Self.id) && !Self.holds(bytes, Self.name))
        let (swift, python) = try auditBoth(bundle, key: key)
        #expect(swift.status == 0, "\(swift)")
        #expect(python.status == 0, "\(python)")
    }

    @Test("verify-value opens a commitment with the right value and salt, and not with another value")
    func verifyValue() throws {
        let ledger = try TestLedger()
        try ledger.ok("init")
        try ledger.ok("append", "-", stdin: Self.lifecycle())
        let sqlite = try run("/usr/bin/env", ["sqlite3", ledger.db, "SELECT data FROM personal_data WHERE seq = 1"])
        guard sqlite.status == 0 else { return }  // no sqlite3 shell on this machine
        let secrets = try JSONParser.parse(Array(sqlite.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
        let salt = try #require(string(member(member(secrets, "debtor.id_number"), "salt")))
        try ledger.ok("verify-value", "--seq", "1", "--path", "debtor.id_number", "--value", Self.id, "--salt", salt)
        #expect(try ledger.ll(["verify-value"], ["--seq", "1", "--path", "debtor.id_number", "--value", Self.otherID, "--salt", salt]).status == 4)
        #expect(try ledger.ll(["verify-value"], ["--seq", "1", "--path", "debtor.id_number", "--value", Self.id, "--salt", "00"]).status == 1)
    }
}
