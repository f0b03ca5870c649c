import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerServer
import Testing

@Suite struct OperationsTests {
    @Test("the OpenAPI document names exactly the routes the server registers, with their methods")
    func openAPIMatchesRoutes() throws {
        let fixture = try Fixture()
        let (server, _) = try fixture.app()
        let registered = Set(server.makeRouter().1.map { "\($0.method) \($0.path)" })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(LedgerServerApp.openAPIDocument.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
        #expect(registered == documented, "registered only: \(registered.subtracting(documented)); documented only: \(documented.subtracting(registered))")
        #expect(registered.count == 13)
    }

    @Test("healthz, metrics by route and status, security headers, JSON errors without internals")
    func operations() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(health.headers[.xContentTypeOptions] == "nosniff")
            #expect(health.headers[.contentSecurityPolicy] != nil)
            #expect(health.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            _ = try await client.execute(uri: "/api/v1/entries/A", method: .get, headers: fixture.headers(.court))
            _ = try await client.execute(uri: "/api/v1/entries/A", method: .get)
            _ = try await client.execute(uri: "/api/v1/entries/A", method: .get)
            let unknown = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.xContentTypeOptions] == "nosniff")
            #expect((unknown.json as? [String: Any])?["error"] != nil)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"listledger_http_requests_total{route="/api/v1/entries/{entry}",status="200"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"listledger_http_requests_total{route="/api/v1/entries/{entry}",status="401"} 2"#))
            #expect(metrics.text.contains("listledger_open_feeds"))
            #expect(metrics.text.contains("listledger_append_duration_seconds"))
        }
    }
}

@Suite struct MethodTests {
    @Test("a wrong method on a known path is 405 with Allow; an unknown path 404")
    func methodNotAllowed() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let wrong = try await client.execute(uri: "/api/v1/entries/A", method: .delete, headers: fixture.headers(.court))
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET")
            let unknown = try await client.execute(uri: "/api/v1/nothing", method: .get)
            #expect(unknown.status == .notFound)
        }
    }
}
