import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif


enum HarnessError: Error, CustomStringConvertible {
    case missing(String)
    case failed(String)
    var description: String {
        switch self {
        case .missing(let text), .failed(let text): text
        }
    }
}

func binary() throws -> String { try listledgerBinary() }

/// `sqlite3` on the PATH, needed to count and tamper with rows.
let sqlite3Binary: Result<String, HarnessError> = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/sqlite3"
        if FileManager.default.isExecutableFile(atPath: candidate) { return .success(candidate) }
    }
    return .failure(.missing("the sqlite3 command-line shell is not on PATH (apt-get install -y sqlite3; scripts/setup does it)"))
}()

/// A fresh temporary folder with a ledger file path in it; removed by `remove()`.
struct Workspace {
    let dir: URL
    var db: String { dir.appendingPathComponent("ledger.sqlite").path }

    init(_ label: String = "ws") throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-e2e-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// `listledger ARGS --db <this ledger>`.
    @discardableResult
    func ll(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
        try runProgram(try binary(), arguments + ["--db", db], stdin: stdin, in: dir, environment: environment)
    }

    /// Like `ll`, but records an issue (with the output) unless the exit status is `expected`.
    @discardableResult
    func expect(_ arguments: [String], status expected: Int32 = 0, stdin: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let result = try ll(arguments, stdin: stdin)
        #expect(result.status == expected, "listledger \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    func initLedger(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expect(["init"], sourceLocation: sourceLocation)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = self.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Appends JSON lines from a file; expects success.
    @discardableResult
    func append(_ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let file = try write("append-\(UUID().uuidString).jsonl", lines.joined(separator: "\n") + "\n")
        return try expect(["append", file], sourceLocation: sourceLocation)
    }

    /// Runs SQL with the sqlite3 shell; returns its standard output.
    @discardableResult
    func sql(_ statement: String, expectFailure: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let shell: String
        switch sqlite3Binary {
        case .success(let path): shell = path
        case .failure(let error): throw error
        }
        let result = try runProgram(shell, ["-batch", "-bail", db], stdin: statement)
        if expectFailure {
            #expect(result.status != 0, "sqlite3 accepted: \(statement)", sourceLocation: sourceLocation)
        } else {
            #expect(result.status == 0 && result.stderr.isEmpty, "sqlite3 \(statement): \(result)", sourceLocation: sourceLocation)
        }
        return result
    }

    /// A single integer from SQL.
    func sqlInt(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let text = try sql(query, sourceLocation: sourceLocation).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw HarnessError.failed("\(query) gave \(text.debugDescription)") }
        return value
    }

    func eventCount(sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        try sqlInt("SELECT count(*) FROM events;", sourceLocation: sourceLocation)
    }

    /// Copies this workspace's ledger (with any WAL files) into a fresh workspace.
    func copy(_ label: String) throws -> Workspace {
        let copy = try Workspace(label)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            try FileManager.default.copyItem(atPath: db + suffix, toPath: copy.db + suffix)
        }
        return copy
    }

    /// `verify --json`, decoded.
    func verify(sourceLocation: SourceLocation = #_sourceLocation) throws -> (status: Int32, report: [String: Any], raw: RunResult) {
        let result = try ll(["verify", "--json"])
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
        #expect(object != nil, "verify --json printed no JSON object: \(result)", sourceLocation: sourceLocation)
        return (result.status, object ?? [:], result)
    }
}

/// A JSON line from a dictionary (Foundation's serialiser, keys sorted, '/' unescaped).
func line(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}

/// Parses a JSON object printed by the CLI.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw HarnessError.failed("not a JSON object: \(text)")
    }
    return object
}

/// Events for building test ledgers. `at` values lie in 2024, well before any test machine's clock.
enum Ev {
    static let court = "court:baisha"
    static let higher = "court:hainan-2nd-intermediate"
    static let pboc = "unit:pboc-baisha"
    static let news = "unit:news"
    static let tax = "unit:tax-baisha"

    static func person(_ name: String = "测试甲", id: String = "460030198001010105") -> [String: Any] {
        ["kind": "person", "name": name, "id_number": id]
    }

    static func organization() -> [String: Any] {
        ["kind": "organization", "name": "白沙测试建材有限公司", "id_number": "91469030MA5T00001D", "legal_representative": "测试乙"]
    }

    static func base(_ type: String, _ entry: String?, _ at: String, actor: String = court, id: String? = nil, _ fields: [String: Any] = [:]) -> [String: Any] {
        var object: [String: Any] = ["type": type, "at": at, "actor": actor]
        if let entry { object["entry"] = entry }
        if let id { object["id"] = id }
        for (key, value) in fields { object[key] = value }
        return object
    }

    static func notice(_ entry: String, _ at: String = "2024-03-01T09:00:00+08:00", id: String? = nil, debtor: [String: Any] = person()) -> String {
        line(base("risk_notice_issued", entry, at, id: id, ["court": court, "case": "(2024)琼9030执\(entry)号", "debtor": debtor]))
    }

    static func inclusion(_ entry: String, _ at: String = "2024-03-05T10:00:00+08:00", isPublic: Bool = true, grounds: [String] = ["able_but_refuses"], id: String? = nil) -> String {
        line(base("inclusion_decided", entry, at, id: id, ["court": court, "case": "(2024)琼9030执\(entry)号", "debtor": person(), "grounds": grounds, "public": isPublic]))
    }

    static func simple(_ type: String, _ entry: String, _ at: String, actor: String = court, id: String? = nil, _ fields: [String: Any] = [:]) -> String {
        line(base(type, entry, at, actor: actor, id: id, fields))
    }
}

/// A program started in the background, its output going to files.
final class Launched {
    let process = Process()
    let outURL: URL
    let errURL: URL
    private let scratch: URL
    private let handles: [FileHandle]

    init(_ path: String, _ arguments: [String], in directory: URL? = nil) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ll-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        outURL = scratch.appendingPathComponent("out")
        errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        handles = [out, err]
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
    }

    func start() throws { try process.run() }

    var stdout: String { String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self) }
    var stderr: String { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self) }

    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill9() {
        _ = kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        for handle in handles { try? handle.close() }
        try? FileManager.default.removeItem(at: scratch)
    }
}


/// The seqs in `append` output lines `appended 1 event: seq N` / `appended 3 events: seq 4 5 6`
/// (complete lines only).
func printedSeqs(_ output: String) -> [Int] {
    var seqs: [Int] = []
    var text = Substring(output)
    if let lastNewline = text.lastIndex(of: "\n") { text = text[...lastNewline] } else { return [] }
    for line in text.split(separator: "\n") where line.hasPrefix("appended") {
        guard let range = line.range(of: ": seq ") else { continue }
        let rest = line[range.upperBound...]
        if rest.contains("–") {
            let bounds = rest.split(separator: "–").compactMap { Int($0) }
            if bounds.count == 2 { seqs.append(contentsOf: bounds[0]...bounds[1]) }
        } else {
            seqs.append(contentsOf: rest.split(separator: " ").compactMap { Int($0) })
        }
    }
    return seqs
}

/// `n` risk notices for entries PREFIX-1…PREFIX-n, each with an id, at distinct minutes.
func noticeLines(_ prefix: String, _ n: Int, ids: Bool = true) -> [String] {
    (1...n).map { i in
        let minute = i % 60, hour = 8 + (i / 60) % 10
        let at = String(format: "2024-04-%02dT%02d:%02d:00+08:00", 1 + (i / 600) % 28, hour, minute)
        return Ev.notice("\(prefix)-\(i)", at, id: ids ? "\(prefix)-\(i)" : nil)
    }
}
