import Foundation
import TestSupport
import LedgerDomain
import LedgerMerkle
import Testing

#if canImport(Glibc)
import Glibc
#endif


let demoLedger = repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path
let pythonVerifier = repositoryRoot.appendingPathComponent("scripts/verify_bundle.py").path

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

let listledger: String = (try? listledgerBinary()) ?? "listledger-not-found-run-swift-build-first"

extension RunResult {
/// Standard output parsed as one JSON value.
    func json() throws -> JSONValue {
        do { return try JSONParser.parse(Array(stdout.utf8)) } catch { throw HarnessError(description: "not JSON: \(error)\n\(self)") }
    }
}

/// Runs a program to completion (LISTLEDGER_DB cleared).
func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> RunResult {
    try runProgram(executable, arguments, stdin: stdin ?? "")
}

/// Runs python3 with a script given as text.
func python(_ script: String, _ arguments: [String] = []) throws -> RunResult {
    try run("/usr/bin/env", ["python3", "-c", script] + arguments)
}

/// A ledger in a fresh temporary folder, driven through the built binary.
final class TestLedger {
    let dir: URL
    let db: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("ledger.sqlite").path
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// `listledger WORDS… --db DB OPTIONS…`: `words` is the (sub)command path.
    @discardableResult
    func ll(_ words: [String], _ options: [String] = [], stdin: String? = nil) throws -> RunResult {
        try run(listledger, words + ["--db", db] + options, stdin: stdin)
    }

    /// `listledger COMMAND --db DB ARGS…`
    @discardableResult
    func ll(_ command: String, _ arguments: String..., stdin: String? = nil) throws -> RunResult {
        try ll([command], arguments, stdin: stdin)
    }

    /// The same, expecting exit 0.
    @discardableResult
    func ok(_ command: String, _ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        try ok([command], arguments, stdin: stdin, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ words: [String], _ options: [String] = [], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let result = try ll(words, options, stdin: stdin)
        let line = (words + options).joined(separator: " ")
        #expect(result.status == 0, "listledger \(line): \(result)", sourceLocation: sourceLocation)
        if result.status != 0 { throw HarnessError(description: "listledger \(line) failed: \(result)") }
        return result
    }

    /// A ledger holding the first `lines` events of the demo ledger (all when nil), with a key.
    static func demo(lines: Int? = nil, key: Bool = true) throws -> TestLedger {
        let ledger = try TestLedger()
        try ledger.ok("init")
        try ledger.append(lines: 0..<(lines ?? Int.max))
        if key { try ledger.ok(["keys", "init"]) }
        return ledger
    }

    /// Appends lines `range` of the demo ledger (0-based).
    func append(lines range: Range<Int>) throws {
        let all = try String(contentsOfFile: demoLedger, encoding: .utf8).split(separator: "\n")
        let chosen = all[max(0, range.lowerBound)..<min(all.count, range.upperBound)]
        try ok("append", "-", stdin: chosen.joined(separator: "\n") + "\n")
    }

    /// The verifier key, as the last line of `keys show` prints it.
    func verifierKey() throws -> String {
        let shown = try ok(["keys", "show"])
        guard let last = shown.stdout.split(separator: "\n").last else { throw HarnessError(description: "keys show printed nothing") }
        return String(last)
    }

    /// Writes `text` to a file in the ledger's folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }
}

/// A JSON object's member.
func member(_ value: JSONValue?, _ name: String) -> JSONValue? {
    guard case .object(let members)? = value else { return nil }
    return members.first { $0.0 == name }?.1
}

func string(_ value: JSONValue?) -> String? { if case .string(let text)? = value { text } else { nil } }
func integer(_ value: JSONValue?) -> Int64? { if case .integer(let number)? = value { number } else { nil } }
func array(_ value: JSONValue?) -> [JSONValue] { if case .array(let items)? = value { items } else { [] } }

/// Replaces (or adds) an object's member.
func setting(_ value: JSONValue, _ name: String, _ new: JSONValue) -> JSONValue {
    guard case .object(var members) = value else { return value }
    if let index = members.firstIndex(where: { $0.0 == name }) { members[index].1 = new } else { members.append((name, new)) }
    return .object(members)
}

func text(_ value: JSONValue) -> String { String(decoding: CanonicalJSON.encode(value), as: UTF8.self) }
