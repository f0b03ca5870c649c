import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerServer
import LedgerService
import Testing

/// The public list: only published, public, still-listed entries; resident IDs masked.
@Suite struct PublicSearchTests {
    /// GB 11643 check character, computed here independently of the domain's validator.
    static func residentID(region: Int, year: Int, month: Int, day: Int, sequence: Int) -> String {
        let body = String(format: "%06d%04d%02d%02d%03d", region, year, month, day, sequence)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    static func search(_ client: some TestClientProtocol, _ name: String, id: String? = nil) async throws -> TestResponse {
        var query = "name=" + name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        if let id { query += "&id_number=" + id }
        return try await client.execute(uri: "/api/v1/public/search?" + query, method: .get)
    }

    @Test("property: for random valid IDs the public search never returns a full ID, and masks as first 10 + **** + last 4")
    func maskingProperty() async throws {
        var generator = SystemRandomNumberGenerator()
        var ids: [String] = []
        var lines: [String] = []
        for i in 0..<40 {
            let id = Self.residentID(region: Int.random(in: 110000...659004, using: &generator), year: Int.random(in: 1940...2004, using: &generator),
                                     month: Int.random(in: 1...12, using: &generator), day: Int.random(in: 1...28, using: &generator),
                                     sequence: Int.random(in: 0...999, using: &generator))
            ids.append(id)
            let entry = "P\(i)"
            lines.append(inclusion(entry, name: "公开\(i)", id: id))
            lines.append(event("entry_published", entry, "2024-03-07T10:00:00+08:00"))
        }
        let fixture = try Fixture(events: lines)
        let (_, app) = try fixture.app { $0.publicBurst = 1000 }
        let generated = ids
        try await app.test(.router) { client in
            for (i, id) in generated.enumerated() {
                let response = try await Self.search(client, "公开\(i)")
                #expect(response.status == .ok)
                #expect(!response.text.contains(id), "full ID \(id) in \(response.text)")
                let results = (response.json as? [String: Any])?["results"] as? [[String: Any]]
                #expect(results?.count == 1)
                let masked = results?.first?["id_number"] as? String
                #expect(masked == String(id.prefix(10)) + "****" + String(id.suffix(4)))
                #expect(masked?.count == 18)
                // Searching with the full number finds it; with another, nothing.
                let exact = try await Self.search(client, "公开\(i)", id: id)
                #expect(((exact.json as? [String: Any])?["results"] as? [Any])?.count == 1)
                #expect(!exact.text.contains(id))
            }
        }
    }

    @Test("only published, public, still-listed entries; the SPC art. 6 fields")
    func onlyTheList() async throws {
        let fixture = try Fixture(events: [
            inclusion("L", name: "某甲"), event("entry_published", "L", "2024-03-07T10:00:00+08:00"),
            inclusion("U", name: "某甲", id: "460030198001010113"),  // never published
            inclusion("N", name: "某甲", id: "460030198001010121", isPublic: false), event("entry_published", "N", "2024-03-07T10:00:00+08:00"),
            inclusion("S", name: "某甲", id: "460025198001010016"), event("entry_published", "S", "2024-03-07T10:00:00+08:00"),
            event("obligation_discharged", "S", "2024-04-01T10:00:00+08:00", ["basis": "full_performance"]),
            event("entry_shielded", "S", "2024-04-02T10:00:00+08:00", ["reason": "discharge"]),
        ])
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let response = try await Self.search(client, "某甲")
            #expect(response.status == .ok)
            let results = (response.json as? [String: Any])?["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["entry"] as? String } == ["L"], "\(response.text)")
            let record = results.first ?? [:]
            #expect(record["id_number"] as? String == "4600301980****0105")
            // 460030 1980-01-01, sequence 010 → 17th digit 0: female (GB 11643: odd is male).
            #expect(record["sex"] as? String == "female")
            #expect(record["court"] as? String == court)
            #expect(record["case"] as? String == "(2024)琼9030执L号")
            #expect(record["published_at"] as? String == "2024-03-07")
            #expect(record["dishonest_conduct"] as? [String] == ["able_but_refuses"])
            #expect((record["age"] as? Int ?? 0) >= 46)
            let missing = try await client.execute(uri: "/api/v1/public/search", method: .get)
            #expect(missing.status == .badRequest)
        }
    }

    @Test("masking keeps 10 + 4 characters of an 18-character ID")
    func maskingUnit() {
        #expect(Masking.residentID("460030198001010105") == "4600301980****0105")
        #expect(Masking.sex(ofResidentID: "460030198001010113") == "male")
        #expect(Masking.age(ofResidentID: "460030198001010105", onYear: 2026, month: 1, day: 1) == 46)
        #expect(Masking.age(ofResidentID: "460030198001020105", onYear: 2026, month: 1, day: 1) == 45)
    }
}
