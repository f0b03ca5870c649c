// Benchmarks of the ledger's core operations, driving the release `listledger` binary.
//
// Why a process and not the libraries: the parent package vends only the `listledger`
// executable, and LedgerStore's API is `package`-level, which another package cannot import.
// Every sample therefore includes one process start (measured on its own by "process start",
// so it can be subtracted). Input comes from `scripts/gen-ledger` (deterministic by seed).
//
// Environment: LISTLEDGER_BIN names the binary (default: the one this package built beside the
// benchmark executable, else ../.build/release/listledger); BENCH_EVENTS sizes the read
// benchmarks' ledger (default 100,000 events).
import Benchmark
import Foundation

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark("process start (listledger --version)") { benchmark in
        for _ in benchmark.scaledIterations { try Fixture.shared.run(["--version"]) }
    }

    Benchmark("append 1,000 events, one transaction (--batch-size 1000)") { benchmark in
        let fixture = Fixture.shared
        let db = try fixture.freshLedger()
        benchmark.startMeasurement()
        try fixture.run(["append", "--batch-size", "1000", fixture.input1k], db: db)
        benchmark.stopMeasurement()
        fixture.remove(db)
    }

    Benchmark("append 100 events durably, one commit each (--batch-size 1)", configuration: .init(maxIterations: 10)) { benchmark in
        let fixture = Fixture.shared
        let db = try fixture.freshLedger()
        benchmark.startMeasurement()
        try fixture.run(["append", "--batch-size", "1", fixture.input100], db: db)
        benchmark.stopMeasurement()
        fixture.remove(db)
    }

    Benchmark("verify (chain + Merkle tree)", configuration: .init(maxIterations: 10)) { benchmark in
        let fixture = Fixture.shared
        let db = try fixture.bigLedger()
        benchmark.startMeasurement()
        try fixture.run(["verify"], db: db)
    }

    Benchmark("rebuild projections", configuration: .init(maxIterations: 5)) { benchmark in
        let fixture = Fixture.shared
        let db = try fixture.bigLedger()
        benchmark.startMeasurement()
        try fixture.run(["rebuild"], db: db)
    }

    Benchmark("obligations --status breached") { benchmark in
        let fixture = Fixture.shared
        let db = try fixture.bigLedger()
        benchmark.startMeasurement()
        try fixture.run(["obligations", "--status", "breached", "--json"], db: db)
    }

    Benchmark("history --entry (one entry)") { benchmark in
        let fixture = Fixture.shared
        let db = try fixture.bigLedger()
        benchmark.startMeasurement()
        try fixture.run(["history", "--entry", fixture.someEntry, "--json"], db: db)
    }
}

/// Generated input and ledgers, made once per benchmark process in a temporary folder.
final class Fixture: @unchecked Sendable {
    // @unchecked: the benchmark runner calls the closures one at a time; the lazily made
    // ledgers are guarded by `lock`.
    static let shared = Fixture()

    let binary: String
    let folder: String
    let repository: String
    let input1k: String
    let input100: String
    let someEntry: String
    private let lock = NSLock()
    private var big: String?
    private var counter = 0

    init() {
        let environment = ProcessInfo.processInfo.environment
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // Benchmarks/.build/<triple>/release/LedgerCommands → the repository is four folders up.
        var repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if repository.lastPathComponent == "Benchmarks" { repository.deleteLastPathComponent() }
        self.repository = repository.path
        let besideUs = here.appendingPathComponent("listledger").path
        binary = environment["LISTLEDGER_BIN"]
            ?? (FileManager.default.isExecutableFile(atPath: besideUs) ? besideUs : repository.path + "/.build/release/listledger")
        folder = NSTemporaryDirectory() + "listledger-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        input1k = folder + "/1k.jsonl"
        input100 = folder + "/100.jsonl"
        Fixture.generate(repository: repository.path, arguments: ["--events", "1000", "--seed", "11"], to: input1k)
        Fixture.generate(repository: repository.path, arguments: ["--events", "100", "--seed", "12"], to: input100)
        let first = (try? String(contentsOfFile: input1k, encoding: .utf8))?.split(separator: "\n").first.map(String.init) ?? ""
        someEntry = (try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])?["entry"] as? String ?? ""
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    static func generate(repository: String, arguments: [String], to path: String) {
        FileManager.default.createFile(atPath: path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository + "/scripts/gen_ledger.py"] + arguments
        process.standardOutput = FileHandle(forWritingAtPath: path)
        try? process.run()
        process.waitUntilExit()
    }

    /// Runs the binary; throws when it exits non-zero.
    func run(_ arguments: [String], db: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = (db.map { ["--db", $0] } ?? []) + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure(message: "listledger \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }

    func freshLedger() throws -> String {
        lock.lock()
        counter += 1
        let db = folder + "/l\(counter).sqlite"
        lock.unlock()
        try run(["init"], db: db)
        return db
    }

    func remove(_ db: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    }

    /// A ledger of BENCH_EVENTS generated events (default 100,000), made on first use.
    func bigLedger() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let big { return big }
        let events = ProcessInfo.processInfo.environment["BENCH_EVENTS"] ?? "100000"
        let input = folder + "/big.jsonl"
        Fixture.generate(repository: repository, arguments: ["--events", events, "--seed", "1"], to: input)
        let db = folder + "/big.sqlite"
        try run(["init"], db: db)
        try run(["append", "--batch-size", "1000", input], db: db)
        big = db
        return db
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
