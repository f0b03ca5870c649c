package import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// Sequencing under many writers (issue 13 point 3), the anchors' pattern rather than a
/// database sequence with a high-water mark: a submission is queued durably in `inbox`; one
/// sequencer per log at a time — whoever holds the log's `heads` row FOR UPDATE — takes a
/// short batch of queued submissions, assigns seqs, chains, extends the tree and the
/// projection, answers each ticket in `results` and removes it from the inbox, all in one
/// transaction. A sequencer killed mid-batch rolls back whole: its submissions are still
/// queued, and the next sequencer takes them. Every submitter is a would-be sequencer, so no
/// separate daemon has to be running.
extension PostgresLedger {
    /// At most this many submissions per sequencer transaction: short batches keep the lock
    /// short and the first submitter's wait bounded.
    static let batchLimit = 256

    /// Queues `events` as one submission (all or nothing) to `log` and returns, once the log's
    /// sequencer has taken it, each event's outcome; a refused submission throws its error.
    package func submit(_ events: [Event], to log: Log) async throws -> [Outcome] {
        let payload = events.map { CanonicalJSON.encode($0.inputObject) }.joined(separator: [0x0A]).map { $0 }
        // The queued row needs no flush of its own: nobody is answered before the sequencer's
        // commit, which is synchronous and flushes the WAL up to and past this insert. A crash
        // before that loses only submissions nobody was answered for (their callers see the
        // connection fail). This saves one fsync per submission.
        let ticket = try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SET LOCAL synchronous_commit = off", logger: logger)
            let rows = try await connection.query(
                "INSERT INTO inbox(log_id, events) VALUES (\(log.id), \(ByteBuffer(bytes: payload))) RETURNING ticket",
                logger: logger).collect()
            return try rows[0].decode(Int64.self)
        }
        return try await awaitAnswer(ticket: ticket, log: log)
    }

    /// Sequences queued submissions (or lets the sequencer holding the lock do it) until
    /// `ticket` is answered.
    func awaitAnswer(ticket: Int64, log: Log) async throws -> [Outcome] {
        while true {
            if try await sequence(log: log) != .busy {
                if let answer = try await answer(ticket: ticket) { return try answer.get() }
                continue
            }
            // Another session is sequencing and takes every queued submission, this one too:
            // wait for the answer with cheap reads, trying the lock again only now and then
            // (a sequencer that died released it with its connection).
            var pause: UInt64 = 500_000
            for _ in 0..<12 {
                if let answer = try await answer(ticket: ticket) { return try answer.get() }
                try await Task.sleep(nanoseconds: pause)
                pause = min(pause * 2, 8_000_000)
            }
        }
    }

    func answer(ticket: Int64) async throws -> Result<[Outcome], PostgresLedgerError>? {
        // A read, not a write (no commit to flush); the sequencer clears old answers.
        let rows = try await client.query("SELECT outcomes, error FROM results WHERE ticket = \(ticket)", logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (outcomes, error) = try row.decode((ByteBuffer, String?).self)
        if let error { return .failure(.input(error)) }
        return .success(try Self.decodeOutcomes(outcomes.bytes))
    }

    enum Round: Equatable { case busy, idle, sequenced(Int) }

    /// One sequencer round for `log`: `.busy` when another session holds the log's head.
    @discardableResult
    package func sequenceRound(log: Log) async throws -> Bool { try await sequence(log: log) != .busy }

    func sequence(log: Log) async throws -> Round {
        let engine = try engine(of: log)
        return try await client.withTransaction(logger: logger) { connection in
            let heads = try await connection.query(
                "SELECT size, hash, recorded_ms FROM heads WHERE log_id = \(log.id) FOR UPDATE SKIP LOCKED", logger: logger).collect()
            guard let head = heads.first else { return .busy }
            let (size, hash, recordedMs) = try head.decode((Int64, ByteBuffer, Int64).self)
            let queued = try await connection.query(
                "SELECT ticket, events FROM inbox WHERE log_id = \(log.id) ORDER BY ticket LIMIT \(Self.batchLimit)",
                logger: logger).collect()
            guard !queued.isEmpty else { return .idle }
            var tickets: [Int64] = []
            var submissions: [Result<[Event], InputError>] = []
            for row in queued {
                let (ticket, payload) = try row.decode((Int64, ByteBuffer).self)
                tickets.append(ticket)
                submissions.append(Self.decodeSubmission(payload.bytes))
            }
            let events = submissions.flatMap { (try? $0.get()) ?? [] }
            let knowledge = try await loadKnowledge(connection, log: log, events: events, size: size)
            // recorded_at never lies before an earlier event's, whatever the clock says.
            let now = Instant(epochMilliseconds: max(clock().epochMilliseconds, recordedMs))
            var batch = SequencedBatch(engine: engine, size: size, headHash: hash.bytes, recordedAt: now,
                                       knowledge: knowledge, salt: saltSource)
            var answers: [(outcomes: [UInt8], error: String?)] = []
            for submission in submissions {
                switch submission.flatMap({ batch.add(submission: $0) }) {
                case .success(let outcomes): answers.append((Self.encodeOutcomes(outcomes), nil))
                case .failure(let error): answers.append(([], error.description))
                }
            }
            try await write(batch, log: log, connection: connection)
            var binds = PostgresBindings()
            binds.append(log.id)
            binds.append(tickets)
            binds.append(answers.map { ByteBuffer(bytes: $0.outcomes) })
            binds.append(answers.map { $0.error ?? "" })
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO results(ticket, log_id, outcomes, error)
                SELECT t, $1, o, NULLIF(e, '') FROM unnest($2::int8[], $3::bytea[], $4::text[]) AS u(t, o, e)
                """, binds: binds), logger: logger)
            try await connection.query("DELETE FROM inbox WHERE ticket = ANY(\(tickets))", logger: logger)
            // Answers are read within moments; one kept for ten minutes serves a slow submitter.
            try await connection.query("DELETE FROM results WHERE log_id = \(log.id) AND answered_at < now() - interval '10 minutes'", logger: logger)
            return .sequenced(tickets.count)
        }
    }

    static func decodeSubmission(_ bytes: [UInt8]) -> Result<[Event], InputError> {
        var events: [Event] = []
        for (index, line) in bytes.split(separator: 0x0A).enumerated() {
            do { events.append(try Event.decode(jsonLine: Array(line))) } catch {
                return .failure(error.at(line: index + 1))
            }
        }
        return .success(events)
    }

    /// `a12,d5`: appended at 12, a repeat of 5.
    static func encodeOutcomes(_ outcomes: [Outcome]) -> [UInt8] {
        Array(outcomes.map { outcome in
            switch outcome {
            case .appended(let seq): "a\(seq)"
            case .duplicate(let seq): "d\(seq)"
            }
        }.joined(separator: ",").utf8)
    }

    static func decodeOutcomes(_ bytes: [UInt8]) throws -> [Outcome] {
        guard !bytes.isEmpty else { return [] }
        return try String(decoding: bytes, as: UTF8.self).split(separator: ",").map { item in
            guard let seq = Int64(item.dropFirst()) else { throw PostgresLedgerError.integrity("unreadable sequencer answer \(item)") }
            return item.first == "a" ? .appended(seq: seq) : .duplicate(seq: seq)
        }
    }
}
