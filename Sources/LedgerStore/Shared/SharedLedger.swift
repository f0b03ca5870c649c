import Dispatch
package import LedgerDomain
import Synchronization

/// A `Sendable`, async face of one SQLite ledger file for many concurrent callers (the server;
/// the command line keeps its synchronous `Ledger`).
///
/// - One writer connection on its own serial queue **groups commits**: batches submitted while
///   a transaction is running wait, and the next transaction takes all of them, each inside its
///   own SAVEPOINT, so a refused batch fails alone. Every caller is answered only after the
///   COMMIT returned, which with WAL and `synchronous=FULL` means the events are durable.
/// - Readers: a few read-only connections, each on its own serial queue; `read` runs its whole
///   body in one read transaction (one snapshot) and sees every append acknowledged before it
///   was called.
///
/// - The obligations projector: its own read-only connection on its own serial queue, woken
///   after every group commit (and at open), derives each step of the obligations table on a
///   snapshot there (the writer never derives obligations), and hands the step's rows and
///   position to the writer's queue, which writes them in one short transaction between two
///   groups (`Ledger.writeObligationsStep`, which drops a step whose position moved). So the
///   projector never waits on SQLite's write lock and the writer never waits on the projector:
///   before, the projector wrote on its own connection, slept in SQLite's busy handler while
///   the writer held the lock nearly all the time, and fell ever further behind under sustained
///   group commit (docs/performance.md, "Session 8, store"). A reader whose snapshot is ahead
///   of the projector derives the missing tail in memory (`Ledger.withCurrentObligations`), so
///   it still sees every append acknowledged before it.
///
/// Cancelling a task that awaits `append` does not withdraw its batch: once submitted, it is
/// committed or refused like the others.
package final class SharedLedger: Sendable {
    package let path: String
    private let writer: SerialWorker<Ledger>
    private let readers: [SerialWorker<Ledger>]
    private let projector: SerialWorker<Ledger>
    /// A catch-up is queued and has not started yet (so a burst of commits queues one).
    private let projectorQueued = Atomic<Bool>(false)
    /// When the last catch-up began (`DispatchTime` uptime, ns): see `projectorInterval`.
    private let projectorStarted = Atomic<UInt64>(0)
    /// A catch-up begins at most this often. Each step it writes is one more (short) transaction
    /// on the writer's queue: woken after every group, a single submitter paid one after each of
    /// its appends (more CPU per append: docs/performance.md, "Session 8, store"); 20 ms makes a step of every ~40 events at that rate,
    /// and a read derives at most that tail. Under load a catch-up runs its steps back to back
    /// while there is a lag, so this does not limit how fast it keeps up.
    private static let projectorInterval: UInt64 = 20_000_000
    private let nextReader = Atomic<Int>(0)
    private let transactions = Atomic<Int>(0)
    private let queue = Mutex(Pending())
    private let clock: @Sendable () -> Instant
    /// At most this many callers' batches share one transaction (bounds its size and latency).
    private let maxGroup: Int

    private struct Request: Sendable {
        var batch: GroupBatch
        var continuation: CheckedContinuation<[AppendOutcome], any Error>
    }

    private struct Pending: Sendable {
        var requests: [Request] = []
        var draining = false
    }

    /// Opens an existing ledger with one writer and `readers` reader connections. `prepare`
    /// runs on the writer connection before the readers open (the server creates its side
    /// tables and installs its attribution trigger there).
    package init(path: String, readers: Int = 2, maxGroup: Int = 256, clock: @escaping @Sendable () -> Instant,
                 prepare: (Ledger) throws(LedgerError) -> Void = { _ in }) throws(LedgerError) {
        self.path = path
        self.clock = clock
        self.maxGroup = max(1, maxGroup)
        let writerLedger = try Ledger.open(path: path)
        try prepare(writerLedger)
        writer = SerialWorker(label: "listledger.writer", state: writerLedger)
        projector = SerialWorker(label: "listledger.projector", state: try Ledger.open(path: path, readOnly: true))
        var pool: [SerialWorker<Ledger>] = []
        for index in 0..<max(1, readers) {
            pool.append(SerialWorker(label: "listledger.reader.\(index)", state: try Ledger.open(path: path, readOnly: true)))
        }
        self.readers = pool
        // A ledger appended to by the command line may lag: catch up now, off the writer.
        wakeProjector()
    }

    /// Queues one catch-up of the obligations projector unless one is queued already.
    private func wakeProjector() {
        guard !projectorQueued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let due = projectorStarted.load(ordering: .relaxed) &+ Self.projectorInterval
        projector.async(after: due > now ? DispatchTime(uptimeNanoseconds: due) : nil) { [self] ledger in
            projectorQueued.store(false, ordering: .releasing)
            projectorStarted.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
            // A failed step (disk full, a busy timeout) leaves the position where it was: the
            // readers derive the tail meanwhile and the next commit wakes the projector again.
            _ = try? catchUp(ledger)
        }
    }

    /// On the projector's queue: derives the steps on the projector's connection and writes
    /// each on the writer's, between two groups (the drain queues one group per turn of the
    /// writer's queue, so a step waits for at most the group being committed).
    private func catchUp(_ projectorLedger: Ledger) throws -> Int64 {
        try projectorLedger.catchUpObligations(writing: { step in
            try writer.sync { ledger in try ledger.writeObligationsStep(step) }
        })
    }

    /// Runs the projector until it has reached the head as it was when called (tests, and a
    /// caller that wants the table itself current).
    package func catchUpObligations() async throws {
        _ = try await projector.run { [self] ledger in try catchUp(ledger) }
    }

    /// Appends JSON Lines (one all-or-nothing batch; SPEC §3) and returns one outcome per event,
    /// `duplicate` for an `id` already stored with the same content. Throws `LedgerError.input`
    /// naming the line and field when the batch is refused (nothing of it is stored).
    package func append(_ lines: [UInt8]) async throws -> [AppendOutcome] {
        try await append(events: try JSONLines.decode(lines))
    }

    /// Appends decoded events as one all-or-nothing batch; see `append(_:)`. With `credential`,
    /// each stored event is attributed to it (needs `installAttribution` in `prepare`); with
    /// `expectedLastSeq`, the batch is refused with `EntryMovedOn` when an entry it names has
    /// another last seq when its turn comes in the group.
    package func append(events: [NumberedEvent], credential: String? = nil, expectedLastSeq: Int64? = nil) async throws -> [AppendOutcome] {
        guard !events.isEmpty else { throw LedgerError.input(InputError("the input holds no events")) }
        let batch = GroupBatch(events: events, credential: credential, expectedLastSeq: expectedLastSeq)
        return try await withCheckedThrowingContinuation { continuation in
            let startDrain = queue.withLock { pending -> Bool in
                pending.requests.append(Request(batch: batch, continuation: continuation))
                if pending.draining { return false }
                pending.draining = true
                return true
            }
            if startDrain { writer.async { [self] ledger in drain(ledger) } }
        }
    }

    /// Runs `body` on a reader connection inside one read transaction (one snapshot).
    package func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let reader = readers[index % readers.count]
        return try await reader.run { ledger in try ledger.connection.readTransaction { try body(ledger) } }
    }

    /// Runs `body` on the writer connection, between group commits (small writes beside the
    /// log: the access log, credentials). It waits for the group being committed, if any.
    package func write<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await writer.run(body)
    }

    /// How many write transactions the writer has run (group commit: fewer than batches).
    package var transactionCount: Int { transactions.load(ordering: .relaxed) }

    /// On the writer queue: commits one group, then queues itself again while requests wait.
    /// One group per turn of the queue, so a `write` queued meanwhile (the access log) runs
    /// between two groups instead of waiting for a burst of posts to end.
    private func drain(_ ledger: Ledger) {
        let group = queue.withLock { pending -> [Request] in
            let taken = Array(pending.requests.prefix(maxGroup))
            pending.requests.removeFirst(taken.count)
            if taken.isEmpty { pending.draining = false }
            return taken
        }
        if group.isEmpty { return }
        transactions.add(1, ordering: .relaxed)
        switch ledger.appendGroup(group.map(\.batch), clock: clock) {
        case .success(let results):
            for (request, result) in zip(group, results) { request.continuation.resume(with: result) }
        case .failure(let error):
            for request in group { request.continuation.resume(throwing: error) }
        }
        wakeProjector()
        writer.async { [self] ledger in drain(ledger) }
    }
}
