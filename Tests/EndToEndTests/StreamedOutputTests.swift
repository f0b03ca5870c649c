import Foundation
import TestSupport
import Testing

/// `state` and `obligations` stream their output (issue 8): JSON written element by element,
/// text tables spooled to a temporary file while their widths are measured. The output is the
/// same bytes as before: hand-known lines here, and every byte of each command on a 20,000-event
/// generated ledger against the SHA-256 and length of what the build before streaming (5bbccea)
/// printed for it (Fixtures/streamed-output/gen-20000-seed7.txt, which says how it was made);
/// when $LISTLEDGER_REFERENCE_BIN names another build, against that build's output too.
@Suite("state and obligations streamed: the same bytes")
struct StreamedOutputTests {
    static let reference: String? = ProcessInfo.processInfo.environment["LISTLEDGER_REFERENCE_BIN"].flatMap { $0.isEmpty ? nil : $0 }

    /// The commands compared (each with --as-of, so the answer does not move with the clock).
    static let commands: [[String]] = [
        ["state"], ["state", "--json"],
        ["state", "--as-of", "2025-06-30"], ["state", "--json", "--known-at", "2025-06-30"],
        ["obligations", "--as-of", "2027-01-01"], ["obligations", "--json", "--as-of", "2027-01-01"],
        ["obligations", "--as-of", "2027-01-01", "--status", "breached"],
        ["obligations", "--json", "--as-of", "2027-01-01", "--status", "open", "--rule", "R3"],
        ["obligations", "--as-of", "2027-01-01", "--obligor", "debtor"],
        ["obligations", "--json", "--as-of", "2025-06-30", "--status", "met"],
    ]

    @Test("a hand-made ledger: exact table lines (CJK cells count double) and exact JSON")
    func handKnown() throws {
        let ws = try Workspace("streamed-hand")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([
            #"{"type":"inclusion_decided","entry":"E2","at":"2024-03-05T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执2号","debtor":{"kind":"person","name":"测试乙","id_number":"460030198001010113"},"grounds":["evasion"],"public":true}"#,
            #"{"type":"risk_notice_issued","entry":"E1","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#,
        ])
        let table = try ws.expect(["state"]).stdout
        #expect(table == """
            entry  status   court         public  debtor  units
            -----  -------  ------------  ------  ------  -----
            E1     noticed  court:baisha  -       测试甲 \u{20}
            E2     listed   court:baisha  yes     测试乙 \u{20}
            2 entries (profile baisha-2018)

            """, "\(table)")
        let json = try ws.expect(["state", "--json"]).stdout
        #expect(json.hasPrefix(#"{"entries":[{"#) && json.hasSuffix(#"}],"profile":"baisha-2018"}"# + "\n"), "\(json)")
        #expect(json.components(separatedBy: #""entry":"#).count == 3)
        let obligations = try ws.expect(["obligations", "--as-of", "2024-06-01"]).stdout
        #expect(obligations.hasPrefix("""
            id       rule  obligor       trigger     due  status    met  days late
            -------  ----  ------------  ----------  ---  --------  ---  ---------
            E2/R1/1  R1    court:baisha  2024-03-05  -    breached  -   \u{20}
            1 obligation as of 2024-06-01 (Beijing)
            profile baisha-2018, calendar\u{20}
            """), "\(obligations)")
        let none = try ws.expect(["obligations", "--json", "--as-of", "2024-06-01", "--status", "met"]).stdout
        #expect(none.hasPrefix(#"{"as_of":"2024-06-01T23:59:59.999+08:00","calendar":""#) && none.hasSuffix(#"","obligations":[],"profile":"baisha-2018"}"# + "\n"), "\(none)")
        // A missing entry prints nothing on standard output and names the field.
        let missing = try ws.expect(["state", "--entry", "E9"], status: 1)
        #expect(missing.stdout.isEmpty && missing.stderr.contains("--entry"))
    }

    /// The recorded outputs: command line → (SHA-256 hex, bytes).
    static func recorded() throws -> [String: (sha256: String, bytes: Int)] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/streamed-output/gen-20000-seed7.txt"), encoding: .utf8)
        var found: [String: (sha256: String, bytes: Int)] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, let bytes = Int(fields[1]) else { continue }
            found[String(fields[2])] = (String(fields[0]), bytes)
        }
        return found
    }

    @Test("a 20,000-event generated ledger: counts agree with --json, and every byte is what the build before streaming printed")
    func generated() throws {
        let ws = try Workspace("streamed-gen")
        defer { ws.remove() }
        let generated = try runProgram("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("scripts/gen_ledger.py").path,
                                                        "--events", "20000", "--seed", "7"])
        let input = try ws.write("gen.jsonl", generated.stdout)
        try ws.initLedger()
        try ws.expect(["append", "--batch-size", "1000", input])

        let state = try ws.expect(["state"]).stdout.split(separator: "\n").map(String.init)
        let stateJSON = try ws.expect(["state", "--json"]).stdout
        let entries = try #require(((try JSONSerialization.jsonObject(with: Data(stateJSON.utf8))) as? [String: Any])?["entries"] as? [Any])
        #expect(entries.count > 1_000 && state.count == entries.count + 3)
        #expect(state.last == "\(entries.count) entries (profile baisha-2018)")
        // The rule of dashes is as wide as the widest cell of each column (entry ids hold CJK).
        #expect(state[1].split(separator: " ").count == 6 && state[1].allSatisfy { $0 == "-" || $0 == " " })

        let obligations = try ws.expect(["obligations", "--json", "--as-of", "2027-01-01"]).stdout
        let found = try #require(((try JSONSerialization.jsonObject(with: Data(obligations.utf8))) as? [String: Any])?["obligations"] as? [[String: Any]])
        let table = try ws.expect(["obligations", "--as-of", "2027-01-01"]).stdout.split(separator: "\n")
        #expect(found.count > 5_000 && table.count == found.count + 4)
        #expect(table[table.count - 2] == "\(found.count) obligations as of 2027-01-01 (Beijing)")

        // Every byte as the build before streaming printed it (digests made by that build;
        // coreutils' sha256sum here, not the ledger's own SHA-256).
        let recorded = try Self.recorded()
        #expect(recorded.count == Self.commands.count)
        for command in Self.commands {
            let mine = try ws.expect(command)
            let out = try ws.write("out-\(Self.commands.firstIndex(of: command)!).txt", mine.stdout)
            let digest = try runProgram("/usr/bin/sha256sum", [out]).stdout.split(separator: " ").first.map(String.init)
            let expected = try #require(recorded[command.joined(separator: " ")], "no recorded output for \(command)")
            #expect(mine.stdout.utf8.count == expected.bytes && digest == expected.sha256,
                    "listledger \(command.joined(separator: " ")): \(mine.stdout.utf8.count) bytes, sha256 \(digest ?? "?"); before streaming: \(expected.bytes) bytes, \(expected.sha256)")
        }

        guard let reference = Self.reference else { return }
        for command in Self.commands {
            let mine = try ws.ll(command), theirs = try runProgram(reference, command + ["--db", ws.db], in: ws.dir)
            #expect(mine.status == 0 && theirs.status == 0, "\(command): \(mine) / \(theirs)")
            #expect(mine.stdout == theirs.stdout, "listledger \(command.joined(separator: " ")): \(mine.stdout.utf8.count) bytes, the reference \(theirs.stdout.utf8.count)")
        }
    }
}
