import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerServer
import LedgerStore
import Testing

extension ServerProcessTests {
    /// Against a live server on a loopback port: the feed and SSE, revocation mid-feed, the rate limit.
    @Suite(.serialized) struct LiveTests {
        @Test("SSE: an event recorded after the feed opened arrives within a second, and the feed resumes from Last-Event-ID")
        func sseFeed() async throws {
            let fixture = try Fixture()
            let (_, app) = try fixture.app()
            try await app.test(.live) { client in
                let port = client.port!
                let feed = try RawHTTP(port: port)
                try feed.send("GET", "/api/v1/feed", headers: ["Authorization": "Bearer \(fixture.tokens[.unit]!)", "Accept": "text/event-stream"])
                // The unit sees entry A's five events (seqs 1–5), not B's or C's.
                let first = feed.read(until: .seconds(20)) { $0.contains("id: 5\n") }
                #expect(first.text.contains("text/event-stream"))
                #expect(first.text.contains("id: 1\n") && first.text.contains("id: 5\n"))
                #expect(!first.text.contains("id: 6\n") && !first.text.contains("id: 7\n"), "\(first.text)")
                // The court pushes entry B to the unit; it must reach the open feed within a second.
                let post = try await client.execute(uri: "/api/v1/events", method: .post,
                                                    headers: fixture.headers(.court, [.contentType: "application/json"]),
                                                    body: ByteBuffer(string: event("pushed_to_unit", "B", "2024-03-08T10:00:00+08:00", actor: nil, ["unit": unit])))
                #expect(post.status == .created)
                // "Within a second of being recorded": timed from the 201, when the event is durable.
                let pushed = ContinuousClock.now
                let second = feed.read(until: .seconds(3)) { $0.contains("id: 8\n") }
                #expect(second.text.contains("\"pushed_to_unit\""), "\(second.text)")
                #expect(ContinuousClock.now - pushed < .seconds(1), "the push took \(ContinuousClock.now - pushed) to arrive")

                // Resume: after Last-Event-ID 5, the unit gets B's events (now visible) and nothing ≤ 5.
                let resumed = try RawHTTP(port: port)
                try resumed.send("GET", "/api/v1/feed", headers: ["Authorization": "Bearer \(fixture.tokens[.unit]!)", "Accept": "text/event-stream", "Last-Event-ID": "5"])
                let text = resumed.read(until: .seconds(5)) { $0.contains("id: 8\n") }.text
                #expect(text.contains("id: 6\n") && text.contains("id: 8\n"))
                #expect(!text.contains("id: 5\n") && !text.contains("id: 7\n"), "\(text)")
            }
        }

        @Test("a revoked token ends an open feed at once")
        func revokedMidFeed() async throws {
            let fixture = try Fixture()
            let (_, app) = try fixture.app()
            try await app.test(.live) { client in
                let feed = try RawHTTP(port: client.port!)
                try feed.send("GET", "/api/v1/feed?follow=true", headers: ["Authorization": "Bearer \(fixture.tokens[.court]!)"])
                let opened = feed.read(until: .seconds(5)) { $0.contains("\"seq\":6") }
                #expect(opened.text.contains("\"seq\":6") && !opened.text.contains("\"seq\":7"))
                #expect(!opened.closed)
                // Revoked from the command line's code path, on another connection, as an operator would.
                #expect(try fixture.open().revokeToken(id: fixture.tokenIDs[.court]!, at: Int64(Date().timeIntervalSince1970 * 1000)))
                let after = feed.read(until: .seconds(3))
                #expect(after.closed, "the feed stayed open after revocation")
                let refused = try await client.execute(uri: "/api/v1/entries", method: .get, headers: fixture.headers(.court))
                #expect(refused.status == .unauthorized)
            }
        }

        @Test("JSON Lines feed without follow returns what there is and ends")
        func jsonLinesFeed() async throws {
            let fixture = try Fixture()
            let (_, app) = try fixture.app()
            try await app.test(.live) { client in
                let response = try await client.execute(uri: "/api/v1/feed?after=5", method: .get, headers: fixture.headers(.otherCourt))
                #expect(response.status == .ok)
                let lines = response.text.split(separator: "\n")
                #expect(lines.count == 1 && lines[0].contains("\"seq\":7"), "\(response.text)")
            }
        }

        @Test("the feed masks resident IDs for a unit that only reposted the entry; the holding unit gets them in full (issue 12 point 5)")
        func feedMasksForReposter() async throws {
            let fixture = try Fixture(events: baseEvents + [
                event("repost_registered", "A", "2024-03-10T10:00:00+08:00", actor: otherUnit, ["unit": otherUnit]),
            ])
            let (_, app) = try fixture.app()
            try await app.test(.live) { client in
                let reposter = try await client.execute(uri: "/api/v1/feed?after=0", method: .get, headers: fixture.headers(.otherUnit))
                #expect(reposter.status == .ok)
                // Entry A's inclusion reaches the reposting unit; 460030198001010105 masked by hand:
                // first 10 "4600301980", "****", last 4 "0105".
                #expect(reposter.text.contains("4600301980****0105"), "\(reposter.text)")
                #expect(!reposter.text.contains("460030198001010105"), "\(reposter.text)")
                let holder = try await client.execute(uri: "/api/v1/feed?after=0", method: .get, headers: fixture.headers(.unit))
                #expect(holder.text.contains("460030198001010105"), "\(holder.text)")
            }
        }

        @Test("the public search is rate-limited per client address: 429 past the burst")
        func rateLimit() async throws {
            let fixture = try Fixture()
            let (_, app) = try fixture.app { $0.publicBurst = 5; $0.publicPerSecond = 0.01 }  // no token comes back during the test, however slow the machine
            try await app.test(.live) { client in
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<8 {
                    statuses.append(try await client.execute(uri: "/api/v1/public/search?name=x", method: .get).status)
                }
                #expect(statuses.prefix(5).allSatisfy { $0 == .ok }, "\(statuses)")
                #expect(statuses.suffix(3).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
                let limited = try await client.execute(uri: "/api/v1/public/search?name=x", method: .get)
                #expect(limited.headers[.retryAfter] != nil)
                // Other routes are not limited.
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            }
        }
    }
}
