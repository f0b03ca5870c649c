import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerService
import LedgerStore
import Testing

/// People authenticate with HTTP Basic against their bcrypt hash; disabling ends access.
@Suite struct UserAuthTests {
    @Test("a user's name and password give the user's party; a wrong password or a disabled user is 401")
    func basicAuth() async throws {
        let fixture = try Fixture()
        // Cost 4 keeps the test fast; the command line uses Credentials.bcryptCost (12).
        let user = try Credentials.makeUser(name: "clerk-wang", party: court, scopes: [.record, .read], password: "correct horse battery", now: LedgerClock.now(), cost: 4)
        try fixture.open().insertUser(user)
        @Sendable func basic(_ password: String) -> HTTPFields {
            [.authorization: "Basic " + Data("clerk-wang:\(password)".utf8).base64EncodedString(), .contentType: "application/json"]
        }
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/api/v1/entries/A", method: .get, headers: basic("correct horse battery")).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/entries/C", method: .get, headers: basic("correct horse battery")).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/entries/A", method: .get, headers: basic("wrong horse battery")).status == .unauthorized)
            let posted = try await client.execute(uri: "/api/v1/events", method: .post, headers: basic("correct horse battery"),
                                                  body: ByteBuffer(string: event("decision_served", "B", "2024-03-06T10:00:00+08:00", actor: nil)))
            #expect(posted.status == .created)
            #expect(try fixture.open().credential(ofSeq: 8) == "user:clerk-wang")
            #expect(try fixture.open().disableUser(name: "clerk-wang", at: 1))
            #expect(try await client.execute(uri: "/api/v1/entries/A", method: .get, headers: basic("correct horse battery")).status == .unauthorized)
        }
    }

    @Test("constant-time comparison is still a comparison")
    func constantTime() {
        #expect(Credentials.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Credentials.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Credentials.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
