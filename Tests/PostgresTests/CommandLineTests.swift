import Foundation
import LedgerPostgres
import TestSupport
import Testing

/// The real `listledger` binary on both engines: the demo scenario gives the same `state
/// --json` and `obligations --json` on SQLite and on PostgreSQL (SPEC §8: every result is the
/// same on either). SQLite's output is the reference.
@Suite("PostgreSQL: the command line gives the same results as on SQLite", .enabled(if: serverURL != nil, skipReason))
struct PgCommandLineTests {
    @Test("demo scenario: state --json and obligations --json (every status, a fixed as-of) are byte for byte the same")
    func sameOutputs() async throws {
        let scenario = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = dir.appendingPathComponent("demo.sqlite").path
        let postgres = try await freshDatabase("cli").description

        for db in [sqlite, postgres] {
            _ = try listledger(["init", "--court", "court:baisha", "--db", db])
            _ = try listledger(["append", scenario, "--db", db])
        }
        for query in [["state", "--json"], ["state", "--json", "--as-of", "2020-06-30"],
                      ["obligations", "--json", "--as-of", "2026-11-20"],
                      ["obligations", "--json", "--as-of", "2021-03-31", "--status", "breached"],
                      ["obligations", "--json", "--as-of", "2026-11-20", "--obligor", "unit:pboc-baisha"]] {
            let expected = try listledger(query + ["--db", sqlite])
            let actual = try listledger(query + ["--db", postgres])
            #expect(expected.count > 100, "\(query): SQLite printed almost nothing")
            #expect(actual == expected, "\(query.joined(separator: " ")) differs between the engines")
        }
        // verify and checkpoint on PostgreSQL; the same number of events as SQLite.
        let verified = try listledger(["verify", "--json", "--db", postgres])
        #expect(verified.contains(#""ok":true"#) && verified.contains(#""events":375"#), "\(verified)")
        let note = try listledger(["checkpoint", "--db", postgres])
        #expect(note.hasPrefix("listledger/court:baisha\n375\n"), "\(note)")
        // Appending the scenario again stores nothing twice (SPEC §3 Repeats), on PostgreSQL too.
        let again = try listledger(["append", scenario, "--json", "--db", postgres])
        #expect(again.contains(#""appended":[]"#) && again.contains(#""repeats":375"#), "\(again)")
        // A second court's log beside it; without --court a command must be told which.
        _ = try listledger(["init", "--court", "court:qiongzhong", "--db", postgres])
        let ambiguous = try runProgram(try listledgerBinary(), ["state", "--db", postgres])
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("--court"), "\(ambiguous)")
        #expect(try listledger(["state", "--json", "--court", "court:baisha", "--db", postgres]) == listledger(["state", "--json", "--db", sqlite]))
    }
}
