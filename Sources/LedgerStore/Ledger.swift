import LedgerCalendar
package import LedgerDomain
import LedgerCrypto

/// A ledger file: the append-only log and its projections in one SQLite database.
package final class Ledger {
    package let connection: Connection
    package let path: String
    /// The decoded events of recently appended entries, so a long import in many batches does
    /// not decode an entry's history again for every batch that touches it. Valid only while
    /// the log's size is the one this process last committed (another writer clears it).
    var eventCache = EntryEventCache()
    /// See `obligationEngine()`; cleared when a calendar is loaded.
    var cachedEngine: ObligationEngine?
    /// Whether the file has the `personal_data` table (schema 3); an older file opened
    /// read-only does not, and its events are all v1. See Ledger+PersonalData.swift.
    var hasPersonalDataTable: Bool?
    /// Where the salts of new personal values come from, by seq and path; nil: libcrypto's
    /// RAND_bytes. Set only by tests that compare two ledgers' bytes (salts are random).
    package var saltSource: (@Sendable (Int64, String) -> [UInt8])?

    private init(connection: Connection, path: String) {
        self.connection = connection
        self.path = path
    }

    /// Creates a new ledger file; refuses to touch an existing one.
    package static func create(path: String, profile: String, court: String?, now: Instant) throws(LedgerError) -> Ledger {
        if fileExists(path) { throw .notALedger(path: path, reason: "a file already exists here; init creates a new ledger and never overwrites one") }
        do {
            let connection = try Connection(path: path, create: true)
            try connection.execute("BEGIN IMMEDIATE")
            try connection.execute(Schema.createAll)
            let meta: [(String, String)] = [
                ("schema_version", String(Schema.version)), ("profile", profile),
                ("created_at", now.utcDescription),
            ] + (court.map { [("court", $0)] } ?? [])
            for (key, value) in meta { try connection.run("INSERT INTO meta(key, value) VALUES (?, ?)", [.text(key), .text(value)]) }
            // The ledger keeps the calendar it computes due days with, so an audit can name it.
            let calendar = OfficialCalendar.embedded
            try connection.run("INSERT INTO calendars(version, data, loaded_ms) VALUES (?, ?, ?)",
                               [.text(calendar.identity), .text(String(decoding: calendar.json, as: UTF8.self)), .int(now.epochMilliseconds)])
            connection.resetAll()
            try connection.execute("COMMIT")
            return Ledger(connection: connection, path: path)
        } catch {
            // Leave no half-made ledger behind.
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
            throw .storage(error)
        }
    }

    /// Opens an existing ledger file.
    package static func open(path: String, readOnly: Bool = false) throws(LedgerError) -> Ledger {
        guard fileExists(path) else {
            // The command line adds how to make or name one (it knows its flags; the store does not).
            throw .notALedger(path: path, reason: "no ledger here")
        }
        do {
            let connection = try Connection(path: path, create: false, readOnly: readOnly)
            let text = try? connection.scalarText("SELECT value FROM meta WHERE key = 'schema_version'")
            guard let text else { throw LedgerError.notALedger(path: path, reason: "this SQLite file is not a ListLedger ledger") }
            guard let version = Int(text), version >= 1, version <= Schema.version else {
                throw LedgerError.notALedger(path: path, reason: "schema version \(text), this build reads 1 to \(Schema.version); use a newer listledger")
            }
            if version < Schema.version {
                if readOnly {
                    // A read-only open cannot migrate; it may read an older schema whose
                    // missing steps only add indexes or tables.
                    guard Migrations.pending(from: version).allSatisfy(\.readable) else {
                        throw LedgerError.notALedger(path: path, reason: "schema version \(version) must be upgraded to \(Schema.version) first: run any writing command (e.g. `listledger rebuild`) once")
                    }
                } else {
                    try Migrations.migrate(connection)
                }
            }
            let ledger = Ledger(connection: connection, path: path)
            if !readOnly, try connection.scalarText("SELECT value FROM meta WHERE key = ?", [.text(Migrations.rederivePendingKey)]) != nil {
                try ledger.rebuild()
            }
            return ledger
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw .storage(error)
        } catch {
            throw .notALedger(path: path, reason: "\(error)")
        }
    }

    /// For the command line's reading commands, which open read-only: when the ledger at `path`
    /// is writable, at the latest schema and its obligations table lags the log (one-shot
    /// `append`s do not derive obligations), runs the projector on a connection of its own, so
    /// the table is current for this reader and the next. Migrates nothing; a ledger that
    /// cannot be written is left as it is (its readers derive the tail in memory).
    package static func catchUpObligations(path: String) throws {
        guard access(path, W_OK) == 0 else { return }
        let reader = try Ledger.open(path: path, readOnly: true)
        guard try Migrations.storedVersion(reader.connection) == Schema.version, try reader.obligationsLag() != nil else { return }
        let connection = try Connection(path: path, create: false)
        try connection.commitsWithoutSync()
        try Ledger(connection: connection, path: path).catchUpObligations()
    }

    package func meta(_ key: String) throws(LedgerError) -> String? {
        do { return try connection.scalarText("SELECT value FROM meta WHERE key = ?", [.text(key)]) } catch { throw .storage(error) }
    }

    package func setMeta(_ key: String, _ value: String) throws(LedgerError) {
        do { try connection.run("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [.text(key), .text(value)]) }
        catch { throw .storage(error) }
    }

    /// The stored head: number of events, the last chain hash, the last `recorded_at`.
    package typealias Head = ChainHead

    package func head() throws(SQLiteError) -> Head {
        let statement = try connection.statement("SELECT size, hash, recorded_ms FROM head WHERE id = 1")
        defer { statement.reset() }
        guard try statement.step() else { throw SQLiteError(code: 1, message: "the head row is missing", sql: nil) }
        return Head(size: statement.int(0), hash: statement.blob(1), recordedMilliseconds: statement.int(2))
    }
}

func fileExists(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
