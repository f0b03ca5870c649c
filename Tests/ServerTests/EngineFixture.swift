import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCalendar
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerServer
import LedgerService
import LedgerStore
import Logging
import Testing

// The page suites on both engines: the same fixture (the same events, tokens and users) in a
// SQLite file or in one court's log of a fresh PostgreSQL database, the same real router over
// it, and engine-neutral reads of what the test checks was written.

/// The engines a suite runs on: SQLite always, PostgreSQL when $LISTLEDGER_PG_URL names a
/// server (scripts/pg; scripts/test sets it for every pass).
enum Engine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgresql
    var description: String { rawValue }

    static let postgresServer: String? = ProcessInfo.processInfo.environment["LISTLEDGER_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// The `arguments:` of a page test: without a server the PostgreSQL case is left out.
    static let available: [Engine] = postgresServer == nil ? [.sqlite] : [.sqlite, .postgresql]
}

extension Fixture {
    /// The fixture on `engine`. On PostgreSQL the events go into court:baisha's log as they go
    /// into the SQLite file, C (another court's entry) included, so seqs and pages match: the
    /// fixture writes through the engine, as the SQLite fixture does, not through `append`'s
    /// routing by court.
    static func make(_ engine: Engine, events: [String] = baseEvents) async throws -> Fixture {
        guard engine == .postgresql else { return try Fixture(events: events) }
        let server = try PostgresURL(parsing: Engine.postgresServer!)
        let name = "t_web_\(UInt32.random(in: 0...UInt32.max))"
        try await PostgresAdmin.createDatabase(name, on: server)
        let fixture = Fixture(engine: .postgresql, db: server.with(database: name).description, dir: temporaryFolder())
        let decoded = try events.map { try Event.decode(jsonLine: Array($0.utf8)) }
        let issued = try Holder.allCases.filter { $0.party != nil }.map { ($0, try issue($0)) }
        try await fixture.onPostgres { database, log in
            if !decoded.isEmpty { _ = try await database.submit(decoded, to: log) }
            for (_, token) in issued { try await database.insertToken(token.stored) }
        }
        for (holder, token) in issued {
            fixture.tokens[holder] = token.token
            fixture.tokenIDs[holder] = token.id
        }
        return fixture
    }

    var postgresURL: PostgresURL { get throws { try PostgresURL(parsing: db) } }

    /// Runs `body` with the database's pool open and its one log (made on first use).
    func onPostgres<T: Sendable>(_ body: @escaping @Sendable (PostgresLedger, PostgresLedger.Log) async throws -> T) async throws -> T {
        try await PostgresLedger.withLedger(url: try postgresURL) { database in
            let log: PostgresLedger.Log
            if let existing = try await database.logs().first { log = existing } else {
                log = try await database.createLog(court: court, profile: PolicyProfile.named("baisha-2018")!)
            }
            return try await body(database, log)
        }
    }

    /// The real router over this fixture's ledger (on PostgreSQL, with the pool open for as long
    /// as `body` runs), as `serve` builds it.
    @discardableResult
    func test<T: Sendable>(_ configure: (inout ServerSettings) -> Void = { _ in },
                           _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        var settings = ServerSettings(databasePath: db)
        settings.port = 0
        configure(&settings)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        switch engine {
        case .sqlite:
            return try await LedgerServerApp(settings: settings).makeApplication(logger: logger).test(.router, body)
        case .postgresql:
            let configured = settings, quiet = logger
            return try await onPostgres { database, log in
                try await LedgerServerApp(settings: configured, postgres: database, log: log).makeApplication(logger: quiet).test(.router, body)
            }
        }
    }

    // MARK: what the tests read back, on either engine

    /// A user with a cheap bcrypt cost (4) so tests stay fast; the command line uses cost 12.
    func addUser(_ name: String, party: String, scopes: [Scope] = [.record, .read], password: String = "correct horse battery") async throws {
        let user = try Credentials.makeUser(name: name, party: party, scopes: scopes, password: password, now: LedgerClock.now(), cost: 4)
        switch engine {
        case .sqlite: try open().insertUser(user)
        case .postgresql: #expect(try await onPostgres { database, _ in try await database.insertUser(user) })
        }
    }

    func logSize() async throws -> Int64 {
        switch engine {
        case .sqlite: try open().head().size
        case .postgresql: try await onPostgres { database, log in try await database.head(of: log).size }
        }
    }

    func entryState(_ entry: String) async throws -> EntryState? {
        switch engine {
        case .sqlite: try open().storedEntryState(entry)
        case .postgresql: try await onPostgres { database, log in try await database.entryState(of: log, entry: entry) }
        }
    }

    func accessLog(entry: String) async throws -> [AccessRecord] {
        switch engine {
        case .sqlite: try open().accessLog(entry: entry)
        case .postgresql: try await onPostgres { database, log in try await database.accessLog(of: log, entry: entry) }
        }
    }

    func credential(ofSeq seq: Int64) async throws -> String? {
        switch engine {
        case .sqlite: try open().credential(ofSeq: seq)
        case .postgresql: try await onPostgres { database, log in try await database.credentials(of: log, seqs: [seq])[seq] }
        }
    }

    func disableUser(_ name: String) async throws -> Bool {
        let now = LedgerClock.now().epochMilliseconds
        switch engine {
        case .sqlite: return try open().disableUser(name: name, at: now)
        case .postgresql: return try await onPostgres { database, _ in try await database.disableUser(name: name, at: now) }
        }
    }

    func liveSession(idHash: [UInt8]) async throws -> StoredSession? {
        let now = LedgerClock.now().epochMilliseconds
        switch engine {
        case .sqlite: return try open().liveSession(idHash: idHash, nowMilliseconds: now)
        case .postgresql: return try await onPostgres { database, _ in try await database.liveSession(idHash: idHash, nowMilliseconds: now) }
        }
    }

    /// What a copy of the data would show of the sessions: the file and its WAL, or the text
    /// columns of `web_sessions` and its id hashes (as hex and as bytes).
    func storedSessionBytes() async throws -> Data {
        switch engine {
        case .sqlite:
            return try Data(contentsOf: URL(fileURLWithPath: db)) + ((try? Data(contentsOf: URL(fileURLWithPath: db + "-wal"))) ?? Data())
        case .postgresql:
            let rows = try await PostgresAdmin.scalar("""
                SELECT coalesce(string_agg(encode(id_hash, 'hex') || ' ' || encode(id_hash, 'escape') || ' ' || user_name || ' ' || csrf, E'\\n'), '')
                FROM web_sessions
                """, on: try postgresURL) ?? ""
            return Data(rows.utf8)
        }
    }

    /// The names table, as the operator may change it (`UPDATE party_names …`).
    func renameParty(_ code: String, to name: String) async throws {
        switch engine {
        case .sqlite: try open().connection.execute("UPDATE party_names SET name = '\(name)' WHERE code = '\(code)'")
        case .postgresql: try await PostgresAdmin.execute(["UPDATE party_names SET name = '\(name)' WHERE code = '\(code)'"], on: try postgresURL)
        }
    }

    func partyNames() async throws -> [String: String] {
        switch engine {
        case .sqlite: try open().partyNames()
        case .postgresql: try await onPostgres { database, _ in try await database.partyNames() }
        }
    }

    /// Appends through the engine (not the server), as the command line would.
    func appendEvents(_ lines: [String]) async throws {
        switch engine {
        case .sqlite: try append(lines)
        case .postgresql:
            let events = try lines.map { try Event.decode(jsonLine: Array($0.utf8)) }
            _ = try await onPostgres { database, log in try await database.submit(events, to: log) }
        }
    }

    func allCheckpoints() async throws -> [StoredCheckpoint] {
        switch engine {
        case .sqlite: try open().allCheckpoints()
        case .postgresql:
            try await onPostgres { database, log in
                try await database.allCheckpoints(of: log).map {
                    StoredCheckpoint(size: $0.checkpoint.size, root: $0.checkpoint.root, note: $0.checkpoint.note, createdMilliseconds: $0.madeMilliseconds)
                }
            }
        }
    }

    /// The key an auditor trusts for this ledger's checkpoints.
    func verifierKey() async throws -> NoteVerifierKey {
        switch engine {
        case .sqlite: try #require(try open().identity()).verifierKey
        case .postgresql: try await onPostgres { database, log in try await database.verifierKey(of: log) }
        }
    }

    /// Users `names` of `party` (password "correct horse battery"), each signed in to the pages
    /// in a browser of its own, on one app over this fixture's ledger.
    func withSignedIn(_ names: [String], party: String = court,
                      _ body: @escaping @Sendable ([Browser]) async throws -> Void) async throws {
        for name in names { try await addUser(name, party: party) }
        try await test { client in
            var browsers: [Browser] = []
            for name in names {
                let browser = Browser(client)
                try await browser.signIn(name, "correct horse battery")
                browsers.append(browser)
            }
            try await body(browsers)
        }
    }
}
