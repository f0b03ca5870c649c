import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6 "who sees what" as a matrix: every read route × every kind of holder × an entry of
/// the holder's own, another's, and none at all. Expected statuses worked out by hand from the
/// SPEC: no credential or a bad one 401; a credential without read/audit scope 403; what the
/// credential may not see, or what does not exist, 404 (never 403, which would confirm it exists).
@Suite struct AccessMatrixTests {
    /// Entry A is the court's and was pushed to the unit; B is the court's only; C is another court's.
    static func expected(_ holder: Holder, entry: String) -> HTTPResponse.Status {
        switch holder {
        case .none, .bogus: return .unauthorized
        case .courtRecordOnly: return .forbidden
        case .auditor: return entry == "ZZ" ? .notFound : .ok
        case .court, .courtReadOnly: return entry == "A" || entry == "B" ? .ok : .notFound
        case .otherCourt: return entry == "C" ? .ok : .notFound
        case .unit: return entry == "A" ? .ok : .notFound
        case .otherUnit: return .notFound
        }
    }

    @Test("entry and history routes: holder × entry", arguments: Holder.allCases)
    func entryRoutes(holder: Holder) async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            for entry in ["A", "B", "C", "ZZ"] {
                for path in ["/api/v1/entries/\(entry)", "/api/v1/entries/\(entry)/history"] {
                    let response = try await client.execute(uri: path, method: .get, headers: fixture.headers(holder))
                    #expect(response.status == Self.expected(holder, entry: entry), "\(holder) GET \(path): \(response.text)")
                    if response.status != .ok {
                        // Refusals never carry the entry's data.
                        #expect(!response.text.contains("测试"), "\(holder) GET \(path) leaked: \(response.text)")
                    }
                }
            }
        }
    }

    @Test("list routes show only what the holder may see", arguments: Holder.allCases)
    func listRoutes(holder: Holder) async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/entries", method: .get, headers: fixture.headers(holder))
            let visible = ["A", "B", "C"].filter { Self.expected(holder, entry: $0) == .ok }
            switch holder {
            case .none, .bogus: #expect(response.status == .unauthorized)
            case .courtRecordOnly: #expect(response.status == .forbidden)
            default:
                #expect(response.status == .ok)
                let entries = ((response.json as? [String: Any])?["entries"] as? [[String: Any]])?.compactMap { $0["entry"] as? String }
                #expect(entries == visible, "\(holder): \(response.text)")
            }
            let obligations = try await client.execute(uri: "/api/v1/obligations?as_of=2024-12-31", method: .get, headers: fixture.headers(holder))
            switch holder {
            case .none, .bogus: #expect(obligations.status == .unauthorized)
            case .courtRecordOnly: #expect(obligations.status == .forbidden)
            default:
                #expect(obligations.status == .ok)
                let rows = ((obligations.json as? [String: Any])?["obligations"] as? [[String: Any]]) ?? []
                for row in rows {
                    let entry = row["entry"] as? String ?? "", obligor = row["obligor"] as? String ?? ""
                    switch holder {
                    case .unit, .otherUnit: #expect(obligor == holder.party, "\(holder) saw \(row)")
                    case .auditor: break
                    default: #expect(Self.expected(holder, entry: entry) == .ok, "\(holder) saw \(row)")
                    }
                }
                if holder == .auditor || holder == .court { #expect(!rows.isEmpty, "\(holder) should see obligations") }
            }
        }
    }

    @Test("proofs and the feed need a reading credential; the checkpoint and the public list do not")
    func otherRoutes() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            for holder in [Holder.none, .bogus] {
                for path in ["/api/v1/feed", "/api/v1/proofs/inclusion?seq=1", "/api/v1/proofs/consistency?from=1&to=2"] {
                    let response = try await client.execute(uri: path, method: .get, headers: fixture.headers(holder))
                    #expect(response.status == .unauthorized, "\(holder) GET \(path)")
                }
            }
            let forbidden = try await client.execute(uri: "/api/v1/feed", method: .get, headers: fixture.headers(.courtRecordOnly))
            #expect(forbidden.status == .forbidden)
            // No checkpoint signed yet: 404 with a message, not a 500.
            let checkpoint = try await client.execute(uri: "/api/v1/checkpoint", method: .get)
            #expect(checkpoint.status == .notFound)
            let search = try await client.execute(uri: "/api/v1/public/search?name=%E6%B5%8B%E8%AF%95%E7%94%B2", method: .get)
            #expect(search.status == .ok)
            // A bogus token is refused even on a public route: it never falls back to public.
            let bogus = try await client.execute(uri: "/api/v1/public/search?name=x", method: .get, headers: fixture.headers(.bogus))
            #expect(bogus.status == .unauthorized)
        }
    }
}
