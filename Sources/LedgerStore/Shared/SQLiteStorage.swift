import LedgerCalendar
package import LedgerDomain
package import LedgerStorage

/// SQLite behind `LedgerStorage`: `SharedLedger` (one grouping writer, a pool of readers, each
/// connection on its own serial queue), or, opened read-only, one read-only connection on its
/// own queue (a read-only open never migrates or writes; SPEC §8 older schemas stay readable).
package final class SQLiteStorage: LedgerStorage {
    private enum Backing: Sendable {
        case shared(SharedLedger)
        case readOnly(SerialWorker<Ledger>)
    }
    private let backing: Backing
    package let path: String

    /// Opens the ledger at `path`; `readOnly` opens no writer (appends then fail).
    package init(path: String, readOnly: Bool = false, readers: Int = 2, clock: @escaping @Sendable () -> Instant) throws(StorageError) {
        self.path = path
        do {
            backing = readOnly
                ? .readOnly(SerialWorker(label: "listledger.reader", state: try Ledger.open(path: path, readOnly: true)))
                : .shared(try SharedLedger(path: path, readers: readers, clock: clock))
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    /// Runs `body` on a reader connection in one read transaction (one snapshot).
    private func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws(StorageError) -> T {
        do {
            switch backing {
            case .shared(let shared): return try await shared.read(body)
            case .readOnly(let worker): return try await worker.run { ledger in try ledger.connection.readTransaction { try body(ledger) } }
            }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    package func append(_ events: [NumberedEvent]) async throws -> [AppendOutcome] {
        guard case .shared(let shared) = backing else {
            throw StorageError.unavailable("the ledger was opened read-only; nothing was written")
        }
        do { return try await shared.append(events: events) } catch { throw Self.storageError(error, path: path) }
    }

    package func head() async throws -> ChainHead { try await read { try $0.head() } }

    package func profileName() async throws -> String { try await read { try $0.profile().name } }

    package func forEachEntryState(_ query: StateQuery, _ body: @escaping @Sendable (EntryState) throws -> Void) async throws {
        // One read transaction; the statement is SQLite's cursor (it reads pages as stepped).
        try await read { ledger in
            if query.replays {
                // Entry by entry (the events_by_entry index, as `rebuild` reads): one entry's
                // history held at a time, the index's bytewise order the states' entry order.
                var replay = EntryByEntryReplay(asOf: query.asOf, knownAt: query.knownAt)
                if let entry = query.entry {
                    try ledger.forEachEvent(where: "entry = ?", [.text(entry)]) { try replay.add($0, body) }
                } else {
                    try ledger.forEachEvent(where: "entry IS NOT NULL", orderedBy: "entry, seq") { try replay.add($0, body) }
                }
                try replay.finish(body)
            } else if let entry = query.entry {
                if let state = try ledger.storedEntryState(entry) { try body(state) }
            } else {
                try ledger.forEachEntryState(body)
            }
        }
    }

    package func hasEntry(_ entry: String) async throws -> Bool { try await read { try $0.hasEntry(entry) } }

    package func forEachEvent(ofTypes types: Set<EventType>, through lastSeq: Int64?, _ body: @escaping @Sendable (RecordedEvent) throws -> Void) async throws {
        // One read transaction; the statement is SQLite's cursor (it reads pages as stepped).
        try await read { try $0.forEachEvent(ofTypes: types, through: lastSeq, body) }
    }

    package func forEachObligation(_ query: ObligationQuery, _ body: @escaping @Sendable (Obligation, ObligationStatus) throws -> Void) async throws {
        try await read { try $0.forEachObligation(query, body) }
    }

    package func flaggedObligations() async throws -> [String: Int64] { try await read { try $0.flaggedObligations() } }

    package func event(seq: Int64) async throws -> RecordedEvent? {
        try await read { ledger in
            var found: RecordedEvent?
            try ledger.forEachEvent(where: "seq = ?", [.int(seq)]) { found = $0 }
            return found
        }
    }

    package func accessLog(party: String?, entry: String?, fromMilliseconds: Int64?) async throws -> [AccessRecord] {
        try await read { try $0.accessLog(party: party, entry: entry, fromMilliseconds: fromMilliseconds) }
    }

    /// Store errors in the seam's terms (no SQLite value crosses it).
    static func storageError(_ error: any Error, path: String) -> StorageError {
        switch error {
        case let error as StorageError: error
        case let error as LedgerError:
            switch error {
            case .input(let input): .input(input)
            case let .notALedger(path, reason): .notALedger(path: path, reason: reason, missing: !fileExists(path))
            case .storage: .unavailable(error.description)
            case .integrity(let reason): .integrity(reason)
            }
        case let error as SQLiteError: .unavailable(LedgerError.storage(error).description)
        case let error as InputError: .input(error)
        default: .integrity("\(error)")
        }
    }
}
