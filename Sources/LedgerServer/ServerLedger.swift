package import LedgerDomain
package import LedgerService
package import LedgerStore

/// The server's seam over its ledger: exactly what the routes, the authentication middleware,
/// the access log and the feed ask of a ledger, typed, async, with no SQL and no engine value
/// in it. `LedgerConnections` (a SQLite file) and `PostgresServerLedger` (one court's log in a
/// PostgreSQL database) answer it; the routes decide visibility, the engine only reads and
/// writes. Where a route needs several facts that must agree (an entry's state and its history,
/// obligations and the states they are judged by), one operation returns them together, read
/// in one snapshot.
///
/// Errors: a refusal of the input is `LedgerError.input` (nothing written), an If-Match whose
/// entry moved on is `EntryMovedOn`; anything else is a failure of the store.
package protocol ServerLedger: Sendable {
    // MARK: credentials

    /// The principal of an `Authorization` header value (`Bearer TOKEN`, `Basic` for a user), or
    /// nil when it is not a valid credential. bcrypt runs off the cooperative pool.
    func authenticate(authorization: String, now: Instant) async throws -> Principal?
    /// Whether the credential behind `principal` still grants access (revoked, disabled, expired).
    func stillValid(_ principal: Principal, now: Instant) async throws -> Bool

    // MARK: writes

    /// Appends one all-or-nothing batch attributed to `credential` (in the same transaction as
    /// the events); with `expectedLastSeq`, refused with `EntryMovedOn` if an entry it names
    /// moved on. Answers once durable.
    func append(_ events: [NumberedEvent], credential: String, expectedLastSeq: Int64?) async throws -> [AppendOutcome]
    /// Writes access-log records; returns once they are durable.
    func logAccess(_ records: [AccessRecord]) async throws

    // MARK: reads

    /// The policy profile's name.
    func profileName() async throws -> String
    /// Calls `body` with each entry state in entry order (bytes), all from one snapshot, none held.
    func forEachEntryState(_ body: @escaping @Sendable (EntryState) throws -> Void) async throws
    func entryState(_ entry: String) async throws -> EntryState?
    /// The states of these entries that exist, by entry.
    func entryStates(_ entries: [String]) async throws -> [String: EntryState]
    /// An entry's state with its events in seq order (one snapshot), nil when there is none.
    func entryHistory(_ entry: String) async throws -> (state: EntryState, events: [RecordedEvent])?
    /// The obligations `query` selects, with what rendering and visibility need (one snapshot).
    func obligations(_ query: ObligationQuery) async throws -> ObligationsRead
    /// Entries that may be on the public list under this debtor name, those `listed` keeps,
    /// each with its events.
    func publicCandidates(debtorName: String, listed: @escaping @Sendable (EntryState) -> Bool) async throws -> [(state: EntryState, events: [RecordedEvent])]
    /// Events after `seq`, at most `limit`, each with its entry's current state (the feed).
    func events(after seq: Int64, limit: Int) async throws -> [(event: RecordedEvent, entry: EntryState?)]

    // MARK: the tree

    func latestCheckpoint() async throws -> StoredCheckpoint?
    /// The event at `seq` with its entry's state and its inclusion proof into the latest
    /// checkpoint (checked before it is handed out), or nil when the log has no such event.
    func inclusion(seq: Int64) async throws -> InclusionRead?
    /// The consistency proof from `from` to `to` (default: the latest checkpoint, else the
    /// head), with the stored checkpoints of both sizes; nil unless 1 ≤ from ≤ to ≤ size.
    func consistency(from: Int64, to: Int64?) async throws -> ConsistencyRead?
}

/// A write that failed in a store other than the SQLite file (whose failures are
/// `LedgerError.storage`): the route logs `kind` and answers 503, never `reason` (which may
/// quote SQL).
package struct StoreFailure: Error, Sendable {
    package var kind: String
    package var reason: String

    package init(kind: String, reason: String) {
        self.kind = kind
        self.reason = reason
    }
}

/// `obligations` of `ServerLedger`: the obligations found, the state of each one's entry (for
/// `Visibility`), the flagged ones, and the profile and calendar the JSON names.
package struct ObligationsRead: Sendable {
    package var found: [(Obligation, ObligationStatus)]
    package var states: [String: EntryState]
    package var flags: [String: Int64]
    package var profile: String
    package var calendar: String

    package init(found: [(Obligation, ObligationStatus)], states: [String: EntryState], flags: [String: Int64], profile: String, calendar: String) {
        self.found = found
        self.states = states
        self.flags = flags
        self.profile = profile
        self.calendar = calendar
    }
}

/// One event's inclusion proof as the server hands it out, and what decides who may see it.
package struct InclusionRead: Sendable {
    package enum Proof: Sendable {
        case proved(StoredCheckpoint, canonical: [UInt8], path: [[UInt8]])
        /// No signed checkpoint covers the seq (the latest's size, if any).
        case uncovered(latest: Int64?)
        /// The ledger fails its own check: no proof is given.
        case failedCheck(String)
    }
    package var event: Event
    package var entry: EntryState?
    package var proof: Proof

    package init(event: Event, entry: EntryState?, proof: Proof) {
        self.event = event
        self.entry = entry
        self.proof = proof
    }
}

package struct ConsistencyRead: Sendable {
    package var to: Int64
    package var proof: [[UInt8]]
    package var old: StoredCheckpoint?
    package var new: StoredCheckpoint?

    package init(to: Int64, proof: [[UInt8]], old: StoredCheckpoint?, new: StoredCheckpoint?) {
        self.to = to
        self.proof = proof
        self.old = old
        self.new = new
    }
}

/// What the web pages ask beyond the API (sessions, party names, the report's events, the
/// audit page's checkpoints and bundle). Both engines answer it: `LedgerConnections` and
/// `PostgresServerLedger` (PostgresServerLedger+Web.swift).
package protocol WebLedger: ServerLedger {
    /// The principal of a user name and password (bcrypt, off the cooperative pool), or nil.
    func checkPassword(user: String, password: String) async throws -> Principal?
    func liveSession(idHash: [UInt8], nowMilliseconds: Int64) async throws -> StoredSession?
    func insertSession(idHash: [UInt8], user: String, csrfToken: String, createdMilliseconds: Int64, expiresMilliseconds: Int64) async throws
    func endSession(idHash: [UInt8], at milliseconds: Int64) async throws
    func partyNames() async throws -> [String: String]
    /// Calls `body` with each entry's state and when it last changed (the latest `at` of its
    /// events, epoch ms), in entry order, all from one snapshot, none held.
    func forEachEntryStateWithLastChange(_ body: @escaping @Sendable (EntryState, Int64?) throws -> Void) async throws
    /// The credential that recorded each of these seqs through the server (absent: the command line).
    func credentials(ofSeqs seqs: [Int64]) async throws -> [Int64: String]
    /// Every event of these types, in seq order.
    func events(ofTypes types: Set<EventType>) async throws -> [RecordedEvent]
    func allCheckpoints() async throws -> [StoredCheckpoint]
    /// The whole-log bundle against the latest checkpoint, with the entries it holds; nil
    /// before the first checkpoint.
    func exportBundle() async throws -> (size: Int64, bytes: [UInt8], entries: [String])?
}
