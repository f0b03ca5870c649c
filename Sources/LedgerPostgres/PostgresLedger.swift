import Foundation
package import LedgerCalendar
package import LedgerDomain
import LedgerMerkle
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL engine (SPEC §8): one database, many court logs. A `PostgresClient` pool runs
/// for the life of `withLedger`'s body (the client is a service-lifecycle service: `run()`).
package final class PostgresLedger: Sendable {
    package let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    /// Fixes the v2 salts (tests comparing bytes with the SQLite store); nil: RAND_bytes.
    package let saltSource: (@Sendable (Int64, String) -> [UInt8])?
    /// The ledger's clock (tests fix it to compare hashes with the SQLite store).
    package let clock: @Sendable () -> Instant
    /// Answers to this process's submissions as they arrive (see `AnswerBoard`).
    let board = AnswerBoard()
    /// Each log's right edge as this process's last round left it (see `loadKnowledge`).
    let frontiers = Mutex<[Int32: RightEdge]>([:])

    init(url: PostgresURL, client: PostgresClient, saltSource: (@Sendable (Int64, String) -> [UInt8])?,
         clock: @escaping @Sendable () -> Instant) {
        self.url = url
        self.client = client
        self.saltSource = saltSource
        self.clock = clock
        var logger = Logger(label: "listledger.postgres")
        logger.logLevel = .error
        self.logger = logger
    }

    /// Connects to `url`, makes the schema current, runs `body`, and shuts the pool down.
    package static func withLedger<T: Sendable>(
        url: PostgresURL,
        saltSource: (@Sendable (Int64, String) -> [UInt8])? = nil,
        clock: @escaping @Sendable () -> Instant = PostgresLedger.systemClock,
        migrate: Bool = true,
        _ body: @Sendable (PostgresLedger) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: url.configuration)
        let ledger = PostgresLedger(url: url, client: client, saltSource: saltSource, clock: clock)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer {
                ledger.board.stopListening()
                group.cancelAll()
            }
            do {
                if migrate { try await ledger.migrate() }
                return try await body(ledger)
            } catch {
                guard let refused = Self.readOnly(error) else { throw error }
                throw await ledger.readOnlyRefusal(refused)
            }
        }
    }

    /// The SQLSTATE 25006 error in `error`, also when a transaction's closure threw it.
    static func readOnly(_ error: any Error) -> PSQLError? {
        let server = (error as? PSQLError) ?? ((error as? PostgresTransactionError)?.closureError as? PSQLError)
        return server?.serverInfo?[.sqlState] == "25006" ? server : nil
    }

    /// A write refused with SQLSTATE 25006 (read_only_sql_transaction), said plainly: the usual
    /// cause is a hot standby named as `--db`, where every write, the sequencer's row lock and
    /// LISTEN included, fails this way deep inside a round. Nothing was written: the standby
    /// holds only what it replayed.
    func readOnlyRefusal(_ error: PSQLError) async -> PostgresLedgerError {
        let standby = try? await client.query("SELECT pg_is_in_recovery()", logger: logger).collect().first?.decode(Bool.self)
        let what = standby == true ? "is a hot standby (in recovery), which refuses writes" : "refuses writes (a read-only transaction)"
        let message = error.serverInfo?[.message] ?? "read-only"
        return .input("--db: \(url) \(what) (\(message)): write on the primary; a standby serves reads through --read-db")
    }

    package static let systemClock: @Sendable () -> Instant = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(epochMilliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Creates the tables and triggers when missing. The probe is the newest object of the
    /// schema (the access log's index, schema 2), so an older database re-runs the idempotent
    /// statements.
    func migrate() async throws {
        try await createOnce(probe: "public.access_log_by_entry", PostgresSchema.statements)
        try await createOnce(probe: "public.tile_edges", PostgresSchema.tileStatements) { connection in
            try await self.convertFlatTree(connection)
        }
        // Schema 3, the web pages' sessions and names (PostgresSchema+Web.swift).
        try await createOnce(probe: "public.web_sessions_by_user", PostgresSchema.webStatements)
        try await createOnce(probe: "public.obligations_unmet", Self.obligationStatements)
        try await createOnce(probe: "public.webhook_deliveries", PostgresSchema.webhookStatements)
    }

    /// Runs `statements` (CREATE … IF NOT EXISTS, triggers) and then `then`, in one
    /// transaction, unless the table `probe` exists already. An advisory lock keeps two
    /// processes starting at once from racing on CREATE.
    func createOnce(probe: String, _ statements: [String],
                    then: @Sendable (PostgresConnection) async throws -> Void = { _ in }) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(7813)", logger: logger)
            do {
                let exists = try await connection.query("SELECT to_regclass(\(probe)) IS NOT NULL", logger: logger)
                    .collect().first?.decode(Bool.self) ?? false
                if !exists {
                    // One transaction (PostgreSQL's DDL is transactional): a step that fails
                    // half-way, a conversion included, leaves no probe behind and runs again.
                    try await connection.query("BEGIN", logger: logger)
                    for statement in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await then(connection)
                    try await connection.query("COMMIT", logger: logger)
                }
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                _ = try? await connection.query("SELECT pg_advisory_unlock(7813)", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(7813)", logger: logger)
        }
    }

    /// One court's log in this database.
    package struct Log: Sendable, Equatable {
        package let id: Int32
        package let court: String
        package let origin: String
        package let profile: String
    }

    /// `init --court C`: adds court C's log (empty head, its own signing key). Adding a log
    /// that exists is refused, as `init` on an existing SQLite file is.
    package func createLog(court: String, profile: PolicyProfile) async throws -> Log {
        guard Party.kind(of: court) == "court" else {
            throw PostgresLedgerError.input("--court: \"\(court)\" is not court:CODE")
        }
        // The origin is the note key's name, as in the SQLite store (SPEC §4: listledger/court:…).
        let origin = "listledger/\(court)"
        let signer = try NoteSigner.generate(name: origin)
        return try await client.withTransaction(logger: logger) { connection in
            let existing = try await connection.query("SELECT 1 FROM logs WHERE court = \(court)", logger: logger).collect()
            guard existing.isEmpty else { throw PostgresLedgerError.input("--court: the database already holds the log of \(court)") }
            let rows = try await connection.query("""
                INSERT INTO logs(court, origin, profile) VALUES (\(court), \(origin), \(profile.name)) RETURNING log_id
                """, logger: logger).collect()
            let id = try rows[0].decode(Int32.self)
            let genesis = ByteBuffer(bytes: RecordedEvent.genesisHash)
            try await connection.query("INSERT INTO heads(log_id, size, hash, recorded_ms) VALUES (\(id), 0, \(genesis), 0)", logger: logger)
            try await connection.query("INSERT INTO signing_keys(log_id, secret) VALUES (\(id), \(signer.encodedSignerKey))", logger: logger)
            return Log(id: id, court: court, origin: origin, profile: profile.name)
        }
    }

    /// Every log, by court.
    package func logs() async throws -> [Log] {
        let rows = try await client.query("SELECT log_id, court, origin, profile FROM logs ORDER BY court", logger: logger)
        var logs: [Log] = []
        for try await (id, court, origin, profile) in rows.decode((Int32, String, String, String).self) {
            logs.append(Log(id: id, court: court, origin: origin, profile: profile))
        }
        return logs
    }

    /// The log `--court` names, or the only one when it is left out (SPEC §8).
    package func log(court: String?) async throws -> Log {
        let all = try await logs()
        if let court {
            guard let log = all.first(where: { $0.court == court }) else {
                throw PostgresLedgerError.noLog("--court: no log of \(court) in \(url) (it holds \(all.map(\.court).joined(separator: ", ")); `listledger init --court \(court)` adds one)")
            }
            return log
        }
        guard all.count == 1 else {
            throw PostgresLedgerError.noLog(all.isEmpty
                ? "\(url) holds no log yet: `listledger init --court court:CODE --db \(url)` adds one"
                : "\(url) holds \(all.count) logs (\(all.map(\.court).joined(separator: ", "))): name one with --court")
        }
        return all[0]
    }

    func engine(of log: Log) throws -> ObligationEngine {
        guard let profile = PolicyProfile.named(log.profile) else {
            throw PostgresLedgerError.integrity("unknown policy profile \"\(log.profile)\" of \(log.court)")
        }
        return ObligationEngine(profile: profile, calendar: OfficialCalendar.embedded)
    }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}
