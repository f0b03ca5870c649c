import Foundation
import LedgerDomain

extension Ledger {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The projected state of `entry`, or nil when the ledger has no such entry.
    package func storedEntryState(_ entry: String) throws -> EntryState? {
        let statement = try connection.statement("SELECT state FROM entries WHERE entry = ?")
        try statement.bind([.text(entry)])
        guard try statement.step(), let json = statement.text(0) else { return nil }
        do {
            return try JSONDecoder().decode(EntryState.self, from: Data(json.utf8))
        } catch {
            throw LedgerError.integrity("the projection of entry \"\(entry)\" is unreadable (\(error)); run `listledger rebuild`")
        }
    }

    func writeEntryStates(_ states: some Sequence<EntryState>) throws {
        let upsert = try connection.statement("""
            INSERT INTO entries(entry, status, court, public, last_seq, state) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(entry) DO UPDATE SET status = excluded.status, court = excluded.court,
                public = excluded.public, last_seq = excluded.last_seq, state = excluded.state
            """)
        for state in states {
            let json = String(decoding: try Self.encoder.encode(state), as: UTF8.self)
            upsert.reset()
            try upsert.bind([.text(state.entry), .text(state.status.rawValue), .text(state.court),
                             state.isPublic.map { .int($0 ? 1 : 0) } ?? .null, .int(state.lastSeq), .text(json)])
            _ = try upsert.step()
        }
    }

    /// Every projected entry, in entry order.
    package func allEntryStates() throws -> [EntryState] {
        let statement = try connection.statement("SELECT state FROM entries ORDER BY entry")
        var states: [EntryState] = []
        let decoder = JSONDecoder()
        while try statement.step() {
            states.append(try decoder.decode(EntryState.self, from: Data((statement.text(0) ?? "").utf8)))
        }
        return states
    }
}
