package import LedgerDomain
import PostgresNIO
import Synchronization

/// A one-transaction append of any size (issue 8: constant memory): the caller becomes the
/// log's sequencer for ONE transaction. It waits for the log's head lock (the row a sequencer
/// round locks), then plans and writes the input a chunk at a time with the round's own
/// planner and row writer (`loadKnowledge`, `plan`, `write`), and commits once at the end.
///
/// Why not the inbox: an inbox row is the input copied into the database to hand it to
/// whichever process holds the lock; here the submitter holds it itself, so copying millions
/// of events into `inbox` (and deleting them in the same transaction) would only double the
/// WAL, and a single inbox row cannot exceed 1 GB. Other submitters meanwhile find the log
/// busy, as during any round: theirs wait in the inbox (or in their process) and are
/// sequenced after this transaction commits — none lost or refused. See docs/postgresql.md.
extension PostgresLedger {
    /// Events written by a streamed append before its first ANALYZE (see there).
    static let analyseAfter: Int64 = 10_000

    /// What `appendStreamed` committed: the new events are seqs `startSize + 1 … endSize`.
    package struct StreamedRange: Sendable, Equatable {
        package var startSize: Int64
        package var endSize: Int64
    }

    /// Appends the chunks `next` gives to `log` in ONE transaction, all or nothing, holding one
    /// chunk at a time. Each chunk is planned against the log as this transaction sees it
    /// (earlier chunks' rows included), so the tables end as one submission of all the events
    /// leaves them: the clock is read once, ids and contents repeated across chunks are
    /// duplicates. `planned` gets each chunk's outcomes before they are durable: it must keep
    /// them, not show them, until this returns. A refused event throws
    /// `PostgresLedgerError.input` (its input line, as `NumberedEvent` gives it) and rolls back;
    /// errors of `next` and `planned` roll back and are rethrown as they are.
    package func appendStreamed(to log: Log, next: () throws -> [NumberedEvent]?,
                                planned: ([NumberedEvent], [Outcome]) throws -> Void) async throws -> StreamedRange {
        let (range, edge) = try await streamedTransaction { connection in
            // FOR UPDATE without SKIP LOCKED: wait for a running round (or another streamed
            // append) to commit, then hold the head until this transaction ends.
            let heads = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT size, hash, recorded_ms, (\(Self.newestCalendarSQL)) FROM heads WHERE log_id = \(log.id) FOR UPDATE
                """), logger: logger).collect()
            guard let row = heads.first else { throw PostgresLedgerError.integrity("\(log.title) has no head row") }
            let (size, hash, recordedMs, calendarVersion) = try row.decode((Int64, ByteBuffer, Int64, String?).self)
            var head = ChainHead(size: size, hash: hash.bytes, recordedMilliseconds: recordedMs)
            let engine = try await engine(of: log, calendarVersion: calendarVersion, connection)
            let now = clock()
            var edge: RightEdge?
            var analysedAt = size
            while let chunk = try next() {
                if head.size - analysedAt >= max(analysedAt, Self.analyseAfter) {
                    // The planner's statistics cannot see this transaction's rows (autovacuum
                    // analyses committed ones): planned for the log as it was, the per-chunk
                    // lookups by id and content turned into scans, the 300 k-event append going
                    // quadratic (23 → 36 s). ANALYZE inside the transaction samples its own rows
                    // too; each time the log has doubled, so a few times whatever the input.
                    try await connection.query("ANALYZE events, personal_data, entry_states", logger: logger)
                    analysedAt = head.size
                }
                let events = chunk.map(\.event)
                let knowledge = try await loadKnowledge(connection, log: log, events: events, start: head, engine: engine,
                                                        tileEdges: edge?.edges)
                var planner = try AppendPlanner(knowledge: knowledge, now: now, salt: saltSource)
                let outcomes: [Outcome]
                switch Self.plan(events, with: &planner) {
                case .success(let planned): outcomes = planned
                case .failure(let error):
                    // The line within the chunk, as the input numbers it.
                    let line = error.line.map { chunk[$0 - 1].line }
                    throw PostgresLedgerError.input((line.map(error.at(line:)) ?? error).description)
                }
                let plan = planner.finish()
                edge = try await write(plan, start: head.size, tileEdges: knowledge.tileEdges, answers: [], attribution: [],
                                       log: log, connection: connection)
                head = plan.head
                try planned(chunk, outcomes)
            }
            return (StreamedRange(startSize: size, endSize: head.size), edge)
        }
        // Committed: the next round of this process starts from this edge.
        if let edge { frontiers.withLock { $0[log.id] = edge } }
        return range
    }

    /// `client.withTransaction`, rethrowing what the body threw as itself (the refusal, the
    /// input reader's and the spool's errors), not wrapped in `PostgresTransactionError`.
    private func streamedTransaction<T>(_ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let own = error.closureError { throw own }
            throw error
        }
    }
}
