import Foundation
import LedgerDomain
import LedgerPostgres
import TestSupport
import Testing

/// The PostgreSQL obligations projector under kill -9: the real binary's `obligations` (which
/// catches the projection up on the primary before it reads) killed at random moments of its
/// catch-up. After every kill, what a read serves (the table and the tail it lacks) equals a
/// fresh derivation of the whole log; once a catch-up completes, the table itself equals it.
@Suite("PostgreSQL: the obligations projector survives kill -9", .enabled(if: serverURL != nil, skipReason))
struct PgObligationsProjectorTests {
    /// After the generated data's last `at` (2026-11-20): the projection, not a replay, answers.
    let asOf = instant("2027-01-01T00:00:00+08:00")

    func sortedByID(_ obligations: [Obligation]) -> [String] {
        obligations.sorted { IDKey($0.id) < IDKey($1.id) }.map { "\($0)" }
    }

    @Test("kill -9 at random points of the catch-up: every read equals a fresh derivation, and the resumed projection equals it row for row")
    func killedCatchUp() async throws {
        let url = try await freshDatabase("projector_kill")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-projector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("gen.jsonl")
        let generated = try runProgram("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("scripts/gen_ledger.py").path,
                                                        "--events", "20000", "--seed", "7"])
        try generated.stdout.write(to: input, atomically: true, encoding: .utf8)
        _ = try listledger(["init", "--court", "court:baisha", "--db", url.description])
        _ = try listledger(["append", "--batch-size", "1000", input.path, "--db", url.description])

        let binary = try listledgerBinary()
        var positions: [Int64] = []
        let (head, derived) = try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: nil)
            return (try await ledger.head(of: log).size, try await ledger.obligationsReplayed(of: log, asOf: asOf))
        }
        let expected = sortedByID(derived)
        // A read lists what is in effect at its instant (a term's deletion duty arises later).
        let expectedRead = sortedByID(derived.filter { $0.effectiveFrom.epochMilliseconds <= asOf.epochMilliseconds })
        #expect(head == 20_000 && expected.count > 5_000, "\(head) events, \(expected.count) obligations")
        for round in 0..<8 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["obligations", "--json", "--db", url.description]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // A debug build's step of 5,000 events takes seconds: later kills land in later steps.
            try await Task.sleep(for: .milliseconds(Int.random(in: 500...(2_000 + 1_000 * round))))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let (position, served) = try await PostgresLedger.withLedger(url: url) { ledger in
                let log = try await ledger.log(court: nil)
                // The server may still hold the killed session's lock for a moment: the read takes none.
                let served = try await ledger.obligations(of: log, ObligationQuery(asOf: asOf)).map(\.0)
                return (try await ledger.storedObligations(of: log).position, sortedByID(served))
            }
            positions.append(position)
            #expect(served == expectedRead, "after kill \(round + 1) at position \(position): the read differs from a fresh derivation")
            if position == head { break }
        }
        #expect(positions.contains { $0 > 0 && $0 < head }, "no kill landed inside the catch-up: positions \(positions)")
        // Resumed to the end by a process left alone: the table is the derivation, row for row.
        _ = try listledger(["obligations", "--json", "--db", url.description])
        let stored = try await PostgresLedger.withLedger(url: url) { ledger in try await ledger.storedObligations(of: try await ledger.log(court: nil)) }
        #expect(stored.position == head)
        #expect(sortedByID(stored.obligations) == expected)
    }
}
