import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerDomain
import LedgerService
import LedgerStore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension ServerProcessTests {
    /// The built `listledger`: tokens, users, access-log, and `serve` stopped by SIGTERM mid-burst.
    @Suite(.serialized) struct CommandLineTests {
        let dir: URL
        var db: String { dir.appendingPathComponent("ledger.sqlite").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-server-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        @discardableResult
        func ll(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], status: Int32 = 0,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
            let result = try runProgram(try listledgerBinary(), arguments + ["--db", db], stdin: stdin, in: dir, environment: environment)
            #expect(result.status == status, "listledger \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
            return result
        }

        func issue(_ party: String, _ scopes: String) throws -> (id: String, token: String) {
            let output = try ll(["tokens", "issue", "--party", party, "--scope", scopes]).stdout
            let token = String(output.split(separator: "\n").last ?? "")
            let id = String(token.split(separator: "_")[1])
            return (id, token)
        }

        @Test("tokens issue prints the token once as the last line, stores only its hash; list never shows it; revoke; bad input exits 1")
        func tokens() throws {
            try ll(["init"])
            let (id, token) = try issue(court, "record,read")
            #expect(token.hasPrefix("ll_") && token.count == 3 + 16 + 1 + 64)
            let list = try ll(["tokens", "list", "--json"]).stdout
            #expect(list.contains(id) && list.contains(court) && !list.contains(token) && !list.contains(String(token.suffix(64))))
            // The file holds the SHA-256 of the token, never the token.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: db)) + ((try? Data(contentsOf: URL(fileURLWithPath: db + "-wal"))) ?? Data())
            #expect(bytes.range(of: Data(token.utf8)) == nil)
            try ll(["tokens", "revoke", id])
            #expect(try ll(["tokens", "list", "--json"]).stdout.contains("\"revoked\""))
            let again = try ll(["tokens", "revoke", id], status: 1)
            #expect(again.stderr.contains("\"id\""))
            let badScope = try ll(["tokens", "issue", "--party", court, "--scope", "read,write"], status: 1)
            #expect(badScope.stderr.contains("--scope") && badScope.stderr.contains("write"))
            let badParty = try ll(["tokens", "issue", "--party", "judge:x", "--scope", "read"], status: 1)
            #expect(badParty.stderr.contains("--party"))
            #expect(try ll(["tokens", "list", "--json"]).stdout.components(separatedBy: "\"id\"").count == 2)
        }

        @Test("users add (bcrypt), list, disable; a short password is refused")
        func users() throws {
            try ll(["init"])
            try ll(["users", "add", "clerk-wang", "--party", court, "--scope", "record,read"], stdin: "correct horse battery staple\n")
            let stored = try #require(try Ledger.open(path: db, readOnly: true).user(name: "clerk-wang"))
            let hash = String(decoding: stored.secretHash, as: UTF8.self)
            #expect(hash.hasPrefix("$2b$12$"), "\(hash)")
            #expect(try ll(["users", "list", "--json"]).stdout.contains("clerk-wang"))
            let short = try ll(["users", "add", "clerk-li", "--party", court, "--scope", "read"], stdin: "short\n", status: 1)
            #expect(short.stderr.contains("password"))
            try ll(["users", "disable", "clerk-wang"])
            #expect(try ll(["users", "list", "--json"]).stdout.contains("\"disabled\":true"))
        }

        /// A free loopback port (bound, read, released; the server binds it right after).
        func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        func startServer(port: Int) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try listledgerBinary())
            process.arguments = ["serve", "--db", db, "--port", String(port)]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if (try? RawHTTP.request(port: port, "GET", "/healthz", timeout: .seconds(2)))?.status == 200 { return process }
                usleep(50_000)
            }
            process.terminate()
            throw RawHTTPError("the server did not answer /healthz on port \(port)")
        }

        @Test("serve: SIGTERM during a burst of posts loses no 201-acknowledged event; reads are logged in access-log")
        func gracefulStop() throws {
            try ll(["init"])
            let (_, token) = try issue(court, "record,read")
            let port = try freePort()
            let server = try startServer(port: port)
            let readFrom = Int64(Date().timeIntervalSince1970 * 1000)

            // One read of personal data, for the access log.
            let body = inclusion("A")
            let created = try RawHTTP.request(port: port, "POST", "/api/v1/events",
                                              headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body)
            #expect(created.status == 201, "\(created)")
            #expect(try RawHTTP.request(port: port, "GET", "/api/v1/entries/A", headers: ["Authorization": "Bearer \(token)"]).status == 200)

            // Four clients post distinct events as fast as they can; SIGTERM lands mid-burst.
            let acknowledged = NSLock()
            nonisolated(unsafe) var seqs: [String: Int] = [:]
            let group = DispatchGroup()
            for client in 0..<4 {
                group.enter()
                DispatchQueue.global().async {
                    defer { group.leave() }
                    for i in 0..<400 {
                        let entry = "G\(client)-\(i)"
                        guard let response = try? RawHTTP.request(port: port, "POST", "/api/v1/events",
                                                                  headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                                                                  body: inclusion(entry), timeout: .seconds(10)) else { return }
                        guard response.status == 201 else { continue }
                        if let range = response.body.range(of: #"(?<="seqs":\[)\d+"#, options: .regularExpression), let seq = Int(response.body[range]) {
                            acknowledged.lock()
                            seqs[entry] = seq
                            acknowledged.unlock()
                        }
                    }
                }
            }
            // SIGTERM once the burst is well under way (at least 20 acknowledged; a loaded machine is slow).
            let started = Date()
            while Date().timeIntervalSince(started) < 60 {
                acknowledged.lock()
                let count = seqs.count
                acknowledged.unlock()
                if count >= 20 { break }
                usleep(20_000)
            }
            kill(server.processIdentifier, SIGTERM)
            group.wait()
            server.waitUntilExit()
            #expect(server.terminationStatus == 0)
            #expect(seqs.count > 10, "too few posts were acknowledged before the stop (\(seqs.count)) for the test to mean anything")

            let ledger = try Ledger.open(path: db, readOnly: true)
            for (entry, seq) in seqs {
                let events = try ledger.events(ofEntry: entry)
                #expect(events.map(\.seq) == [Int64(seq)], "acknowledged \(entry) as seq \(seq), stored \(events.map(\.seq))")
            }
            let log = try ll(["access-log", "--json", "--entry", "A"]).stdout
            #expect(log.contains(court) && log.contains("127.0.0.1") && log.contains("/api/v1/entries/{entry}"), "\(log)")
            // The read's time in Beijing time, as its auditors write it: offset +08:00, the
            // same instant as the clock of this test saw (the wall clock here runs in UTC).
            let ats = log.matches(of: /"at":"([^"]+)"/).map { String($0.output.1) }
            #expect(!ats.isEmpty, "\(log)")
            for at in ats {
                #expect(at.hasSuffix("+08:00"), "access-log at \(at) is not Beijing time")
                if case .success(let instant) = Instant.parse(at) {
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    #expect(instant.epochMilliseconds >= readFrom - 1000 && instant.epochMilliseconds <= now, "access-log at \(at) is not the moment of the read")
                } else {
                    Issue.record("access-log at \(at) does not parse as an instant")
                }
            }
            #expect(try ll(["access-log", "--json", "--party", "unit:nobody"]).stdout == #"{"reads":[]}"# + "\n")
        }
    }

    /// The server's state, history and obligations bodies are the command line's `--json` output,
    /// byte for byte (both come from LedgerService's LedgerJSON), for a credential that sees all.
    @Suite struct SameBytesTests {
        @Test("GET /api/v1/entries, /entries/A/history and /obligations equal state, history and obligations --json")
        func sameBytes() async throws {
            let fixture = try Fixture()
            let (_, app) = try fixture.app()
            let binary = try listledgerBinary()
            let state = try runProgram(binary, ["state", "--json", "--db", fixture.db])
            let history = try runProgram(binary, ["history", "--entry", "A", "--json", "--db", fixture.db])
            let obligations = try runProgram(binary, ["obligations", "--as-of", "2024-12-31", "--json", "--db", fixture.db])
            try await app.test(.router) { client in
                let headers = fixture.headers(.auditor)
                let entries = try await client.execute(uri: "/api/v1/entries", method: .get, headers: headers)
                let events = try await client.execute(uri: "/api/v1/entries/A/history", method: .get, headers: headers)
                let duties = try await client.execute(uri: "/api/v1/obligations?as_of=2024-12-31", method: .get, headers: headers)
                #expect(entries.text == state.stdout)
                #expect(events.text == history.stdout)
                #expect(duties.text == obligations.stdout)
            }
            #expect(state.status == 0 && state.stdout.contains("\"entry\":\"C\""))
        }

        @Test("GET /api/v1/entries streamed: 2,500 entries (many 64 KB pieces, three access-log batches) are state --json's bytes with its length; a court sees and is logged for its own only")
        func longListStreamed() async throws {
            // 2,000 entries of this court and 500 of another, interleaved in byte order.
            let many = (0..<2_500).map { i in
                inclusion("L\(String(repeating: "0", count: 4 - String(i).count))\(i)", court: i % 5 == 4 ? otherCourt : court)
            }
            let fixture = try Fixture(events: baseEvents + many)
            let (_, app) = try fixture.app()
            let state = try runProgram(try listledgerBinary(), ["state", "--json", "--db", fixture.db])
            #expect(state.status == 0 && state.stdout.utf8.count > 4 * 64 * 1024)
            let started = LedgerClock.now().epochMilliseconds
            try await app.test(.router) { client in
                let all = try await client.execute(uri: "/api/v1/entries", method: .get, headers: fixture.headers(.auditor))
                #expect(all.status == .ok && all.text == state.stdout)
                #expect(all.headers[.contentLength] == String(state.stdout.utf8.count))
                let own = try await client.execute(uri: "/api/v1/entries", method: .get, headers: fixture.headers(.court))
                let document = try #require(try JSONSerialization.jsonObject(with: Data(own.text.utf8)) as? [String: Any])
                let shown = try #require(document["entries"] as? [[String: Any]]).map { $0["entry"] as? String ?? "" }
                // A and B (the base events' entries of this court) and its 2,000 here, in order.
                #expect(shown == ["A", "B"] + (0..<2_500).filter { $0 % 5 != 4 }.map { "L\(String(repeating: "0", count: 4 - String($0).count))\($0)" })
            }
            let reads = try Ledger.open(path: fixture.db, readOnly: true).accessLog(party: court, entry: nil, fromMilliseconds: started)
                .filter { $0.route == "/api/v1/entries" }
            #expect(reads.count == 2_002 && Set(reads.map { $0.entry }).count == 2_002 && !reads.contains { $0.entry == "L0004" })
        }
    }
}
