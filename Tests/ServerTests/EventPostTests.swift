import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

/// `POST /api/v1/events`: the actor is the credential's party, all or nothing, repeats, 409.
@Suite struct EventPostTests {
    static let json: HTTPFields = [.contentType: "application/json"]
    static let jsonl: HTTPFields = [.contentType: "application/jsonl"]

    func post(_ client: some TestClientProtocol, _ fixture: Fixture, _ holder: Holder, _ body: String,
              headers: HTTPFields = json) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/events", method: .post, headers: fixture.headers(holder, headers), body: ByteBuffer(string: body))
    }

    @Test("an event without actor gets the credential's party, and the credential is kept beside the log")
    func actorBinding() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let response = try await post(client, fixture, .court, event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil))
            #expect(response.status == .created, "\(response.text)")
            // baseEvents hold 7 events, so this one is seq 8.
            #expect(response.text == #"{"duplicates":[],"seqs":[8]}"# + "\n")
        }
        let ledger = try fixture.open()
        let stored = try ledger.events(ofEntry: "B").last!
        #expect(stored.seq == 8)
        #expect(stored.event.actor == court)
        #expect(try ledger.credential(ofSeq: 8) == "token:\(fixture.tokenIDs[.court]!)")
        // The canonical bytes carry no credential: attribution is a side table, old proofs hold.
        #expect(!String(decoding: stored.canonical, as: UTF8.self).contains("token"))
        #expect(try ledger.credential(ofSeq: 1) == nil)
    }

    @Test("another party's act is 403 and writes nothing")
    func notYourAct() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let cases: [(Holder, String, String)] = [
                // names another actor explicitly
                (.court, event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: otherCourt), "actor"),
                // another court's entry: the rules refuse the actor
                (.otherCourt, event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil), "actor"),
                // a unit recording a court's act
                (.unit, event("entry_shielded", "A", "2024-04-06T10:00:00+08:00", actor: nil), "actor"),
                // a unit recording another unit's measure
                (.otherUnit, event("measure_lifted", "A", "2024-04-06T10:00:00+08:00", actor: nil, ["unit": unit, "measure": "credit_restriction"]), "unit"),
            ]
            for (holder, body, field) in cases {
                let response = try await post(client, fixture, holder, body)
                #expect(response.status == .forbidden, "\(holder) \(body): \(response.text)")
                let error = (response.json as? [String: Any])?["error"] as? [String: Any]
                #expect(error?["field"] as? String == field, "\(response.text)")
            }
            for holder in [Holder.auditor, .courtReadOnly] {
                let response = try await post(client, fixture, holder, event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil))
                #expect(response.status == .forbidden, "\(holder): \(response.text)")
            }
            for holder in [Holder.none, .bogus] {
                let response = try await post(client, fixture, holder, event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil))
                #expect(response.status == .unauthorized)
            }
        }
        #expect(try fixture.open().head().size == 7)
    }

    @Test("the unit records its own acts")
    func unitActs() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let body = [event("measure_applied", "A", "2024-03-10T11:00:00+08:00", actor: nil, ["unit": unit, "measure": "travel_restriction"]),
                        event("repost_registered", "A", "2024-03-10T12:00:00+08:00", actor: nil, ["unit": unit])].joined(separator: "\n")
            let response = try await post(client, fixture, .unit, body, headers: Self.jsonl)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test("JSON Lines: all or nothing, the error names the line and the field")
    func allOrNothing() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let body = [
                event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil),
                event("entry_published", "B", "2024-03-07T10:00:00+08:00", actor: nil, ["channels": "web"]),
            ].joined(separator: "\n")
            let response = try await post(client, fixture, .court, body, headers: Self.jsonl)
            #expect(response.status == .badRequest, "\(response.text)")
            let error = (response.json as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["line"] as? Int == 2)
            #expect(error?["field"] as? String == "channels")

            // Strict JSON: a duplicate key is refused, not resolved.
            let duplicate = try await post(client, fixture, .court, #"{"type":"decision_served","entry":"B","entry":"C","at":"2024-03-06T10:00:00+08:00"}"#)
            #expect(duplicate.status == .badRequest)
            let wrongType = try await client.execute(uri: "/api/v1/events", method: .post, headers: fixture.headers(.court, [.contentType: "text/plain"]), body: ByteBuffer(string: "{}"))
            #expect(wrongType.status == .unsupportedMediaType)
        }
        #expect(try fixture.open().head().size == 7)
    }

    @Test("a repeat answers 200 with the stored seq")
    func repeats() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let body = event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil, ["id": "serve-B"])
            let first = try await post(client, fixture, .court, body)
            #expect(first.status == .created)
            let again = try await post(client, fixture, .court, body)
            #expect(again.status == .ok, "\(again.text)")
            #expect(again.text == #"{"duplicates":[{"line":1,"seq":8}],"seqs":[8]}"# + "\n")
        }
        #expect(try fixture.open().head().size == 8)
    }

    @Test("If-Match with a stale last seq is 409 with what changed, nothing written")
    func expectedVersion() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            // Entry B's last seq is 6 (its inclusion). A clerk who saw it serves the decision.
            let seen = try await client.execute(uri: "/api/v1/entries/B", method: .get, headers: fixture.headers(.court))
            #expect(seen.headers[.eTag] == "\"6\"")
            let served = try await post(client, fixture, .court, event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil),
                                       headers: [.contentType: "application/json", .ifMatch: "\"6\""])
            #expect(served.status == .created, "\(served.text)")
            // A second clerk, who also saw seq 6, tries to publish: the entry has moved on to 8.
            let stale = try await post(client, fixture, .court, event("entry_published", "B", "2024-03-07T10:00:00+08:00", actor: nil),
                                      headers: [.contentType: "application/json", .ifMatch: "\"6\""])
            #expect(stale.status == .conflict, "\(stale.text)")
            let document = stale.json as? [String: Any]
            #expect(document?["last_seq"] as? Int == 8)
            let changes = document?["changes"] as? [[String: Any]]
            #expect(changes?.map { $0["seq"] as? Int } == [8])
        }
        #expect(try fixture.open().head().size == 8)
    }

    @Test("a body over the limit is 413 and writes nothing")
    func sizeLimit() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app { $0.maximumBodyBytes = 2048 }
        try await app.test(.router) { client in
            let line = event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil)
            let body = Array(repeating: line, count: 40).joined(separator: "\n")
            let response = try await post(client, fixture, .court, body, headers: Self.jsonl)
            #expect(response.status == .contentTooLarge, "\(response.text)")
        }
        #expect(try fixture.open().head().size == 7)
    }
}
