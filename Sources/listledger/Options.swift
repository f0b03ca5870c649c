import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import LedgerStorage
import LedgerStore

/// `--db` (or `LISTLEDGER_DB`): the ledger file every command works on.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger's SQLite file, or a postgresql://USER@HOST:PORT/DB URL (default: $LISTLEDGER_DB, else ./listledger.sqlite).", valueName: "path"))
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["LISTLEDGER_DB"] ?? "listledger.sqlite" }

    /// Whether `--db` names a PostgreSQL database rather than a SQLite file.
    var isPostgres: Bool { PostgresURL.isPostgres(path) }

    /// The PostgreSQL database when `--db` is a URL (SPEC §8); nil for a SQLite file.
    func postgres() throws -> PostgresURL? {
        guard PostgresURL.isPostgres(path) else { return nil }
        do { return try PostgresURL(parsing: path) } catch { throw Failure.input(InputError(field: "--db", error.description)) }
    }

    func open(readOnly: Bool = false) throws -> Ledger {
        // Every command hands a URL to its PostgreSQL path before it gets here; one that did
        // not would look for a file named like the URL.
        if PostgresURL.isPostgres(path) {
            throw Failure.input(InputError(field: "--db", "this step reads a SQLite ledger file, not a PostgreSQL URL"))
        }
        do {
            return try Ledger.open(path: path, readOnly: readOnly)
        } catch .notALedger(let path, let reason) where !FileManager.default.fileExists(atPath: path) {
            throw LedgerError.notALedger(path: path, reason: reason + Self.missingHint)
        }
    }

    /// The ledger behind the storage seam (`LedgerStorage`), for commands that only read or
    /// append through it.
    func storage(readOnly: Bool = false) throws -> any LedgerStorage {
        do {
            return try SQLiteStorage(path: path, readOnly: readOnly, clock: { Clock.now() })
        } catch .notALedger(let path, let reason, missing: true) {
            throw StorageError.notALedger(path: path, reason: reason + Self.missingHint, missing: true)
        }
    }

    /// The ledger behind the storage seam (`LedgerStorage`) for the length of `body`: the
    /// SQLite file, or on PostgreSQL one log of the database (SPEC §8), so that a command
    /// written against the seam runs on either engine with no code of its own for each. The
    /// log is the one `log.court` names (the only one when left out), or with `event` the log
    /// of that event's entry; a read (`readOnly`) reads the standby `--read-db` names, a write
    /// refuses the standby options.
    func withStorage<T: Sendable>(readOnly: Bool = false, log: CourtOption? = nil, for event: Event? = nil,
                                  _ body: @escaping @Sendable (any LedgerStorage) async throws -> T) async throws -> T {
        guard let url = try postgres() else {
            let sqlite = try storage(readOnly: readOnly)
            return try await body(sqlite)
        }
        let source = try Self.source(url, readOnly: readOnly, log: log)
        let chooser = LogChooser(court: log?.court, event: event)
        do {
            return try await PostgresLedger.withLedger(url: source.url, clock: { Clock.now() }, migrate: source.migrate) { database in
                let chosen = try await chooser.log(in: database)
                return try await body(PostgresStorage(database: database, log: chosen))
            }
        } catch {
            throw commandLineFailure(error, url: source.url)
        }
    }

    /// Where a command on `url` reads or writes (see `CourtOption.readSource`).
    private static func source(_ url: PostgresURL, readOnly: Bool, log: CourtOption?) throws -> (url: PostgresURL, migrate: Bool) {
        guard let log else { return (url, true) }
        guard readOnly else {
            try log.refuseReadOptions()
            return (url, true)
        }
        return try log.readSource(primary: url)
    }

    /// Reading commands that show obligations call this before opening read-only: one-shot
    /// `append`s leave the obligations table behind the log, and this catches it up when the
    /// file can be written (see `Ledger.catchUpObligations(path:)`). Any failure is left to
    /// the read, which then derives the tail in memory (and reports a missing ledger itself).
    func catchUpObligations() {
        guard !PostgresURL.isPostgres(path) else { return }
        try? Ledger.catchUpObligations(path: path)
    }

    /// What the store's "no ledger here" leaves to the command line: how to make or name one.
    static let missingHint = "; create one with `listledger init` (or name another with --db)"

}

/// Which log of a PostgreSQL database a command works on: `--court`'s (the only one when
/// left out), or the log of `event`'s entry.
struct LogChooser: Sendable {
    var court: String?
    var event: Event?

    func log(in database: PostgresLedger) async throws -> PostgresLedger.Log {
        guard let event else { return try await database.log(court: court) }
        return try await database.log(for: event)
    }
}

/// `--json` for machine output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for machines instead of a table for people.")
    var json = false
}

/// The ledger's clock: the only place the command line reads the time.
enum Clock {
    static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(epochMilliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}

/// A time argument: an ISO 8601 instant, or a bare date meaning the end of that Beijing day.
func parseTimeArgument(_ text: String, option: String) throws -> Instant {
    if let day = BeijingDay(iso: text) { return Instant.endOfBeijingDay(day) }
    switch Instant.parse(text) {
    case .success(let instant): return instant
    case .failure(let failure):
        throw Failure.input(InputError(field: option, "\"\(text)\" \(failure.problem); or give a date YYYY-MM-DD (the end of that Beijing day)"))
    }
}
