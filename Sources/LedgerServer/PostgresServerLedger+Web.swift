import Foundation
package import LedgerDomain
package import LedgerPostgres
package import LedgerService
package import LedgerStore

/// The web pages on one court's log in PostgreSQL (`serve --db postgresql://…`): sign-in
/// sessions and party names are the database's (as its users are), the reads are the log's.
/// Form posts append through `append`, the log's sequencer, as the API's posts do.
extension PostgresServerLedger: WebLedger {
    /// Adds the seed names the database does not hold yet (at server start; a name the
    /// operator changed is kept).
    package func prepareWeb() async throws {
        try await database.seedPartyNames(PartyNames.seed)
    }

    package func checkPassword(user: String, password: String) async throws -> Principal? {
        let stored = try await database.user(name: user)
        // bcrypt (about 0.25 s) on a thread of its own, not on the cooperative pool.
        return await Self.offPool { Credentials.check(password: password, stored: stored) }
    }

    package func liveSession(idHash: [UInt8], nowMilliseconds: Int64) async throws -> StoredSession? {
        try await database.liveSession(idHash: idHash, nowMilliseconds: nowMilliseconds)
    }

    package func insertSession(idHash: [UInt8], user: String, csrfToken: String, createdMilliseconds: Int64, expiresMilliseconds: Int64) async throws {
        try await database.insertSession(idHash: idHash, user: user, csrfToken: csrfToken,
                                         createdMilliseconds: createdMilliseconds, expiresMilliseconds: expiresMilliseconds)
    }

    package func endSession(idHash: [UInt8], at milliseconds: Int64) async throws {
        _ = try await database.endSession(idHash: idHash, at: milliseconds)
    }

    package func partyNames() async throws -> [String: String] { try await database.partyNames() }

    package func forEachEntryStateWithLastChange(_ body: @escaping @Sendable (EntryState, Int64?) throws -> Void) async throws {
        try await database.forEachEntryStateWithLastChange(of: log, body)
    }

    package func credentials(ofSeqs seqs: [Int64]) async throws -> [Int64: String] {
        try await database.credentials(of: log, seqs: seqs)
    }

    package func events(ofTypes types: Set<EventType>) async throws -> [RecordedEvent] {
        try await database.events(of: log, types: types)
    }

    package func allCheckpoints() async throws -> [StoredCheckpoint] {
        try await database.allCheckpoints(of: log).map { made in
            StoredCheckpoint(size: made.checkpoint.size, root: made.checkpoint.root, note: made.checkpoint.note, createdMilliseconds: made.madeMilliseconds)
        }
    }

    /// The whole-log bundle against the latest signed checkpoint, by the exporter `listledger
    /// export --all --db postgresql://…` runs, so the bytes are the command's. The server signs
    /// no newer checkpoint here (as on SQLite): events after the latest one are not in it.
    package func exportBundle() async throws -> (size: Int64, bytes: [UInt8], entries: [String])? {
        guard let checkpoint = try await database.latestCheckpoint(of: log) else { return nil }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("listledger-web-bundle-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        _ = try await database.exportBundle(of: log, to: temporary, selection: .all, checkpoint: checkpoint)
        // Read back whole, as on SQLite (one bundle in memory per download).
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: temporary)))
        return (checkpoint.size, bytes, try await database.entries(of: log, throughSeq: checkpoint.size))
    }
}

extension LedgerServerApp {
    /// The server over one court's log of a PostgreSQL database, the pages included: the seed
    /// names are added first (`serve` and the tests start it so).
    package init(settings: ServerSettings, postgres database: PostgresLedger, log: PostgresLedger.Log) async throws {
        let ledger = PostgresServerLedger(database: database, log: log)
        try await ledger.prepareWeb()
        self.init(settings: settings, ledger: ledger)
    }
}
