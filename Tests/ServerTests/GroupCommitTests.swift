import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

/// Concurrent single-event posts go through `SharedLedger`'s writer: group-committed, each
/// answered once durable, each event attributed to the credential that posted it.
@Suite struct GroupCommitTests {
    static let posts = 24

    @Test("N concurrent posts: N distinct seqs, all 201, the log verifies, each event's credential is its poster's")
    func concurrentPosts() async throws {
        let fixture = try Fixture()
        let (server, app) = try fixture.app()
        // Two courts post at once, each opening its own entries (G0…G23); the poster decides
        // the credential, so a mix-up between batches of one group would show below.
        let holders: [Holder] = (0..<Self.posts).map { $0.isMultiple(of: 2) ? .court : .otherCourt }
        let answers = try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status, String).self) { group in
                for index in 0..<Self.posts {
                    let holder = holders[index]
                    let body = inclusion("G\(index)", court: holder.party!, name: "并发\(index)")
                    group.addTask {
                        let response = try await client.execute(uri: "/api/v1/events", method: .post,
                                                                headers: fixture.headers(holder, [.contentType: "application/json"]),
                                                                body: ByteBuffer(string: body))
                        return (index, response.status, response.text)
                    }
                }
                var answers: [Int: (HTTPResponse.Status, String)] = [:]
                for try await (index, status, text) in group { answers[index] = (status, text) }
                return answers
            }
        }
        var seqOf: [Int: Int64] = [:]
        for index in 0..<Self.posts {
            let (status, text) = try #require(answers[index])
            #expect(status == .created, "post \(index): \(text)")
            let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            let seqs = try #require(document?["seqs"] as? [Int], "post \(index): \(text)")
            #expect(seqs.count == 1)
            seqOf[index] = Int64(seqs[0])
        }
        // The fixture holds 7 events, so the posts took seqs 8…31, each exactly once.
        #expect(Set(seqOf.values) == Set(8...Int64(7 + Self.posts)))
        // Fewer transactions than posts when the writer grouped some; never more.
        #expect(server.connections.transactionCount <= Self.posts)
        let ledger = try fixture.open()
        #expect(try ledger.verify().ok)
        #expect(try ledger.head().size == Int64(7 + Self.posts))
        for index in 0..<Self.posts {
            let seq = try #require(seqOf[index])
            #expect(try ledger.credential(ofSeq: seq) == "token:\(fixture.tokenIDs[holders[index]]!)", "seq \(seq)")
            #expect(try ledger.events(ofEntry: "G\(index)").map(\.seq) == [seq])
        }
    }

    @Test("two clerks post at once with the same If-Match: one 201, one 409, one event written")
    func concurrentExpectedVersion() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        // Entry B's last seq is 6 (its inclusion; see baseEvents). Both clerks saw 6.
        let bodies = [event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil),
                      event("decision_served", "B", "2024-03-06T11:00:00+08:00", actor: nil)]
        let statuses = try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in bodies {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/events", method: .post,
                                                 headers: fixture.headers(.court, [.contentType: "application/json", .ifMatch: "\"6\""]),
                                                 body: ByteBuffer(string: body)).status
                    }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
        }
        #expect(statuses.sorted { $0.code < $1.code } == [.created, .conflict])
        #expect(try fixture.open().events(ofEntry: "B").map(\.seq) == [6, 8])
    }

    @Test("concurrent reads of personal data: each read's access record is committed before its answer")
    func concurrentReadsAreLogged() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        let reads = 16
        let statuses = try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<reads {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/entries/A", method: .get, headers: fixture.headers(.unit)).status
                    }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
        }
        #expect(statuses == Array(repeating: .ok, count: reads))
        // Read back once every answer was in: one row per read, the unit's, entry A.
        let log = try fixture.open().accessLog(entry: "A")
        #expect(log.count == reads)
        #expect(log.allSatisfy { $0.party == unit && $0.credential == "token:\(fixture.tokenIDs[.unit]!)" })
    }
}
