import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("kill -9 during append")
struct CrashTests {
    static let seed: UInt64 = 0x5EED_2018_0007
    static let rounds = 10
    static let eventsPerRound = 3_000

    @Test("every printed seq survives SIGKILL; verify ok; the ledger keeps growing")
    func killNine() throws {
        let ws = try Workspace("crash")
        defer { ws.remove() }
        try ws.initLedger()
        var random = SeededGenerator(seed: Self.seed)
        let bin = try binary()
        var expectedTotal = 0
        var firstRoundFile = ""
        var killedMidway = 0

        for round in 1...Self.rounds {
            let prefix = "K\(round)"
            let file = try ws.write("round\(round).jsonl", noticeLines(prefix, Self.eventsPerRound).joined(separator: "\n") + "\n")
            if round == 1 { firstRoundFile = file }
            let before = try ws.eventCount()
            let writer = try Launched(bin, ["append", "--batch-size", "1", file, "--db", ws.db], in: ws.dir)
            try writer.start()
            // Wait for the first commit to be printed, then a random 0–250 ms more.
            let deadline = Date().addingTimeInterval(20)
            while printedSeqs(writer.stdout).isEmpty && writer.process.isRunning && Date() < deadline { usleep(2_000) }
            let delay = Int.random(in: 0...250, using: &random)
            usleep(UInt32(delay * 1_000))
            let wasRunning = writer.process.isRunning
            writer.kill9()
            if wasRunning { killedMidway += 1 }

            let printed = printedSeqs(writer.stdout)
            let context = "seed \(Self.seed), round \(round), delay \(delay) ms, printed \(printed.count)"
            #expect(!printed.isEmpty, "\(context): the writer printed nothing: \(writer.stderr)")
            if !printed.isEmpty {
                #expect(printed == Array((before + 1)...(before + printed.count)), "\(context): printed seqs are not consecutive from \(before + 1)")
            }

            let (status, report, raw) = try ws.verify()
            #expect(status == 0 && report["ok"] as? Bool == true, "\(context): \(raw)")
            let count = try ws.eventCount()
            let maxPrinted = printed.max() ?? before
            #expect(count >= maxPrinted, "\(context): \(count) events stored, but seq \(maxPrinted) was printed")
            #expect(try ws.sqlInt("SELECT max(seq) FROM events;") == count)
            // Every printed seq holds the event of the line it answered (batch size 1: line k → k-th seq).
            if let last = printed.last {
                let stored = try ws.sql("SELECT id FROM events WHERE seq > \(before) AND seq <= \(last) ORDER BY seq;").stdout
                    .split(separator: "\n").map(String.init)
                #expect(stored == (1...printed.count).map { "\(prefix)-\($0)" }, "\(context): stored ids differ from the printed commits")
            }
            // At most the one commit in flight can be stored without having been printed.
            #expect(count - maxPrinted <= 1, "\(context): \(count - maxPrinted) events stored beyond the last printed seq")
            #expect(count - before <= Self.eventsPerRound)
            expectedTotal = count
        }
        #expect(killedMidway >= Self.rounds / 2, "the writer finished before most kills; the test did not exercise a crash")

        // Re-appending round 1's first 200 lines: what was stored is a duplicate, the rest is new.
        let storedOfRound1 = try ws.sqlInt("SELECT count(*) FROM events WHERE id LIKE 'K1-%';")
        let head200 = try ws.write("round1-head.jsonl", noticeLines("K1", 200).joined(separator: "\n") + "\n")
        let again = try ws.expect(["append", "--json", head200])
        let report = try jsonObject(again.stdout)
        let duplicates = (report["duplicates"] as? [Any])?.count ?? -1
        let appended = (report["appended"] as? [Any])?.count ?? -1
        #expect(duplicates == min(200, storedOfRound1), "\(again.stdout.prefix(300))")
        #expect(appended == 200 - min(200, storedOfRound1))
        #expect(try ws.eventCount() == expectedTotal + appended)
        let (status, verified, raw) = try ws.verify()
        #expect(status == 0 && verified["ok"] as? Bool == true, "\(raw)")
        _ = firstRoundFile
    }
}
