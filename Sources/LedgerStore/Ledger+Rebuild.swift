import Dispatch
import LedgerDomain
import Synchronization

extension Ledger {
    /// Empties the projection tables and derives them again from the log, in one transaction.
    /// The result must equal what the appends maintained (the tests compare them).
    ///
    /// Events are read entry by entry (the `events_by_entry` index, seq order within an entry),
    /// so memory holds one entry's history at a time, however long the log.
    package func rebuild(progress: ((Int64) -> Void)? = nil) throws {
        // One transaction rewrites every projection page: with SQLite's default 2 MB page cache
        // it spilled dirty pages to the WAL and read them back again and again. 64 MB holds the
        // working set of a 1 M-event rebuild (and stays within the 200 MB every command keeps to).
        let cacheSize = try connection.scalarInt("PRAGMA cache_size") ?? -2000
        try connection.execute("PRAGMA cache_size = -65536")
        defer { try? connection.execute("PRAGMA cache_size = \(cacheSize)") }
        try connection.writeTransaction {
            for table in Schema.projectionTables { try connection.execute("DELETE FROM \(table)") }
            var derived = ProjectionRebuild()
            var history: [RecordedEvent] = []
            var done: Int64 = 0

            func finishEntry() throws {
                guard let entry = history.first?.event.entry else { return }
                if let state = derived.finish(entry: history) { try writeEntryStates([state]) }
                try refreshObligations(entries: [EntryKey(entry)], events: [EntryKey(entry): history])
                history.removeAll(keepingCapacity: true)
            }

            try forEachEventReadAhead(orderedBy: "entry, seq") { recorded in
                if let entry = recorded.event.entry, let current = history.first?.event.entry, !current.sameBytes(entry) {
                    try finishEntry()
                }
                derived.take(recorded)
                if recorded.event.entry != nil { history.append(recorded) }
                done += 1
                if let progress, done % 100_000 == 0 { progress(done) }
            }
            try finishEntry()
            for row in derived.complaintRecords {
                try connection.run("INSERT INTO complaints(complaint, entry, received_seq, resolved_seq) VALUES (?, ?, ?, ?)",
                                   [.text(row.complaint), row.entry.map(SQLValue.text) ?? .null, .int(row.receivedSeq), row.resolvedSeq.map(SQLValue.int) ?? .null])
            }
            for (obligation, seq) in derived.flags {
                try connection.run("INSERT INTO flags(obligation, flagged_seq) VALUES (?, ?)", [.text(obligation), .int(seq)])
            }
            // Every entry's obligations derived from the whole log: the projector is current.
            try setObligationsPosition(try head().size)
            // A migration that changed the rules asked for this rebuild; it is done with it.
            try connection.run("DELETE FROM meta WHERE key = ?", [.text(Migrations.rederivePendingKey)])
        }
    }
}

extension Ledger {
    /// `forEachEvent(orderedBy:)` with the reading and decoding on a second core: a reader
    /// thread steps its own read-only connection and decodes the events (JSON, personal
    /// values checked against their commitments: ~40% of a rebuild) while `body` derives and
    /// writes on this connection. Used inside this connection's write transaction, which only
    /// writes projections: the log cannot change while it holds the write lock, so the
    /// reader's snapshot (the last commit) has exactly the events this one sees. Same order,
    /// same events, same error (the first unreadable event) as `forEachEvent`.
    func forEachEventReadAhead(orderedBy order: String, _ body: (RecordedEvent) throws -> Void) throws {
        let sql = try eventsSQL(orderedBy: order)
        let channel = ReadAhead()
        let path = self.path
        DispatchQueue.global(qos: .userInitiated).async {
            channel.produce {
                let reader = try Connection(path: path, create: false, readOnly: true)
                try reader.readTransaction {
                    let statement = try reader.statement(sql)
                    var chunk: [RecordedEvent] = []
                    chunk.reserveCapacity(ReadAhead.chunkSize)
                    while try statement.step() {
                        chunk.append(try Ledger.recordedEvent(statement))
                        if chunk.count == ReadAhead.chunkSize {
                            guard channel.put(chunk) else { return }
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                    if !chunk.isEmpty { _ = channel.put(chunk) }
                }
            }
        }
        // However this ends, the reader stops and is waited for before its connection's
        // snapshot could outlive the transaction.
        defer { channel.cancelAndWait() }
        while let chunk = try channel.take() {
            for recorded in chunk { try body(recorded) }
        }
    }
}

/// A bounded hand-over of decoded events from the rebuild's reader thread (at most `slots`
/// chunks wait: memory stays a few thousand events however long the log).
private final class ReadAhead: Sendable {
    static let chunkSize = 512
    private static let slots = 4
    private struct State {
        var chunks: [[RecordedEvent]] = []
        var finished: Result<Void, any Error>?
        var cancelled = false
    }
    private let state = Mutex(State())
    /// Signalled once per chunk put and once at the end.
    private let available = DispatchSemaphore(value: 0)
    /// Free slots for chunks.
    private let free = DispatchSemaphore(value: ReadAhead.slots)
    private let done = DispatchSemaphore(value: 0)

    /// Runs the reader; records how it ended.
    func produce(_ body: () throws -> Void) {
        let outcome = Result { try body() }
        state.withLock { $0.finished = outcome }
        available.signal()
        done.signal()
    }

    /// Hands over one chunk, waiting for a free slot; false when the consumer has stopped.
    func put(_ chunk: [RecordedEvent]) -> Bool {
        free.wait()
        let accepted = state.withLock { state -> Bool in
            guard !state.cancelled else { return false }
            state.chunks.append(chunk)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// The next chunk in order; nil at the end; rethrows the reader's error.
    func take() throws -> [RecordedEvent]? {
        while true {
            available.wait()
            let next = state.withLock { state -> Result<[RecordedEvent]?, any Error>? in
                if !state.chunks.isEmpty { return .success(state.chunks.removeFirst()) }
                switch state.finished {
                case .success?: return .success(nil)
                case .failure(let error)?: return .failure(error)
                case nil: return nil
                }
            }
            guard let next else { continue }
            if case .success(let chunk?) = next {
                free.signal()
                return chunk
            }
            // The end: leave the signal for another call to see it too.
            available.signal()
            return try next.get()
        }
    }

    func cancelAndWait() {
        state.withLock { $0.cancelled = true }
        free.signal()  // a reader waiting for a slot sees the cancellation
        done.wait()
    }
}
