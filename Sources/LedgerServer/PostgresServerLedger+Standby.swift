package import LedgerDomain
package import LedgerPostgres
package import LedgerService
package import LedgerStore
import Synchronization

/// `serve --db PRIMARY --read-db STANDBY` (issue 13 point 4): appends, credentials and the
/// access log go to the primary; the reads go to the hot standby unless the request needs a
/// seq the standby has not replayed yet. That seq is the largest of
///
/// - `Ledger-After-Seq` on the request (`ReadRequirement`): what the caller was answered by an
///   append, through any server process behind the same balancer (the POST answers `Ledger-Seq`);
/// - the last seq this process acknowledged to the same credential (remembered here, so a
///   client that sends no header still reads its own writes from the process it wrote through);
/// - the seq or tree size the read names itself (an inclusion proof's `seq`, a consistency
///   proof's `to`): a standby that lacks them would answer 404 or 400 for what exists.
///
/// The standby serves once its replayed log holds that seq: at once when it was already seen
/// there, else after waiting (looking every 20 ms, `PostgresLedger.waitUntil`) at most
/// `maximumWait` (2 s); then the primary answers. A seq beyond the primary's own head (a
/// mistaken header) is cut to that head, so it costs no wait once the standby holds it.
///
/// What reads where, and why:
/// - entries, an entry, its history, obligations, the public search: the standby, as above;
/// - the feed: the standby, each poll as above (the requirement is the one of the request
///   that opened it); a standby that lags only delays what an open feed shows;
/// - the checkpoint and the proofs: the standby. They are checked by whoever receives them
///   against the signed checkpoint they carry, so a replica cannot make them wrong, only older;
///   a proof that names a seq or size beyond the standby's is served by the primary;
/// - credentials (`authenticate`, `stillValid`): always the primary, so a revoked token or a
///   disabled user is refused at once, not after the standby replays the revocation.
package struct StandbyServerLedger: ServerLedger {
    package let primary: PostgresServerLedger
    package let standby: PostgresServerLedger
    package let maximumWait: Duration
    let memory: Memory

    /// What this process knows: per credential the last seq it acknowledged, and the largest
    /// seq seen replayed on the standby (its head only grows, so a read needing no more goes
    /// there without asking).
    final class Memory: Sendable {
        let acknowledged = Mutex<[String: Int64]>([:])
        let standbyHolds = Atomic<Int64>(0)

        func acknowledge(_ seq: Int64, credential: String) {
            acknowledged.withLock { $0[credential] = max($0[credential] ?? 0, seq) }
        }

        func needed(by requirement: ReadRequirement) -> Int64 {
            let remembered = requirement.credential.flatMap { credential in acknowledged.withLock { $0[credential] } } ?? 0
            return max(requirement.afterSeq ?? 0, remembered)
        }

        func standbyReached(_ seq: Int64) {
            var known = standbyHolds.load(ordering: .relaxed)
            while known < seq {
                let (exchanged, original) = standbyHolds.compareExchange(expected: known, desired: seq, ordering: .relaxed)
                if exchanged { break }
                known = original
            }
            // Seqs the standby holds need no remembering: the table stays as small as the lag.
            acknowledged.withLock { table in table = table.filter { $0.value > seq } }
        }
    }

    /// `primary` and `standby` must be the same log (the caller checks its origin on both).
    package init(primary: PostgresServerLedger, standby: PostgresServerLedger, maximumWait: Duration = .seconds(2)) {
        self.primary = primary
        self.standby = standby
        self.maximumWait = maximumWait
        self.memory = Memory()
    }

    /// The ledger this read goes to: the standby when it holds what the read needs (also
    /// `naming`, a seq or size the read asks for), else, after the bounded wait, the primary.
    func source(naming seq: Int64 = 0) async throws -> PostgresServerLedger {
        var needed = max(memory.needed(by: ReadRequirement.current), seq)
        if needed <= memory.standbyHolds.load(ordering: .relaxed) { return standby }
        // The slow path: a seq the standby was not seen holding. No more than the primary has.
        needed = min(needed, try await primary.database.head(of: primary.log).size)
        if needed <= memory.standbyHolds.load(ordering: .relaxed) { return standby }
        if try await standby.database.waitUntil(standby.log, holds: needed, timeout: maximumWait) {
            memory.standbyReached(try await standby.database.head(of: standby.log).size)
            return standby
        }
        return primary
    }

    // MARK: credentials and writes: the primary

    package func authenticate(authorization: String, now: Instant) async throws -> Principal? {
        try await primary.authenticate(authorization: authorization, now: now)
    }

    package func stillValid(_ principal: Principal, now: Instant) async throws -> Bool {
        try await primary.stillValid(principal, now: now)
    }

    package func append(_ events: [NumberedEvent], credential: String, expectedLastSeq: Int64?) async throws -> [AppendOutcome] {
        let outcomes = try await primary.append(events, credential: credential, expectedLastSeq: expectedLastSeq)
        if let last = outcomes.map(\.answeredSeq).max() { memory.acknowledge(last, credential: credential) }
        return outcomes
    }

    package func logAccess(_ records: [AccessRecord]) async throws { try await primary.logAccess(records) }

    // MARK: reads: the standby when it holds what they need

    package func profileName() async throws -> String { primary.log.profile }

    package func forEachEntryState(_ body: @escaping @Sendable (EntryState) throws -> Void) async throws {
        try await source().forEachEntryState(body)
    }

    package func entryState(_ entry: String) async throws -> EntryState? { try await source().entryState(entry) }

    package func entryStates(_ entries: [String]) async throws -> [String: EntryState] { try await source().entryStates(entries) }

    package func entryHistory(_ entry: String) async throws -> (state: EntryState, events: [RecordedEvent])? {
        try await source().entryHistory(entry)
    }

    package func obligations(_ query: ObligationQuery) async throws -> ObligationsRead { try await source().obligations(query) }

    package func publicCandidates(debtorName: String, listed: @escaping @Sendable (EntryState) -> Bool) async throws -> [(state: EntryState, events: [RecordedEvent])] {
        try await source().publicCandidates(debtorName: debtorName, listed: listed)
    }

    package func events(after seq: Int64, limit: Int) async throws -> [(event: RecordedEvent, entry: EntryState?)] {
        try await source().events(after: seq, limit: limit)
    }

    package func latestCheckpoint() async throws -> StoredCheckpoint? { try await source().latestCheckpoint() }

    package func inclusion(seq: Int64) async throws -> InclusionRead? { try await source(naming: seq).inclusion(seq: seq) }

    package func consistency(from: Int64, to: Int64?) async throws -> ConsistencyRead? {
        try await source(naming: max(from, to ?? 0)).consistency(from: from, to: to)
    }
}

extension AppendOutcome {
    /// The seq the event is stored at, appended now or before.
    var answeredSeq: Int64 {
        switch self {
        case .appended(let seq), .duplicate(let seq): seq
        }
    }
}

/// The web pages with a standby: sessions are written, and a clerk's page follows a form post
/// at once, so every page reads and writes the primary (the API's reads are what the standby
/// takes off it).
extension StandbyServerLedger: WebLedger {
    package func checkPassword(user: String, password: String) async throws -> Principal? { try await primary.checkPassword(user: user, password: password) }
    package func liveSession(idHash: [UInt8], nowMilliseconds: Int64) async throws -> StoredSession? { try await primary.liveSession(idHash: idHash, nowMilliseconds: nowMilliseconds) }
    package func insertSession(idHash: [UInt8], user: String, csrfToken: String, createdMilliseconds: Int64, expiresMilliseconds: Int64) async throws {
        try await primary.insertSession(idHash: idHash, user: user, csrfToken: csrfToken, createdMilliseconds: createdMilliseconds, expiresMilliseconds: expiresMilliseconds)
    }
    package func endSession(idHash: [UInt8], at milliseconds: Int64) async throws { try await primary.endSession(idHash: idHash, at: milliseconds) }
    package func partyNames() async throws -> [String: String] { try await primary.partyNames() }
    package func forEachEntryStateWithLastChange(_ body: @escaping @Sendable (EntryState, Int64?) throws -> Void) async throws {
        try await primary.forEachEntryStateWithLastChange(body)
    }
    package func credentials(ofSeqs seqs: [Int64]) async throws -> [Int64: String] { try await primary.credentials(ofSeqs: seqs) }
    package func events(ofTypes types: Set<EventType>) async throws -> [RecordedEvent] { try await primary.events(ofTypes: types) }
    package func allCheckpoints() async throws -> [StoredCheckpoint] { try await primary.allCheckpoints() }
    package func exportBundle() async throws -> (size: Int64, bytes: [UInt8], entries: [String])? { try await primary.exportBundle() }
}
