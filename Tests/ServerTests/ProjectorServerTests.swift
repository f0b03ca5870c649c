import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerStore
import Testing

/// The server's obligations projector (issue 8 point 4): the writer derives no obligations, a
/// projector on its own connection catches up after group commits, and a read right after an
/// acknowledged post sees the duty it opened (the reader derives what the projector lacks).
@Suite struct ProjectorServerTests {
    @Test("post an inclusion without a risk notice, read /api/v1/obligations right after: its R1 duty is there, every time")
    func postThenRead() async throws {
        let fixture = try Fixture()
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            // baseEvents hold 7 events: the n-th inclusion posted here is seq 7 + n.
            for n in 1...12 {
                let entry = "P\(n)"
                let posted = try await client.execute(uri: "/api/v1/events", method: .post,
                                                      headers: fixture.headers(.court, [.contentType: "application/json"]),
                                                      body: ByteBuffer(string: inclusion(entry, name: "测试\(n)", id: "460030198001010105")))
                #expect(posted.status == .created, "\(posted.text)")
                let read = try await client.execute(uri: "/api/v1/obligations?as_of=2024-12-31", method: .get, headers: fixture.headers(.court))
                let rows = ((read.json as? [String: Any])?["obligations"] as? [[String: Any]]) ?? []
                // R1: an inclusion that no risk notice precedes (ObligationEngine's R1, by hand).
                #expect(rows.contains { $0["id"] as? String == "\(entry)/R1/\(7 + n)" && $0["duty"] as? String == "precondition" },
                        "after post \(n): \(read.text.prefix(400))")
            }
        }
        // The projector has written the same rows a rebuild derives.
        let ledger = try fixture.open()
        try ledger.catchUpObligations()
        #expect(try ledger.connection.scalarInt("SELECT position FROM projector_positions WHERE name = 'obligations'") == 19)
        let dump = "SELECT id, rule, entry, obligor, trigger_seq, due, met_ms, detail FROM obligations ORDER BY id"
        func rows() throws -> [String] {
            let statement = try ledger.connection.statement(dump)
            var out: [String] = []
            while try statement.step() { out.append("\(statement.values(count: 8))") }
            return out
        }
        let projected = try rows()
        try ledger.rebuild()
        #expect(try rows() == projected)
    }
}
