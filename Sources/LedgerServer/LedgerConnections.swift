import Foundation
import LedgerCalendar
package import LedgerDomain
package import LedgerService
package import LedgerStore

/// The server's face of the ledger file: `SharedLedger` (one writer connection that
/// group-commits concurrent posts, a few read-only connections, all on their own serial
/// queues so no SQLite call blocks the cooperative pool), plus what only the server needs:
/// its side tables, and the TEMP trigger that records which credential recorded each event.
package final class LedgerConnections: Sendable {
    private let shared: SharedLedger
    package var path: String { shared.path }

    package init(path: String, readers count: Int = 2) throws {
        shared = try SharedLedger(path: path, readers: count, clock: LedgerClock.now) { writer throws(LedgerError) in
            // The credential tables must exist before the read-only connections look for them.
            try writer.ensureCredentialTables()
            try writer.installAttribution()
        }
    }

    /// Appends one all-or-nothing batch, group-committed with the batches posted at the same
    /// time; answers once durable. Each event is attributed to `credential`. With
    /// `expectedLastSeq` (If-Match), throws `EntryMovedOn` if an entry moved on; nothing written.
    package func append(_ events: [NumberedEvent], credential: String, expectedLastSeq: Int64?) async throws -> [AppendOutcome] {
        try await shared.append(events: events, credential: credential, expectedLastSeq: expectedLastSeq)
    }

    /// Runs `body` on the writer connection between group commits (the access log).
    package func write<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await shared.write(body)
    }

    /// Runs `body` on one of the read-only connections, in one read transaction (one snapshot).
    package func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await shared.read(body)
    }

    /// Write transactions run by the writer for appends (fewer than posts when grouped).
    package var transactionCount: Int { shared.transactionCount }
}

/// The SQLite file behind the server's seam: each operation one read transaction on a
/// read-only connection (one snapshot), or the writer's group commit.
extension LedgerConnections: WebLedger {
    package func authenticate(authorization: String, now: Instant) async throws -> Principal? {
        try await read { ledger in try Credentials.authenticate(authorization: authorization, ledger: ledger, now: now) }
    }

    package func stillValid(_ principal: Principal, now: Instant) async throws -> Bool {
        try await read { ledger in try Credentials.stillValid(principal, ledger: ledger, now: now) }
    }

    package func logAccess(_ records: [AccessRecord]) async throws {
        try await write { ledger in try ledger.logAccess(records) }
    }

    package func profileName() async throws -> String { try await read { try $0.profile().name } }

    package func forEachEntryState(_ body: @escaping @Sendable (EntryState) throws -> Void) async throws {
        try await read { try $0.forEachEntryState(body) }
    }

    package func entryState(_ entry: String) async throws -> EntryState? { try await read { try $0.storedEntryState(entry) } }

    package func entryStates(_ entries: [String]) async throws -> [String: EntryState] {
        try await read { ledger in try Self.states(entries, ledger) }
    }

    private static func states(_ entries: [String], _ ledger: Ledger) throws -> [String: EntryState] {
        var states: [String: EntryState] = [:]
        for entry in entries where states[entry] == nil {
            if let state = try ledger.storedEntryState(entry) { states[entry] = state }
        }
        return states
    }

    package func entryHistory(_ entry: String) async throws -> (state: EntryState, events: [RecordedEvent])? {
        try await read { ledger in
            guard let state = try ledger.storedEntryState(entry) else { return nil }
            return (state, try ledger.events(ofEntry: entry))
        }
    }

    package func obligations(_ query: ObligationQuery) async throws -> ObligationsRead {
        try await read { ledger in
            let found = try ledger.obligations(query)
            return ObligationsRead(found: found, states: try Self.states(found.map(\.0.entry), ledger), flags: try ledger.flaggedObligations(),
                                   profile: try ledger.profile().name, calendar: try ledger.calendar().identity)
        }
    }

    package func publicCandidates(debtorName: String, listed: @escaping @Sendable (EntryState) -> Bool) async throws -> [(state: EntryState, events: [RecordedEvent])] {
        try await read { ledger in
            try ledger.publicCandidates(debtorName: debtorName).filter(listed).map { ($0, try ledger.events(ofEntry: $0.entry)) }
        }
    }

    package func events(after seq: Int64, limit: Int) async throws -> [(event: RecordedEvent, entry: EntryState?)] {
        try await read { ledger in
            let events = try ledger.events(after: seq, limit: limit)
            let states = try Self.states(events.compactMap(\.event.entry), ledger)
            return events.map { ($0, $0.event.entry.flatMap { states[$0] }) }
        }
    }

    package func latestCheckpoint() async throws -> StoredCheckpoint? { try await read { try $0.latestCheckpoint() } }

    package func inclusion(seq: Int64) async throws -> InclusionRead? {
        try await read { ledger -> InclusionRead? in
            guard seq >= 1, seq <= (try ledger.head().size), let bytes = try ledger.eventBytes(seq: seq) else { return nil }
            let event = try Event.decode(try JSONParser.parse(bytes), source: .canonical).event
            let state = try event.entry.flatMap { try ledger.storedEntryState($0) }
            guard let checkpoint = try ledger.latestCheckpoint(), checkpoint.size >= seq else {
                return InclusionRead(event: event, entry: state, proof: .uncovered(latest: try ledger.latestCheckpoint()?.size))
            }
            // Checked as `prove` checks it: nobody is handed a proof that would not verify.
            do {
                let (canonical, proof) = try ledger.checkedInclusionProof(seq: seq, checkpoint: checkpoint)
                return InclusionRead(event: event, entry: state, proof: .proved(checkpoint, canonical: canonical, path: proof))
            } catch ProofCheckError.failed(let reason) {
                return InclusionRead(event: event, entry: state, proof: .failedCheck(reason))
            }
        }
    }

    package func consistency(from: Int64, to: Int64?) async throws -> ConsistencyRead? {
        try await read { ledger -> ConsistencyRead? in
            let newSize = try to ?? ledger.latestCheckpoint()?.size ?? ledger.head().size
            guard from >= 1, from <= newSize, newSize <= (try ledger.head().size) else { return nil }
            return ConsistencyRead(to: newSize, proof: try ledger.consistencyProof(oldSize: from, newSize: newSize),
                                   old: try ledger.storedCheckpoint(size: from), new: try ledger.storedCheckpoint(size: newSize))
        }
    }

    // MARK: the web pages

    package func checkPassword(user: String, password: String) async throws -> Principal? {
        try await read { ledger in Credentials.check(password: password, stored: try ledger.user(name: user)) }
    }

    package func liveSession(idHash: [UInt8], nowMilliseconds: Int64) async throws -> StoredSession? {
        try await read { try $0.liveSession(idHash: idHash, nowMilliseconds: nowMilliseconds) }
    }

    package func insertSession(idHash: [UInt8], user: String, csrfToken: String, createdMilliseconds: Int64, expiresMilliseconds: Int64) async throws {
        try await write { ledger in
            try ledger.ensureSessionTables()
            try ledger.insertSession(idHash: idHash, user: user, csrfToken: csrfToken,
                                     createdMilliseconds: createdMilliseconds, expiresMilliseconds: expiresMilliseconds)
        }
    }

    package func endSession(idHash: [UInt8], at milliseconds: Int64) async throws {
        _ = try await write { try $0.endSession(idHash: idHash, at: milliseconds) }
    }

    package func partyNames() async throws -> [String: String] { try await read { try $0.partyNames() } }

    package func forEachEntryStateWithLastChange(_ body: @escaping @Sendable (EntryState, Int64?) throws -> Void) async throws {
        try await read { try $0.forEachEntryStateWithLastChange(body) }
    }

    package func credentials(ofSeqs seqs: [Int64]) async throws -> [Int64: String] {
        try await read { try $0.credentials(ofSeqs: seqs) }
    }

    package func events(ofTypes types: Set<EventType>) async throws -> [RecordedEvent] {
        try await read { ledger in
            var events: [RecordedEvent] = []
            try ledger.forEachEvent(ofTypes: types) { events.append($0) }
            return events
        }
    }

    package func allCheckpoints() async throws -> [StoredCheckpoint] { try await read { try $0.allCheckpoints() } }

    package func exportBundle() async throws -> (size: Int64, bytes: [UInt8], entries: [String])? {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("listledger-web-bundle-\(UUID().uuidString).json").path
        return try await read { ledger -> (size: Int64, bytes: [UInt8], entries: [String])? in
            guard let checkpoint = try ledger.latestCheckpoint() else { return nil }
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            _ = try ledger.exportBundle(to: temporary, selection: .all, checkpoint: checkpoint)
            // The exporter writes a file (bounded memory, renamed into place); reading it back
            // whole holds one bundle in memory per download, tens of megabytes for a court's
            // log. Streaming the file out is the next step if logs outgrow that.
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: temporary)))
            return (checkpoint.size, bytes, try ledger.entries(throughSeq: checkpoint.size))
        }
    }
}
