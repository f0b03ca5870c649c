import Foundation
import TestSupport
import LedgerDomain
import LedgerMerkle
import Testing

/// Runs both verifiers on a bundle: the binary's `audit` and scripts/verify_bundle.py.
func auditBoth(_ bundle: String, key: String, asOf: String = "2026-01-15") throws -> (swift: RunResult, python: RunResult) {
    let swift = try run(listledger, ["audit", bundle, "--key", key, "--json", "--as-of", asOf])
    let python = try run("/usr/bin/env", ["python3", pythonVerifier, bundle, "--key", key, "--json"])
    return (swift, python)
}

/// The check names a verifier's JSON report lists as failed.
func failedChecks(_ result: RunResult) -> Set<String> {
    guard let report = try? result.json() else { return [] }
    return Set(array(member(report, "failures")).compactMap { string(member($0, "check")) })
}

func failedSeqs(_ result: RunResult) -> Set<Int64> {
    guard let report = try? result.json() else { return [] }
    return Set(array(member(report, "failures")).compactMap { integer(member($0, "seq")) })
}

/// A bundle with its events changed by `change`.
func changingEvents(_ bundle: JSONValue, _ change: (inout [JSONValue]) -> Void) -> JSONValue {
    var events = array(member(bundle, "events"))
    change(&events)
    return setting(bundle, "events", .array(events))
}

/// Equal JSON; on a difference, records the first differing element in short.
func same(_ a: JSONValue?, _ b: JSONValue?, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    if a == b { return true }
    let left = array(a), right = array(b)
    let index = (0..<min(left.count, right.count)).first { left[$0] != right[$0] } ?? min(left.count, right.count)
    Issue.record("differ at element \(index) of \(left.count) / \(right.count):\n  \(index < left.count ? text(left[index]) : "-")\n  \(index < right.count ? text(right[index]) : "-")",
                 sourceLocation: sourceLocation)
    return false
}

@Suite("audit bundles")
struct BundleTests {
    static let asOf = "2026-01-15"

    @Test("a bundle of the whole demo ledger audits, and re-derives the ledger's state and obligations")
    func wholeLog() throws {
        let ledger = try TestLedger.demo()
        let key = try ledger.verifierKey()
        let bundle = ledger.path("all.json")
        let exported = try ledger.ok(["export"], ["--bundle", bundle, "--all", "--json"]).json()
        #expect(integer(member(exported, "events")) == 375)
        let (swift, python) = try auditBoth(bundle, key: key, asOf: Self.asOf)
        #expect(swift.status == 0, "\(swift)")
        #expect(python.status == 0, "\(python)")
        let audit = try swift.json()
        #expect(member(audit, "ok") == .bool(true))
        #expect(integer(member(audit, "tree_size")) == 375)

        let state = try ledger.ok("state", "--as-of", Self.asOf, "--json").json()
        #expect(array(member(state, "entries")).count >= 20)
        #expect(same(member(audit, "entries"), member(state, "entries")))
        // Without --as-of: every fact, as the projection holds it.
        let now = try run(listledger, ["audit", bundle, "--key", key, "--json"]).json()
        let current = try ledger.ok("state", "--json").json()
        #expect(array(member(current, "entries")).count == 30)
        #expect(same(member(now, "entries"), member(current, "entries")))
        let obligations = try ledger.ok("obligations", "--as-of", Self.asOf, "--status", "all", "--json").json()
        #expect(!array(member(obligations, "obligations")).isEmpty)
        #expect(same(member(audit, "obligations"), member(obligations, "obligations")))

        // An obligations judgement at an earlier day re-derives the same way.
        let early = try run(listledger, ["audit", bundle, "--key", key, "--json", "--as-of", "2021-06-30"]).json()
        let earlyLedger = try ledger.ok("obligations", "--as-of", "2021-06-30", "--status", "all", "--json").json()
        #expect(same(member(early, "obligations"), member(earlyLedger, "obligations")))
        let earlyState = try ledger.ok("state", "--as-of", "2021-06-30", "--json").json()
        #expect(same(member(early, "entries"), member(earlyState, "entries")))
    }

    @Test("entry and date-range bundles audit, with the state those events establish")
    func entryAndRange() throws {
        let ledger = try TestLedger.demo()
        let key = try ledger.verifierKey()
        let state = try ledger.ok("state", "--json").json()
        for entry in array(member(state, "entries")).prefix(4).compactMap({ string(member($0, "entry")) }) {
            let bundle = ledger.path("entry.json")
            try ledger.ok(["export"], ["--bundle", bundle, "--entry", entry])
            let (swift, python) = try auditBoth(bundle, key: key, asOf: Self.asOf)
            #expect(swift.status == 0, "\(entry): \(swift)")
            #expect(python.status == 0, "\(entry): \(python)")
            let audit = try swift.json()
            let one = try ledger.ok("state", "--entry", entry, "--as-of", Self.asOf, "--json").json()
            #expect(same(member(audit, "entries"), member(one, "entries")), "\(entry)")
            let obligations = try ledger.ok("obligations", "--entry", entry, "--as-of", Self.asOf, "--json").json()
            #expect(same(member(audit, "obligations"), member(obligations, "obligations")), "\(entry)")
            let history = try ledger.ok("history", "--entry", entry, "--json").json()
            #expect(integer(member(audit, "events")) == Int64(array(member(history, "events")).count))
        }

        // Events effective from the start of the log to a day: the state as of that day.
        let bundle = ledger.path("range.json")
        try ledger.ok(["export"], ["--bundle", bundle, "--from", "2000-01-01", "--to", "2021-06-30"])
        let (swift, python) = try auditBoth(bundle, key: key)
        #expect(swift.status == 0 && python.status == 0, "\(swift)\n\(python)")
        let asOfState = try ledger.ok("state", "--as-of", "2021-06-30", "--json").json()
        #expect(same(member(try swift.json(), "entries"), member(asOfState, "entries")))

        // A year's events: every one took effect in that year.
        try ledger.ok(["export"], ["--bundle", bundle, "--from", "2019-01-01", "--to", "2019-12-31"])
        let year = try String(contentsOfFile: bundle, encoding: .utf8)
        let parsed = try AuditBundle(json: Array(year.utf8))
        #expect(!parsed.events.isEmpty)
        for event in parsed.events {
            let at = try #require(string(member(try JSONParser.parse(event.canonical), "at")))
            #expect(at.hasPrefix("2019-") || at.hasPrefix("2018-12-31T") || at.hasPrefix("2020-01-01T"), "\(at)")
        }
        let checked = try auditBoth(bundle, key: key)
        #expect(checked.swift.status == 0 && checked.python.status == 0)
        #expect(try ledger.ll(["export"], ["--bundle", bundle, "--entry", "no-such-entry"]).status == 1)
        #expect(try ledger.ll(["export"], ["--bundle", bundle, "--all", "--entry", "x"]).status == 1)
    }

    @Test("tampered bundles are refused by audit and by the Python verifier alike, naming the check")
    func tamperedBundles() throws {
        let ledger = try TestLedger.demo()
        let key = try ledger.verifierKey()
        let allFile = ledger.path("all.json")
        try ledger.ok(["export"], ["--bundle", allFile, "--all"])
        let entry = try #require(string(member(array(member(try ledger.ok("state", "--json").json(), "entries")).first, "entry")))
        let entryFile = ledger.path("entry.json")
        try ledger.ok(["export"], ["--bundle", entryFile, "--entry", entry])
        let all = try JSONParser.parse(Array(try ledger.read("all.json").utf8))
        let one = try JSONParser.parse(Array(try ledger.read("entry.json").utf8))
        let entrySeq = try #require(integer(member(array(member(one, "events"))[1], "seq")))

        // The first event of another entry, to slip into the entry bundle.
        let stranger = try #require(array(member(all, "events")).first { event in
            let canonical = StrictBase64.decode(string(member(event, "canonical"))!)!
            return string(member(try? JSONParser.parse(canonical), "entry")) != entry
        })
        let strangerSeq = try #require(integer(member(stranger, "seq")))

        func flipCanonical(_ events: inout [JSONValue], at index: Int) {
            var bytes = StrictBase64.decode(string(member(events[index], "canonical"))!)!
            bytes[30] ^= 0x01
            events[index] = setting(events[index], "canonical", .string(StrictBase64.encode(bytes)))
        }
        let note = try #require(string(member(all, "checkpoint")))
        var noteLines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        noteLines[2] = StrictBase64.encode([UInt8](repeating: 9, count: 32))
        let otherRoot = StrictBase64.encode([UInt8](repeating: 9, count: 32))
        let cases: [(String, JSONValue, String, Int64?)] = [
            ("one canonical byte flipped", changingEvents(all) { flipCanonical(&$0, at: 10) }, "chain_hash", 11),
            ("one canonical byte flipped in an entry bundle", changingEvents(one) { flipCanonical(&$0, at: 1) }, "chain_hash", entrySeq),
            ("an event dropped", changingEvents(all) { $0.remove(at: 200) }, "contiguity", 201),
            ("two events swapped", changingEvents(all) { $0.swapAt(50, 51) }, "seq_order", nil),
            ("the bundle's root changed", setting(all, "root", .string(otherRoot)), "checkpoint_root", nil),
            ("the checkpoint's root line changed", setting(all, "checkpoint", .string(noteLines.joined(separator: "\n"))), "checkpoint_signature", nil),
            ("a proof hash changed", changingEvents(all) { events in
                var proof = array(member(events[3], "proof"))
                proof[0] = .string(otherRoot)
                events[3] = setting(events[3], "proof", .array(proof))
            }, "inclusion_proof", 4),
            ("an event of another entry slipped in", changingEvents(one) { $0.insert(stranger, at: 0) }, "selection", strangerSeq),
        ]
        for (what, bundle, check, seq) in cases {
            let file = try ledger.write("tampered.json", text(bundle))
            let (swift, python) = try auditBoth(file, key: key)
            #expect(swift.status == 4, "\(what): \(swift)")
            #expect(python.status == 4, "\(what): python \(python)")
            #expect(failedChecks(swift).contains(check), "\(what): audit should name \(check): \(swift.stdout.prefix(1500))")
            #expect(failedChecks(python).contains(check), "\(what): python should name \(check): \(python.stdout.prefix(1500))")
            if let seq { #expect(failedSeqs(swift).contains(seq), "\(what): audit should name seq \(seq): \(swift.stdout.prefix(1500))") }
            let human = try run(listledger, ["audit", file, "--key", key])
            #expect(human.status == 4 && human.stdout.contains("FAIL \(check)"), "\(what): \(human)")
        }

        // The wrong key: another ledger's key of the same name.
        let otherKey = try TestLedger.demo(lines: 2).verifierKey()
        let (swift, python) = try auditBoth(allFile, key: otherKey)
        #expect(swift.status == 4 && python.status == 4, "\(swift)\n\(python)")
        #expect(failedChecks(swift).contains("checkpoint_signature") && failedChecks(python).contains("checkpoint_signature"))

        // Unreadable input is exit 1 for both.
        let junk = try ledger.write("junk.json", "{\"format\": \"listledger-audit-bundle/1\"}")
        let unreadable = try auditBoth(junk, key: key)
        #expect(unreadable.swift.status == 1 && unreadable.python.status == 1, "\(unreadable.swift)\n\(unreadable.python)")
    }

    @Test("export signs a checkpoint of the grown log when the key is at hand, else proves against the latest")
    func exportAndCheckpoints() throws {
        let ledger = try TestLedger.demo(lines: 50)
        let key = try ledger.verifierKey()
        try ledger.ok("checkpoint")
        try ledger.append(lines: 50..<60)
        try FileManager.default.moveItem(atPath: ledger.db + ".key", toPath: ledger.path("away.key"))
        let older = ledger.path("older.json")
        let partial = try ledger.ok(["export"], ["--bundle", older, "--all"])
        #expect(partial.stderr.contains("covers 50 of 60"))
        #expect(try AuditBundle(json: Array(try ledger.read("older.json").utf8)).treeSize == 50)
        #expect(try auditBoth(older, key: key).swift.status == 0)
        let newer = ledger.path("newer.json")
        try ledger.ok(["export"], ["--bundle", newer, "--all", "--key-file", ledger.path("away.key")])
        let bundle = try AuditBundle(json: Array(try ledger.read("newer.json").utf8))
        #expect(bundle.treeSize == 60 && bundle.events.count == 60)
        let (swift, python) = try auditBoth(newer, key: key)
        #expect(swift.status == 0 && python.status == 0, "\(swift)\n\(python)")
    }
}
