import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCrypto
import Synchronization
import TestSupport
import Testing

/// Registered webhook receivers: one secret each, a unit's or a court's own breaches only,
/// each POST signed (HMAC-SHA256 of the body) and naming its ledger and court. The receiver is
/// a real Hummingbird server on a loopback port that checks the signature as a unit would.
struct SignedWebhookTests {
    /// What the receiver saw: one entry per POST, by path (one path per receiver).
    final class Received: Sendable {
        struct Post: Sendable {
            var path: String
            var headers: HTTPFields
            var body: [UInt8]
        }
        private let posts = Mutex<[Post]>([])
        func add(_ post: Post) { posts.withLock { $0.append(post) } }
        var all: [Post] { posts.withLock { $0 } }
    }

    /// Runs the command line on a thread of its own: the receiver's handlers need the
    /// cooperative pool while the program runs.
    func offPool(_ body: @escaping @Sendable () throws -> RunResult) async throws -> RunResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    @Test func eachReceiverGetsItsOwnBreachesSigned() async throws {
        let ws = try Workspace("alerts-signed")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append(try AlertsTests().scenarioLines())
        let received = Received()
        let router = Router()
        router.post("/hooks/{name}") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            received.add(.init(path: request.uri.path, headers: request.headers, body: Array(buffer: body)))
            return Response(status: .noContent)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = client.port!
            // The scenario's one breach as of 2025-06-30 is P3/R1/17, the court's (court:baisha,
            // worked out by hand in ../shared/conformance/expected.json). Three receivers: that
            // court's, a unit's and another court's; only the first may receive it.
            var secrets: [String: [UInt8]] = [:]
            var ids: [String: String] = [:]
            for (name, party) in [("baisha", "court:baisha"), ("unit", "unit:pboc-baisha"), ("haikou", "court:haikou")] {
                let added = try ws.expect(["webhooks", "add", "--party", party, "--url", "http://127.0.0.1:\(port)/hooks/\(name)"])
                let lines = added.stdout.split(separator: "\n")
                // The secret is the last line, 32 bytes in hex, shown once.
                secrets[name] = try #require(Hex.decode(lines.last ?? ""), "\(added)")
                #expect(secrets[name]?.count == 32)
                ids[name] = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.map(String.init)
            }
            let listed = try ws.expect(["webhooks", "list"])
            #expect(listed.stdout.contains("court:haikou") && listed.stdout.contains(ids["unit"]!))
            for secret in secrets.values { #expect(!listed.stdout.contains(Hex.encode(secret))) }
            // The secrets are beside the log, not in it: no event mentions them.
            #expect(try ws.sqlInt("SELECT count(*) FROM events WHERE canonical LIKE '%hooks%';") == 0)

            let run = try await offPool { try ws.ll(["alerts", "--as-of", "2025-06-30", "--record"]) }
            #expect(run.status == 3, "\(run)")
            #expect(!run.stderr.contains("webhook"), "\(run)")
            let posts = received.all
            #expect(posts.map(\.path) == ["/hooks/baisha"], "\(posts.map(\.path))")
            let post = try #require(posts.first)
            let signature = try #require(post.headers[HTTPField.Name("X-ListLedger-Signature")!])
            // Recomputed here from the body and the printed secret, as a receiver would.
            #expect(signature == "sha256=" + Hex.encode(HMACSHA256.authenticationCode(key: secrets["baisha"]!, message: post.body)))
            #expect(signature != "sha256=" + Hex.encode(HMACSHA256.authenticationCode(key: secrets["haikou"]!, message: post.body)))
            #expect(post.headers[HTTPField.Name("X-ListLedger-Ledger")!] == "listledger/court:baisha")
            #expect(post.headers[HTTPField.Name("X-ListLedger-Court")!] == "court:baisha")
            #expect(post.headers[HTTPField.Name("X-ListLedger-Receiver")!] == ids["baisha"])
            let timestamp = try #require(post.headers[HTTPField.Name("X-ListLedger-Timestamp")!].flatMap(Int.init))
            #expect(abs(timestamp - Int(Date().timeIntervalSince1970)) < 120)
            let json = try JSONSerialization.jsonObject(with: Data(post.body)) as? [String: Any]
            #expect(json?["id"] as? String == "P3/R1/17" && json?["obligor"] as? String == "court:baisha")
            #expect(json?["ledger"] as? String == "listledger/court:baisha" && json?["court"] as? String == "court:baisha")
            #expect(json?["sent_at"] as? String != nil)

            // Delivered once: the next run sends nothing more. A removed receiver is forgotten.
            _ = try await offPool { try ws.ll(["alerts", "--as-of", "2025-06-30"]) }
            #expect(received.all.count == 1)
            try ws.expect(["webhooks", "remove", ids["haikou"]!])
            #expect(!(try ws.expect(["webhooks", "list"])).stdout.contains("court:haikou"))
            try ws.expect(["webhooks", "remove", ids["haikou"]!], status: 1)
        }
    }

    @Test func badReceiverOptionsAreRefusedNamingTheField() throws {
        let ws = try Workspace("alerts-signed-bad")
        defer { ws.remove() }
        try ws.initLedger()
        let party = try ws.expect(["webhooks", "add", "--party", "auditor:spc", "--url", "http://127.0.0.1:1/x"], status: 1)
        #expect(party.stderr.contains("--party"))
        let url = try ws.expect(["webhooks", "add", "--party", "unit:x", "--url", "ftp://example.org/x"], status: 1)
        #expect(url.stderr.contains("--url"))
        #expect(!(try ws.expect(["webhooks", "list"])).stdout.contains("unit:x"))
    }
}
