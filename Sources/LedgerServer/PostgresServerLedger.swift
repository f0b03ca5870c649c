import Foundation
package import LedgerDomain
package import LedgerPostgres
package import LedgerService
package import LedgerStore

/// One court's log in a PostgreSQL database behind the server's seam (`serve --db
/// postgresql://… --court C`): the API here, the web pages in PostgresServerLedger+Web.swift. Appends go through the log's sequencer (queued, sequenced in
/// batches, answered once committed), carrying the credential and the If-Match version so that
/// the attribution is written, and the version checked, in the sequencing transaction.
///
/// Read-your-writes: every read goes to the same database the appends go to (the primary), so
/// a caller answered 201 reads its events at once. With `--read-db` two of these (the primary
/// and the standby) sit behind `StandbyServerLedger`, which picks one per read.
///
/// Consistency: each read is its own statement(s) on the pool. Where two facts must agree, they
/// are made to: an entry's history is cut at the state's last seq. Obligations
/// and the states they are judged by are two reads; a post between them can
/// show one newer than the other, never a mix within one entry's obligations. Obligations come
/// from the projection (its rows and the tail it lacks, in one snapshot); `serve` runs the
/// projector beside the server.
package struct PostgresServerLedger: ServerLedger {
    package let database: PostgresLedger
    package let log: PostgresLedger.Log

    package init(database: PostgresLedger, log: PostgresLedger.Log) {
        self.database = database
        self.log = log
    }

    // MARK: credentials

    package func authenticate(authorization: String, now: Instant) async throws -> Principal? {
        switch Credentials.presented(authorization) {
        case let .token(id, token)?:
            return Credentials.check(token: token, stored: try await database.token(id: id), now: now)
        case let .user(name, password)?:
            let stored = try await database.user(name: name)
            // bcrypt (about 0.25 s) on a thread of its own, not on the cooperative pool.
            return await Self.offPool { Credentials.check(password: password, stored: stored) }
        case nil:
            return nil
        }
    }

    package func stillValid(_ principal: Principal, now: Instant) async throws -> Bool {
        if let id = Credentials.tokenCredential(principal) { return Credentials.isLive(try await database.token(id: id), now: now) }
        if let name = Credentials.userCredential(principal) { return Credentials.isActive(try await database.user(name: name)) }
        return false
    }

    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    // MARK: writes

    package func append(_ events: [NumberedEvent], credential: String, expectedLastSeq: Int64?) async throws -> [AppendOutcome] {
        do {
            return try await database.submit(numbered: events, to: log, credential: credential, expectedLastSeq: expectedLastSeq)
        } catch SubmissionRefusal.input(let input) {
            throw LedgerError.input(input)
        } catch let SubmissionRefusal.movedOn(entry, expected, lastSeq) {
            let changes = try await database.events(of: log, entry: entry).filter { $0.seq > expected }
            throw EntryMovedOn(entry: entry, expected: expected, lastSeq: lastSeq, changes: changes)
        } catch {
            // The round failed (rolled back, or its commit's outcome unknown): not acknowledged.
            throw StoreFailure(kind: "postgresql", reason: String(describing: error))
        }
    }

    package func logAccess(_ records: [AccessRecord]) async throws {
        try await database.logAccess(of: log, records.map {
            PostgresLedger.AccessRow(atMilliseconds: $0.atMilliseconds, credential: $0.credential, party: $0.party, entry: $0.entry,
                                     address: $0.address, route: $0.route)
        })
    }

    // MARK: reads

    package func profileName() async throws -> String { log.profile }

    package func forEachEntryState(_ body: @escaping @Sendable (EntryState) throws -> Void) async throws {
        try await database.forEachState(of: log, body)
    }

    package func entryState(_ entry: String) async throws -> EntryState? { try await database.entryState(of: log, entry: entry) }

    package func entryStates(_ entries: [String]) async throws -> [String: EntryState] {
        var states: [String: EntryState] = [:]
        for state in try await database.entryStates(of: log, named: entries) where states[state.entry] == nil { states[state.entry] = state }
        return states
    }

    package func entryHistory(_ entry: String) async throws -> (state: EntryState, events: [RecordedEvent])? {
        guard let state = try await database.entryState(of: log, entry: entry) else { return nil }
        // Cut at the state's last seq: the history the state was projected from, even when an
        // event was sequenced between the two reads.
        return (state, try await database.events(of: log, entry: entry).filter { $0.seq <= state.lastSeq })
    }

    package func obligations(_ query: ObligationQuery) async throws -> ObligationsRead {
        let found = try await database.obligations(of: log, query)
        return ObligationsRead(found: found, states: try await entryStates(found.map(\.0.entry)), flags: try await database.flaggedObligations(of: log),
                               profile: log.profile, calendar: try await database.calendarIdentity(of: log))
    }

    package func publicCandidates(debtorName: String, listed: @escaping @Sendable (EntryState) -> Bool) async throws -> [(state: EntryState, events: [RecordedEvent])] {
        var found: [(state: EntryState, events: [RecordedEvent])] = []
        for state in try await database.publicCandidates(of: log, debtorName: debtorName) where listed(state) {
            found.append((state, try await database.events(of: log, entry: state.entry).filter { $0.seq <= state.lastSeq }))
        }
        return found
    }

    package func events(after seq: Int64, limit: Int) async throws -> [(event: RecordedEvent, entry: EntryState?)] {
        let events = try await database.events(of: log, after: seq, limit: limit)
        let states = try await entryStates(events.compactMap(\.event.entry))
        return events.map { ($0, $0.event.entry.flatMap { states[$0] }) }
    }

    // MARK: the tree

    static func stored(_ checkpoint: PostgresLedger.SignedCheckpoint) -> StoredCheckpoint {
        // The creation time is not part of what the API answers (the audit page's `allCheckpoints` carries it).
        StoredCheckpoint(size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, createdMilliseconds: 0)
    }

    package func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await database.latestCheckpoint(of: log).map(Self.stored)
    }

    package func inclusion(seq: Int64) async throws -> InclusionRead? {
        guard seq >= 1, seq <= (try await database.head(of: log).size), let bytes = try await database.canonical(of: log, seq: seq) else { return nil }
        let event = try Event.decode(try JSONParser.parse(bytes), source: .canonical).event
        let state = try await event.entry.asyncFlatMap { try await database.entryState(of: log, entry: $0) }
        guard let checkpoint = try await database.latestCheckpoint(of: log), checkpoint.size >= seq else {
            return InclusionRead(event: event, entry: state, proof: .uncovered(latest: try await database.latestCheckpoint(of: log)?.size))
        }
        // Checked before it is handed out, as on SQLite: the engine refuses a proof that would not verify.
        do {
            let (canonical, path) = try await database.checkedInclusionProof(of: log, seq: seq, checkpoint: checkpoint)
            return InclusionRead(event: event, entry: state, proof: .proved(Self.stored(checkpoint), canonical: canonical, path: path))
        } catch PostgresLedgerError.integrity(let reason) {
            return InclusionRead(event: event, entry: state, proof: .failedCheck(reason))
        }
    }

    package func consistency(from: Int64, to: Int64?) async throws -> ConsistencyRead? {
        let size = try await database.head(of: log).size
        var newSize = size
        if let to { newSize = to } else if let latest = try await database.latestCheckpoint(of: log) { newSize = latest.size }
        guard from >= 1, from <= newSize, newSize <= size else { return nil }
        return ConsistencyRead(to: newSize, proof: try await database.consistencyProof(of: log, oldSize: from, newSize: newSize),
                               old: try await database.storedCheckpoint(of: log, size: from).map(Self.stored),
                               new: try await database.storedCheckpoint(of: log, size: newSize).map(Self.stored))
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
