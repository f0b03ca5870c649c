import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import LedgerStore
import TestSupport
import Testing

/// `history`, `prove`, `export` and `audit` through the real binary on both engines. The demo
/// scenario is loaded into SQLite and into PostgreSQL with the same clock and salts (so every
/// event has the same bytes); SQLite's output is the reference, and each PostgreSQL bundle is
/// also checked by scripts/verify_bundle.py (the independent Python verifier). What may differ
/// is what each engine's own key signs: the verifier key and the checkpoints' signature lines.
@Suite("PostgreSQL: history, prove, export and audit give SQLite's results", .enabled(if: serverURL != nil, skipReason))
struct PgProofParityTests {
    func object(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONParser.parse(Array(text.utf8)) else { throw CocoaError(.coderReadCorrupt) }
        return Dictionary(members, uniquingKeysWith: { first, _ in first })
    }

    /// A signed note's body (origin, size, root): the lines before the blank line.
    func body(_ note: JSONValue?) -> String? {
        guard case .string(let text)? = note, let end = text.range(of: "\n\n") else { return nil }
        return String(text[..<end.lowerBound])
    }

    /// The demo scenario in a new SQLite file (with its key file) and a new PostgreSQL database.
    func loadBoth(_ dir: URL) async throws -> (sqlite: String, postgres: String, events: [Event]) {
        let events = try demoEvents()
        let sqlite = dir.appendingPathComponent("demo.sqlite").path
        do {
            let ledger = try Ledger.create(path: sqlite, profile: "baisha-2018", court: "court:baisha", now: demoClock)
            ledger.saltSource = seededSalt
            _ = try ledger.append(events.enumerated().map { NumberedEvent(line: $0.offset + 1, event: $0.element) }, clock: { demoClock })
        }
        _ = try listledger(["keys", "init", "--db", sqlite])
        let url = try await freshDatabase("proofs")
        try await PostgresLedger.withLedger(url: url, saltSource: seededSalt, clock: { demoClock }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            _ = try await ledger.submit(events, to: log)
        }
        return (sqlite, url.description, events)
    }

    @Test("history --json of several entries and prove --seq / --from --to --json equal SQLite's; the proofs verify offline")
    func historyAndProofs() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-proofs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sqlite, postgres, events) = try await loadBoth(dir)
        let entries = Array(Set(events.compactMap(\.entry))).sorted()
        #expect(entries.count > 10)
        for entry in [entries[0], entries[1], entries[entries.count / 2], entries[entries.count - 1]] {
            let expected = try listledger(["history", "--json", "--entry", entry, "--db", sqlite])
            #expect(expected.contains(#""seq":"#), "SQLite printed no event of \(entry)")
            #expect(try listledger(["history", "--json", "--entry", entry, "--db", postgres]) == expected, "history of \(entry)")
            #expect(try listledger(["history", "--entry", entry, "--db", postgres]) == listledger(["history", "--entry", entry, "--db", sqlite]))
        }
        let missing = try runProgram(try listledgerBinary(), ["history", "--entry", "NO-SUCH-ENTRY", "--db", postgres])
        #expect(missing.status == 1 && missing.stderr.contains("--entry"), "\(missing)")

        // No checkpoint yet on either: SQLite signs with its key file, PostgreSQL with the log's key.
        let pgKey = try listledger(["keys", "show", "--db", postgres]).split(separator: "\n").last.map(String.init) ?? ""
        #expect(pgKey.hasPrefix("listledger/court:baisha+"), "\(pgKey)")
        for seq in ["1", "2", "188", "375"] {
            let expected = try object(try listledger(["prove", "--seq", seq, "--json", "--db", sqlite]))
            let actualText = try listledger(["prove", "--seq", seq, "--json", "--db", postgres])
            let actual = try object(actualText)
            for field in ["index", "tree_size", "leaf", "proof"] {
                #expect(actual[field] == expected[field], "prove --seq \(seq): \(field)")
            }
            #expect(body(actual["checkpoint"]) != nil && body(actual["checkpoint"]) == body(expected["checkpoint"]), "prove --seq \(seq): the checkpoint's origin, size, root")
            let proofFile = dir.appendingPathComponent("proof-\(seq).json")
            try actualText.write(to: proofFile, atomically: true, encoding: .utf8)
            _ = try listledger(["verify-proof", proofFile.path, "--key", pgKey])
        }
        #expect(try object(try listledger(["prove", "--seq", "1", "--json", "--db", postgres]))["tree_size"] == .integer(375))
        let beyond = try runProgram(try listledgerBinary(), ["prove", "--seq", "376", "--db", postgres])
        #expect(beyond.status == 1 && beyond.stderr.contains("--seq") && beyond.stderr.contains("1 to 375"), "\(beyond)")
        for (from, to) in [("1", "375"), ("100", "375"), ("374", "375")] {
            let expected = try object(try listledger(["prove", "--from", from, "--to", to, "--json", "--db", sqlite]))
            let actual = try object(try listledger(["prove", "--from", from, "--to", to, "--json", "--db", postgres]))
            for field in ["old_size", "new_size", "proof"] { #expect(actual[field] == expected[field], "prove --from \(from) --to \(to): \(field)") }
            #expect(body(actual["new_checkpoint"]) == body(expected["new_checkpoint"]))
        }
        let tooFar = try runProgram(try listledgerBinary(), ["prove", "--from", "10", "--to", "400", "--db", postgres])
        #expect(tooFar.status == 1 && tooFar.stderr.contains("--from"), "\(tooFar)")
    }

    @Test("export --all / --entry / --from --to: the same bundle as SQLite's but for the key's lines; audit and verify_bundle.py pass it")
    func bundles() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-bundles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sqlite, postgres, events) = try await loadBoth(dir)
        let pgKey = try listledger(["keys", "show", "--db", postgres]).split(separator: "\n").last.map(String.init) ?? ""
        let sqliteKey = try listledger(["keys", "show", "--db", sqlite]).split(separator: "\n").last.map(String.init) ?? ""
        let entry = events.compactMap(\.entry).first!
        for (name, selection) in [("all", ["--all"]), ("entry", ["--entry", entry]), ("range", ["--from", "2020-01-01", "--to", "2021-06-30"])] {
            let sqliteBundle = dir.appendingPathComponent("\(name)-sqlite.json").path
            let pgBundle = dir.appendingPathComponent("\(name)-pg.json").path
            let expectedSummary = try object(try listledger(["export", "--bundle", sqliteBundle, "--json", "--db", sqlite] + selection))
            let summary = try object(try listledger(["export", "--bundle", pgBundle, "--json", "--db", postgres] + selection))
            for field in ["events", "tree_size", "root", "selection"] { #expect(summary[field] == expectedSummary[field], "export \(name): \(field)") }
            // Line by line (one header member a line, then one event a line): only the key's lines differ.
            let expectedLines = try String(contentsOfFile: sqliteBundle, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let lines = try String(contentsOfFile: pgBundle, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == expectedLines.count && lines.count > 12, "export \(name): \(lines.count) lines, SQLite \(expectedLines.count)")
            var differing: [String] = []
            for (line, reference) in zip(lines, expectedLines) where line != reference { differing.append(String(line.prefix(16))) }
            #expect(differing.allSatisfy { $0.hasPrefix(#""verifier_key""#) || $0.hasPrefix(#""checkpoint""#) || !$0.hasPrefix("\"") },
                    "export \(name): lines differ: \(differing.prefix(5))")
            #expect(differing.count <= 4, "export \(name): \(differing.count) lines differ (the key, the note and its signature line only)")
            // The binary's audit of the PostgreSQL bundle says what it says of SQLite's.
            let audit = try listledger(["audit", pgBundle, "--key", pgKey, "--json", "--as-of", "2026-11-20"])
            #expect(audit == (try listledger(["audit", sqliteBundle, "--key", sqliteKey, "--json", "--as-of", "2026-11-20"])), "audit \(name)")
            #expect(try object(audit)["ok"] == .bool(true))
            let python = try runProgram("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("scripts/verify_bundle.py").path, pgBundle, "--key", pgKey])
            #expect(python.status == 0, "verify_bundle.py \(name): \(python)")
            // Trusting the other engine's key fails: the checkpoint is signed by this log's own.
            let wrongKey = try runProgram(try listledgerBinary(), ["audit", pgBundle, "--key", sqliteKey])
            #expect(wrongKey.status == 4, "audit \(name) with SQLite's key: \(wrongKey)")
        }
        let unknown = try runProgram(try listledgerBinary(), ["export", "--bundle", dir.appendingPathComponent("x.json").path, "--entry", "NO-SUCH", "--db", postgres])
        #expect(unknown.status == 1 && unknown.stderr.contains("--entry"), "\(unknown)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.json").path))
    }

}
