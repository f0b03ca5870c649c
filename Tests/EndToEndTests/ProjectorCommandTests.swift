import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The obligations projector from the command line (issue 8 point 4): a one-shot `append`
/// derives no obligations; the next command that reads them catches the table up, one step of
/// 1,000 events per transaction, and a kill -9 in the middle loses no row and forks nothing.
@Suite("Obligations projector: command line, kill -9 while catching up")
struct ProjectorCommandTests {
    static let seed: UInt64 = 0x5EED_2026_1202
    static let rounds = 6

    /// The projection tables as SQLite prints them (no listledger command runs first).
    func rawDump(_ ws: Workspace) throws -> [String: String] {
        var result: [String: String] = [:]
        for table in ProjectionTests.tables { result[table.name] = try ws.sql(".mode quote\n" + table.query).stdout }
        return result
    }

    func position(_ ws: Workspace) throws -> Int {
        try ws.sqlInt("SELECT position FROM projector_positions WHERE name = 'obligations';")
    }

    /// `events` lines of scripts/gen_ledger.py (seeded), written into the workspace.
    func generated(_ ws: Workspace, events: Int) throws -> String {
        let script = repositoryRoot.appendingPathComponent("scripts/gen_ledger.py").path
        let result = try runProgram("/usr/bin/env", ["python3", script, "--events", "\(events)", "--seed", "7"])
        #expect(result.status == 0, "\(result)")
        return try ws.write("generated.jsonl", result.stdout)
    }

    @Test("a one-shot append leaves obligations to the projector; obligations --json answers as after a rebuild and catches up")
    func appendLagsReadCatchesUp() throws {
        let ws = try Workspace("proj-lag")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.expect(["append", repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl").path])
        let size = try ws.eventCount()
        #expect(size > 0)
        #expect(try ws.sqlInt("SELECT count(*) FROM obligations;") == 0)
        #expect(try position(ws) == 0)

        let rebuilt = try ws.copy("proj-lag-rebuilt")
        defer { rebuilt.remove() }
        try rebuilt.expect(["rebuild"])
        #expect(try position(rebuilt) == size)
        for asOf in ["2030-01-01", "2019-06-30"] {
            let answered = try ws.expect(["obligations", "--json", "--as-of", asOf]).stdout
            #expect(answered == (try rebuilt.expect(["obligations", "--json", "--as-of", asOf]).stdout), "as of \(asOf)")
        }
        #expect(try position(ws) == size)
        #expect(try rawDump(ws) == rawDump(rebuilt))
    }

    @Test("kill -9 at random points while a lagging ledger catches up: each step all or nothing, resumed, equal to a rebuild")
    func killWhileCatchingUp() throws {
        let ws = try Workspace("proj-kill")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.expect(["append", try generated(ws, events: 4_000)])
        let size = try ws.eventCount()
        #expect(size == 4_000)
        #expect(try position(ws) == 0)
        let bin = try binary()
        var random = SeededGenerator(seed: Self.seed)

        // How long one whole catch-up takes here (on a copy), to spread the kills over it.
        let probe = try ws.copy("proj-probe")
        let started = Date()
        try probe.expect(["obligations", "--json"])
        let whole = max(1, Int(Date().timeIntervalSince(started) * 1000))
        probe.remove()

        var positions: [Int] = []
        for round in 1...Self.rounds {
            let child = try Launched(bin, ["obligations", "--json", "--db", ws.db], in: ws.dir)
            try child.start()
            let delay = Int.random(in: 0...whole, using: &random)
            usleep(UInt32(delay * 1_000))
            child.kill9()
            let now = try position(ws)
            let context = "seed \(Self.seed), round \(round), delay \(delay) of \(whole) ms"
            // A step commits its rows with its position: the position is a step's end or the head.
            #expect(now % 1_000 == 0 || now == size, "\(context): position \(now)")
            #expect(now >= (positions.last ?? 0), "\(context): the position went back from \(positions.last ?? 0) to \(now)")
            positions.append(now)
            let (status, report, raw) = try ws.verify()
            #expect(status == 0 && report["ok"] as? Bool == true, "\(context): \(raw)")
        }
        // Resume: the next reader finishes the catch-up.
        try ws.expect(["obligations", "--json"])
        #expect(try position(ws) == size, "positions after the kills: \(positions)")
        let projected = try rawDump(ws)
        #expect(try ws.sqlInt("SELECT count(*) FROM obligations;") > 1_000)
        try ws.expect(["rebuild"])
        let rebuilt = try rawDump(ws)
        for table in ProjectionTests.tables {
            #expect(projected[table.name] == rebuilt[table.name], "table \(table.name) differs from the rebuild's; positions \(positions)")
        }
    }
}
