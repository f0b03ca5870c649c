import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// The server the suites run against: $LISTLEDGER_PG_URL (scripts/test starts one with
/// scripts/pg). Unset, every suite here is skipped and says why.
let serverURL: String? = ProcessInfo.processInfo.environment["LISTLEDGER_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
let skipReason: Comment = "LISTLEDGER_PG_URL is unset: start a server with `scripts/pg start` and export its URL"

/// A new, empty database on that server for one test: tests never share logs.
func freshDatabase(_ label: String) async throws -> PostgresURL {
    let server = try PostgresURL(parsing: serverURL!)
    let name = "t_\(label)_\(UInt32.random(in: 0...UInt32.max))"
    try await PostgresAdmin.createDatabase(name, on: server)
    return server.with(database: name)
}

/// Salts fixed by seq and path: two stores sealing the same events give the same bytes (the
/// real salts are random, SPEC §7).
let seededSalt: @Sendable (Int64, String) -> [UInt8] = { seq, path in SHA256.hash(Array("salt/\(seq)/\(path)".utf8)) }

func instant(_ text: String) -> Instant {
    switch Instant.parse(text) {
    case .success(let value): return value
    case .failure(let failure): fatalError("test instant \(text): \(failure.problem)")
    }
}

/// After the demo scenario's last `at` (2026-11-18), so no event lies in the future.
let demoClock = instant("2026-11-20T00:00:00Z")

func demoEvents() throws -> [Event] {
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl"), encoding: .utf8)
    return try text.split(separator: "\n").map { try Event.decode(jsonLine: Array($0.utf8)) }
}

func notice(_ entry: String, court: String = "court:baisha", id: String? = nil) -> Event {
    let idField = id.map { #","id":"\#($0)""# } ?? ""
    let line = #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"2024-03-01T09:00:00+08:00","actor":"\#(court)"\#(idField),"court":"\#(court)","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#
    return try! Event.decode(jsonLine: Array(line.utf8))
}

/// Runs the real `listledger` binary, expects exit `status`, returns its standard output.
func listledger(_ arguments: [String], expect status: Int32 = 0, stdin: String? = nil) throws -> String {
    let result = try runProgram(try listledgerBinary(), arguments, stdin: stdin)
    #expect(result.status == status, "listledger \(arguments.joined(separator: " ")): \(result)")
    return result.stdout
}

/// Starts the real `listledger serve ARGUMENTS --port P` on a random port and waits (at most
/// 10 s) until it answers /healthz; the caller stops it.
func startServe(_ arguments: [String]) async throws -> (process: Process, port: Int) {
    let port = Int.random(in: 20_000...40_000)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try listledgerBinary())
    process.arguments = ["serve"] + arguments + ["--port", String(port)]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var healthy = false
    for _ in 0..<200 where !healthy {
        healthy = (try? runProgram("/usr/bin/env", ["curl", "-sf", "http://127.0.0.1:\(port)/healthz"]))?.status == 0
        if !healthy { try await Task.sleep(nanoseconds: 50_000_000) }
    }
    #expect(healthy, "serve \(arguments.joined(separator: " ")) did not answer /healthz on port \(port)")
    return (process, port)
}
