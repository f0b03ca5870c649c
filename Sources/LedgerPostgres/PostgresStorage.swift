import LedgerCalendar
package import LedgerDomain
package import LedgerStorage
import NIOCore
import PostgresNIO

/// One court's log of a PostgreSQL database behind the command line's storage seam
/// (`LedgerStorage`), so that a command written against the seam runs on either engine with no
/// engine-specific code of its own (SPEC §8: every command the same on either). Appends go
/// through the log's sequencer; reads are each one statement (or one paged scan) on the pool.
///
/// The database's lifetime is the caller's (`PostgresLedger.withLedger`): this holds no pool.
package struct PostgresStorage: LedgerStorage {
    package let database: PostgresLedger
    package let log: PostgresLedger.Log

    package init(database: PostgresLedger, log: PostgresLedger.Log) {
        self.database = database
        self.log = log
    }

    package func append(_ events: [NumberedEvent]) async throws -> [AppendOutcome] {
        do {
            return try await database.submit(numbered: events, to: log, credential: nil, expectedLastSeq: nil)
        } catch SubmissionRefusal.input(let input) {
            throw StorageError.input(input)
        } catch {
            throw Self.storageError(error)
        }
    }

    package func head() async throws -> ChainHead {
        try await mapped { try await database.head(of: log) }
    }

    package func profileName() async throws -> String { log.profile }

    package func forEachEntryState(_ query: StateQuery, _ body: @escaping @Sendable (EntryState) throws -> Void) async throws {
        try await mapped { try await database.forEachState(of: log, entry: query.entry, asOf: query.asOf, knownAt: query.knownAt, body) }
    }

    package func hasEntry(_ entry: String) async throws -> Bool {
        try await mapped { try await database.hasEntry(entry, in: log) }
    }

    package func forEachEvent(ofTypes types: Set<EventType>, through lastSeq: Int64?, _ body: @escaping @Sendable (RecordedEvent) throws -> Void) async throws {
        try await mapped { try await database.forEachEvent(of: log, ofTypes: types, through: lastSeq, body) }
    }

    package func forEachObligation(_ query: ObligationQuery, _ body: @escaping @Sendable (Obligation, ObligationStatus) throws -> Void) async throws {
        try await mapped { try await database.forEachObligation(of: log, query, body) }
    }

    package func flaggedObligations() async throws -> [String: Int64] {
        try await mapped { try await database.flaggedObligations(of: log) }
    }

    package func event(seq: Int64) async throws -> RecordedEvent? {
        try await mapped { try await database.event(of: log, seq: seq) }
    }

    package func accessLog(party: String?, entry: String?, fromMilliseconds: Int64?) async throws -> [AccessRecord] {
        try await mapped { try await database.accessLog(of: log, party: party, entry: entry, fromMilliseconds: fromMilliseconds) }
    }

    /// Runs `body`, turning engine errors into the seam's.
    private func mapped<T>(_ body: () async throws -> T) async throws(StorageError) -> T {
        do { return try await body() } catch { throw Self.storageError(error) }
    }

    /// An engine error in the seam's terms (no PostgreSQL value crosses it).
    package static func storageError(_ error: any Error) -> StorageError {
        switch error {
        case let error as StorageError: error
        case let error as PostgresLedgerError:
            switch error {
            case .input(let text): .input(InputError(text))
            case .integrity(let text): .integrity(text)
            case .badURL(let text), .noLog(let text), .storage(let text): .unavailable(text)
            }
        case let SubmissionRefusal.input(input): .input(input)
        case let refusal as SubmissionRefusal: .input(InputError(refusal.description))
        case let error as InputError: .input(error)
        default: .unavailable("PostgreSQL: \(String(reflecting: error))")
        }
    }
}

extension PostgresLedger {
    /// `submit` in the callers' terms: numbered input lines in, the seam's outcomes out, and a
    /// refusal (`SubmissionRefusal.input`) naming the caller's line rather than the line within
    /// the submission.
    package func submit(numbered events: [NumberedEvent], to log: Log, credential: String?, expectedLastSeq: Int64?) async throws -> [AppendOutcome] {
        do {
            return try await submit(events.map(\.event), to: log, credential: credential, expectedLastSeq: expectedLastSeq).map { outcome in
                switch outcome {
                case .appended(let seq): .appended(seq: seq)
                case .duplicate(let seq): .duplicate(seq: seq)
                }
            }
        } catch SubmissionRefusal.input(var input) {
            if let line = input.line, events.indices.contains(line - 1) { input.line = events[line - 1].line }
            throw SubmissionRefusal.input(input)
        }
    }

    /// The event of `log` at `seq`, with its personal values when still held.
    package func event(of log: Log, seq: Int64) async throws -> RecordedEvent? {
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(seq)
        return try await client.withConnection { connection in
            try await self.readEvents(connection, PostgresQuery(
                unsafeSQL: "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE e.log_id = $1 AND e.seq = $2", binds: binds))
        }.first
    }

    /// `log`'s access-log rows, oldest first: by `party`, about `entry`, at or after
    /// `fromMilliseconds`, each when given (the SQLite store's `accessLog`).
    package func accessLog(of log: Log, party: String?, entry: String?, fromMilliseconds: Int64?) async throws -> [AccessRecord] {
        var binds = PostgresBindings()
        binds.append(log.id)
        var condition = "log_id = $1"
        if let party { binds.append(party); condition += " AND party = $\(binds.count)" }
        if let entry { binds.append(entry); condition += " AND entry = $\(binds.count)" }
        if let fromMilliseconds { binds.append(fromMilliseconds); condition += " AND at_ms >= $\(binds.count)" }
        let rows = try await client.query(PostgresQuery(
            unsafeSQL: "SELECT at_ms, credential, party, entry, address, route FROM access_log WHERE \(condition) ORDER BY n", binds: binds),
            logger: logger)
        var found: [AccessRecord] = []
        for try await (at, credential, party, entry, address, route) in rows.decode((Int64, String, String, String, String, String).self) {
            found.append(AccessRecord(atMilliseconds: at, credential: credential, party: party, entry: entry, address: address, route: route))
        }
        return found
    }
}
