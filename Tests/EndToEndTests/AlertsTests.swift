import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The deadline alert runner: breaches found and flagged once, safe to rerun, a long-running
/// mode that stops cleanly on SIGTERM, and a webhook that receives each new breach.
struct AlertsTests {
    /// The conformance scenario: as of 2025-06-30 it holds exactly one breach, P3's missing risk
    /// notice (R1), worked out by hand in ../shared/conformance/expected.json; the unit's late
    /// lift is `late`, not a breach.
    static let scenario = "/work/shared/conformance/scenario.jsonl"

    func scenarioLines() throws -> [String] {
        let path = FileManager.default.fileExists(atPath: Self.scenario) ? Self.scenario
            : repositoryRoot.appendingPathComponent("../shared/conformance/scenario.jsonl").path
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func recordFlagsEachBreachOnceAndExitsThree() throws {
        let ws = try Workspace("alerts")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append(try scenarioLines())
        let before = try ws.eventCount()
        let first = try ws.expect(["alerts", "--as-of", "2025-06-30", "--record"], status: 3)
        #expect(first.stdout.contains("P3/R1/17"))
        #expect(first.stdout.contains("flagged 1 new breach"))
        #expect(try ws.eventCount() == before + 1)
        let flag = try ws.sql("SELECT type, entry, id FROM events ORDER BY seq DESC LIMIT 1;").stdout
        #expect(flag.contains("breach_flagged|P3|breach:P3/R1/17"))
        // Run again (as cron would, an hour later): nothing more is written, the breach is still reported.
        let second = try ws.expect(["alerts", "--as-of", "2025-06-30", "--record"], status: 3)
        #expect(second.stdout.contains("flagged 0 new breaches"))
        #expect(try ws.eventCount() == before + 1)
        // A date before P3's inclusion has no breach: exit 0.
        try ws.expect(["alerts", "--as-of", "2021-09-05"], status: 0)
        try ws.expect(["verify"])
    }

    @Test func dueSoonListsOpenDutiesWithinTheHorizon() throws {
        let ws = try Workspace("alerts-soon")
        defer { ws.remove() }
        try ws.initLedger()
        // P1's correction request was received Thu 2021-09-30 (R3, 3 days → 10-03, inside 国庆;
        // due Fri 2021-10-08). Cut the scenario after that request: on 2021-10-06 the review is
        // open and due in 2 days.
        try ws.append(Array(try scenarioLines().prefix(4)))
        let soon = try ws.expect(["alerts", "--as-of", "2021-10-06", "--due-within", "2d", "--json"], status: 0)
        #expect(soon.stdout.contains(#""alert":"due_soon""#) && soon.stdout.contains(#""due":"2021-10-08""#))
        let notYet = try ws.expect(["alerts", "--as-of", "2021-10-06", "--due-within", "1d", "--json"], status: 0)
        #expect(!notYet.stdout.contains("2021-10-08"))
    }

    @Test func watchRunsUntilSIGTERMAndStopsCleanly() throws {
        let ws = try Workspace("alerts-watch")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append(try scenarioLines())
        let log = ws.path("watch.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = ["alerts", "--watch", "--interval", "1s", "--record", "--db", ws.db]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Wait for at least two runs.
        let deadline = Date().addingTimeInterval(20)
        // swift-log ends each line with its message: count the runs' own lines ("alert run"),
        // not "alert runner started".
        func runs() throws -> Int {
            try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { $0.hasSuffix("alert run") }.count
        }
        while Date() < deadline, try runs() < 2 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(try runs() >= 2, "the runner should have run twice at a 1 s interval")
        kill(process.processIdentifier, SIGTERM)
        let stopBy = Date().addingTimeInterval(10)
        while process.isRunning && Date() < stopBy { Thread.sleep(forTimeInterval: 0.1) }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!process.isRunning, "still running 10 s after SIGTERM: \(text)")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("alert runner stopped"))
        // Every run flagged nothing after the first: one breach_flagged per breach.
        let flags = try ws.sqlInt("SELECT count(*) FROM events WHERE type = 'breach_flagged';")
        let distinct = try ws.sqlInt("SELECT count(DISTINCT entry || id) FROM events WHERE type = 'breach_flagged';")
        #expect(flags > 0 && flags == distinct)
        try ws.expect(["verify"])
    }

    @Test func webhookDeliversEachBreachOnceEvenAfterAFailedPost() throws {
        let ws = try Workspace("alerts-hook")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append(try scenarioLines())
        // A local listener that records each POST body, one per line, and prints its port.
        let received = ws.path("received.jsonl")
        let server = try ws.write("server.py", """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with open(sys.argv[1], "ab") as f: f.write(body + b"\\n")
                self.send_response(204); self.end_headers()
            def log_message(self, *a): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", server, received]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        // SIGKILL: the test runner may hand its children a mask that blocks SIGTERM.
        defer { kill(python.processIdentifier, SIGKILL); python.waitUntilExit() }
        let port = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(port) != nil, "listener port: \(port)")
        let url = "http://127.0.0.1:\(port)/breaches"
        // The receiver is down at first: the breach is flagged, the POST fails. Issue 9 point 13
        // (this test asserted exit 1 before): the table is still printed, the exit is 3 (cron
        // sees breaches, not bad input) and one line says delivery failed and will be retried.
        let down = try ws.ll(["alerts", "--as-of", "2025-06-30", "--record", "--webhook", "http://127.0.0.1:9/none"])
        #expect(down.status == 3, "\(down)")
        #expect(down.stdout.contains("BREACHED") && down.stdout.contains("P3/R1/17"), "\(down)")
        let complaint = down.stderr.split(separator: "\n").filter { $0.contains("webhook") }
        #expect(complaint.count == 1 && complaint.first?.contains("failed (connection refused)") == true
                && complaint.first?.contains("will be retried") == true, "\(down)")
        #expect(!down.stderr.contains("NSURLErrorDomain"))
        #expect(try ws.sqlInt("SELECT count(*) FROM events WHERE type = 'breach_flagged';") == 1)
        // …and the next runs deliver it to a receiver that is up, exactly once.
        try ws.expect(["alerts", "--as-of", "2025-06-30", "--record", "--webhook", url], status: 3)
        try ws.expect(["alerts", "--as-of", "2025-06-30", "--record", "--webhook", url], status: 3)
        let bodies = (try? String(contentsOfFile: received, encoding: .utf8))?.split(separator: "\n") ?? []
        #expect(bodies.count == 1, "\(bodies)")
        let posted = try JSONSerialization.jsonObject(with: Data((bodies.first ?? "{}").utf8)) as? [String: Any]
        #expect(posted?["id"] as? String == "P3/R1/17")
        #expect(posted?["status"] as? String == "breached")
        // The body names the flag (it was `null` before issue 9 point 13).
        let flagSeq = try ws.sqlInt("SELECT seq FROM events WHERE type = 'breach_flagged';")
        #expect((posted?["flagged_seq"] as? Int).map(Int64.init) == Int64(flagSeq))
        let json = try ws.ll(["alerts", "--as-of", "2025-06-30", "--json"])
        #expect(json.stdout.contains(#""flagged_seq":\#(flagSeq)"#), "\(json)")
        #expect(json.stdout.contains(#""alert":"summary""#) && json.stdout.contains(#""calendar_ends_in_days""#))
        #expect(try ws.sqlInt("SELECT count(*) FROM events WHERE type = 'breach_flagged';") == 1)
    }
}
