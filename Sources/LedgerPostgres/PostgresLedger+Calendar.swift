package import LedgerCalendar
import LedgerDomain
import NIOCore
import PostgresNIO
import Synchronization

/// The official calendar on PostgreSQL (schema 4): one per database, as the SQLite ledger keeps
/// one in its file. `calendar load` stores a newer one; every calculation of every log (the
/// sequencer's acceptance, the obligations projector, reads, alerts, report, bundles) takes the
/// newest stored one, else the built-in calendar, through `engine(of:)`, the one seam.
///
/// Reading and parsing a calendar costs more than deriving an entry's obligations, so it is
/// parsed once per process and kept with its version; each caller of `engine(of:)` (once per
/// projector pass or read, never per event) asks only for the newest version, one small row, and
/// the sequencer reads it in the statement that locks the head (no statement of its own), so a
/// calendar loaded by another process is used from the next round on.
extension PostgresLedger {
    /// Schema 4: the loaded calendars (the SQLite store's `calendars` table), and logs without a
    /// court (`init` without `--court`: the database's one log, named by its key's origin once
    /// `keys init` makes it). The probe (last) is the calendars table.
    static let calendarStatements: [String] = [
        "ALTER TABLE logs ALTER COLUMN court DROP NOT NULL",
        "ALTER TABLE logs ALTER COLUMN origin DROP NOT NULL",
        """
        CREATE TABLE IF NOT EXISTS calendars (
            version text PRIMARY KEY,
            data text NOT NULL,
            loaded_ms bigint NOT NULL
        )
        """,
        // A database upgraded to this step: the roles `pg setup` made before it may read the
        // logs but not yet the calendar, which every round of the sequencer reads. Whoever may
        // read `logs` may read `calendars` (SELECT only, as `pg setup` grants it now).
        """
        DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                     WHERE table_schema = 'public' AND table_name = 'logs' AND privilege_type = 'SELECT'
                       AND grantee <> current_user AND grantee <> 'PUBLIC' LOOP
                EXECUTE format('GRANT SELECT ON calendars TO %I', r.grantee);
            END LOOP;
        END $$
        """,
    ]

    /// The newest calendar's version query: the order the SQLite store's `calendar()` reads.
    static let newestCalendarSQL = "SELECT version FROM calendars ORDER BY loaded_ms DESC, version DESC LIMIT 1"

    /// The newest official calendar loaded into the database, else the built-in one.
    package func calendar() async throws -> OfficialCalendar { try await calendar(nil) }

    /// `calendar()`, read in `connection`'s transaction when given (a projector step under its lock).
    func calendar(_ connection: PostgresConnection?) async throws -> OfficialCalendar {
        let newest: String?
        do {
            newest = try await query(connection, PostgresQuery(unsafeSQL: Self.newestCalendarSQL)).first?.decode(String.self)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {
            // No calendars table: a standby of a primary not migrated to schema 4 yet.
            return .embedded
        }
        return try await calendar(version: newest, connection)
    }

    /// The calendar whose version `newest` is (nil: none loaded, the built-in one): the one
    /// parsed before when it is that version, else read and parsed once.
    func calendar(version newest: String?, _ connection: PostgresConnection?) async throws -> OfficialCalendar {
        guard let newest else { return .embedded }
        if let cached = calendarCache.withLock({ $0 }), cached.identity == newest { return cached }
        var binds = PostgresBindings()
        binds.append(newest)
        let rows = try await query(connection, PostgresQuery(unsafeSQL: "SELECT data FROM calendars WHERE version = $1", binds: binds))
        guard let data = try rows.first?.decode(String.self) else { return .embedded }
        let calendar: OfficialCalendar
        do { calendar = try OfficialCalendar(json: Array(data.utf8)) } catch {
            throw PostgresLedgerError.integrity("the stored calendar \(newest) is unreadable: \(error)")
        }
        calendarCache.withLock { $0 = calendar }
        return calendar
    }

    private func query(_ connection: PostgresConnection?, _ query: PostgresQuery) async throws -> [PostgresRow] {
        if let connection { return try await connection.query(query, logger: logger).collect() }
        return try await client.query(query, logger: logger).collect()
    }

    /// The obligation engine of `log`: its profile and the database's newest calendar.
    func engine(of log: Log, _ connection: PostgresConnection? = nil) async throws -> ObligationEngine {
        ObligationEngine(profile: try profile(of: log), calendar: try await calendar(connection))
    }

    /// `engine(of:)` when the newest calendar's version is known already (the sequencer reads
    /// it in its head-lock statement: no statement of its own per round).
    func engine(of log: Log, calendarVersion: String?, _ connection: PostgresConnection) async throws -> ObligationEngine {
        ObligationEngine(profile: try profile(of: log), calendar: try await calendar(version: calendarVersion, connection))
    }

    private func profile(of log: Log) throws -> PolicyProfile {
        guard let profile = PolicyProfile.named(log.profile) else {
            throw PostgresLedgerError.integrity("unknown policy profile \"\(log.profile)\" of \(log.title)")
        }
        return profile
    }

    /// `calendar load` on PostgreSQL: stores `calendar` as the database's newest and, in the
    /// same transaction, empties every log's obligations projection and sets its position back
    /// to 0 (a due day may move for any log), as `rebuild` does for one log; then derives each
    /// log's projection again with the new calendar (the projector's own steps: a kill meanwhile
    /// leaves positions it resumes from, and reads derive what it lacks). Returns the logs.
    package func loadCalendar(_ calendar: OfficialCalendar) async throws -> [Log] {
        let now = clock()
        try await transaction { connection in
            // Projector steps lock their position rows: wait for running ones, hold off new ones.
            try await connection.query("SELECT log_id FROM obligation_positions ORDER BY log_id FOR UPDATE", logger: logger)
            try await connection.query("""
                INSERT INTO calendars(version, data, loaded_ms) VALUES (\(calendar.identity), \(String(decoding: calendar.json, as: UTF8.self)), \(now.epochMilliseconds))
                ON CONFLICT (version) DO UPDATE SET data = excluded.data, loaded_ms = excluded.loaded_ms
                """, logger: logger)
            try await connection.query("DELETE FROM obligations", logger: logger)
            try await connection.query("UPDATE obligation_positions SET position = 0, latest_at_ms = NULL", logger: logger)
        }
        calendarCache.withLock { $0 = nil }
        let all = try await logs()
        for log in all { try await catchUpObligations(of: log) }
        return all
    }
}
