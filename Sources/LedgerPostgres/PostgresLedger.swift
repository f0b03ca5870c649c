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
    /// The newest stored calendar as last parsed, checked by version (`calendar()`).
    let calendarCache = Mutex<OfficialCalendar?>(nil)

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
        // Schema 4, the loaded calendars and logs without a court (PostgresLedger+Calendar.swift).
        try await createOnce(probe: "public.calendars", Self.calendarStatements)
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
        /// The court; "" for the one log `init` without `--court` makes (schema 4).
        package let court: String
        /// The note key's name; "" for a log without a court until `keys init` names its key.
        package let origin: String
        package let profile: String

        /// The log as messages name it: "the log of court:X", or, for the one log made without
        /// `--court`, "the database's log" (not "the log of ").
        package var title: String { court.isEmpty ? "the database's log" : "the log of \(court)" }
    }

    /// `init --court C`: adds court C's log (empty head, its own signing key). Adding a log
    /// that exists is refused, as `init` on an existing SQLite file is. Without a court, as
    /// `init` without `--court` makes a SQLite file: the database's only log, with no key
    /// until `keys init` (named, as on SQLite, after `--name` or the court of its first risk
    /// notice or inclusion decision); refused when the database holds a log already, and
    /// `init --court` is refused beside it (events would have no log to choose by court).
    package func createLog(court: String?, profile: PolicyProfile) async throws -> Log {
        if let court, Party.kind(of: court) != "court" {
            throw PostgresLedgerError.input("--court: \"\(court)\" is not court:CODE")
        }
        // The origin is the note key's name, as in the SQLite store (SPEC §4: listledger/court:…).
        let origin = court.map { "listledger/\($0)" }
        let signer = try origin.map { try NoteSigner.generate(name: $0) }
        return try await transaction { connection in
            // Two `init`s at once: the second waits and then sees the first's log.
            try await connection.query("LOCK TABLE logs IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            let existing = try await connection.query("SELECT court FROM logs", logger: logger).collect().map { try $0.decode(String?.self) }
            if let court {
                guard !existing.contains(court) else { throw PostgresLedgerError.input("--court: the database already holds the log of \(court)") }
                guard !existing.contains(nil) else {
                    throw PostgresLedgerError.input("--court: the database holds a log without a court (made by `init` without --court), its only log; use a database of its own for \(court)")
                }
            } else if !existing.isEmpty {
                throw PostgresLedgerError.input("--court: the database already holds \(existing.count) log\(existing.count == 1 ? "" : "s"); `init` without --court makes the only log of an empty database: give --court court:CODE to add one")
            }
            let rows = try await connection.query("""
                INSERT INTO logs(court, origin, profile) VALUES (\(court), \(origin), \(profile.name)) RETURNING log_id
                """, logger: logger).collect()
            let id = try rows[0].decode(Int32.self)
            let genesis = ByteBuffer(bytes: RecordedEvent.genesisHash)
            try await connection.query("INSERT INTO heads(log_id, size, hash, recorded_ms) VALUES (\(id), 0, \(genesis), 0)", logger: logger)
            if let signer {
                try await connection.query("INSERT INTO signing_keys(log_id, secret) VALUES (\(id), \(signer.encodedSignerKey))", logger: logger)
            }
            return Log(id: id, court: court ?? "", origin: origin ?? "", profile: profile.name)
        }
    }

    /// Every log, by court.
    package func logs() async throws -> [Log] {
        let rows = try await client.query("SELECT log_id, coalesce(court, ''), coalesce(origin, ''), profile FROM logs ORDER BY court", logger: logger)
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
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}
