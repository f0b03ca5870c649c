package import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO
import Synchronization

/// Sequencing under many writers (issue 13 point 3), the anchors' pattern rather than a
/// database sequence with a high-water mark: a submission is queued durably in `inbox`; one
/// sequencer per log at a time — whoever holds the log's `heads` row FOR UPDATE — takes a
/// short batch of queued submissions, assigns seqs, chains, extends the tree and the
/// projection, answers each ticket in `results` and removes it from the inbox, all in one
/// transaction. A sequencer killed mid-batch rolls back whole: its submissions are still
/// queued, and the next sequencer takes them. Every submitter is a would-be sequencer, so no
/// separate daemon has to be running.
///
/// Within one process one task at a time (the log's driver) tries the lock and sequences for
/// every waiting task; the others sleep on the `AnswerBoard` until their answer is handed over
/// (or another process's round NOTIFYs it). See docs/performance.md for what this saved.
extension PostgresLedger {
    /// At most this many submissions per sequencer transaction: short batches keep the lock
    /// short and the first submitter's wait bounded.
    static let batchLimit = 256

    /// How long a waiter sleeps without news before it looks for itself (a sequencer that died
    /// releases the lock with its connection; a notification may have been missed).
    static let quietLimit: Duration = .milliseconds(50)

    /// Submits `events` as one submission (all or nothing) to `log` and returns, once the log's
    /// sequencer has taken it, each event's outcome; a refused submission throws its error.
    ///
    /// The submission waits in this process's memory for the process's driver: when the driver
    /// holds the log's head it sequences the submission straight from there (no inbox row, no
    /// stored answer, no notification); when another process holds it, the driver moves what
    /// waits to the inbox in one statement, and that process's sequencer takes it. Either way
    /// nobody is answered before the durable commit that sequenced their events.
    package func submit(_ events: [Event], to log: Log) async throws -> [Outcome] {
        do {
            return try await submit(events, to: log, credential: nil, expectedLastSeq: nil)
        } catch let refusal as SubmissionRefusal {
            throw PostgresLedgerError.input(refusal.description)
        }
    }

    /// The same, attributed to `credential` (written beside each appended event in the
    /// sequencer's transaction) and, with `expectedLastSeq` (If-Match), refused unless every
    /// entry it names still has that last seq when the sequencer takes it. A refusal throws
    /// `SubmissionRefusal` (the rules' `InputError` with its line and field, or the entry that
    /// moved on); nothing of the submission is written then.
    package func submit(_ events: [Event], to log: Log, credential: String?, expectedLastSeq: Int64?) async throws -> [Outcome] {
        await startListening()
        let key = board.queueLocally(events, log: log.id, credential: credential, expectedLastSeq: expectedLastSeq)
        return try await awaitAnswer(ticket: key, log: log)
    }

    /// Moves local submissions to the inbox, one statement for all of them. The rows need no
    /// flush of their own: nobody is answered before the sequencer's commit, which is
    /// synchronous and flushes the WAL up to and past this insert. A crash before that loses
    /// only submissions nobody was answered for (their callers see the connection fail).
    /// `set_config(…, true)` turns the flush off for this one statement's own transaction.
    func enqueue(_ local: [AnswerBoard.Local], log: Log) async throws {
        guard !local.isEmpty else { return }
        let payloads = local.map { submission in
            ByteBuffer(bytes: submission.events.map { CanonicalJSON.encode($0.inputObject) }.joined(separator: [0x0A]).map { $0 })
        }
        // '' and -1 stand for none (NULLIF below): arrays of plain values bind simply.
        let credentials = local.map { $0.credential ?? "" }
        let expected = local.map { $0.expectedLastSeq ?? -1 }
        // The tickets are drawn in the payloads' order (one nextval per row of `t`), so the
        // sequencer takes them in the order they were submitted.
        let rows = try await client.query("""
            WITH quiet AS (SELECT set_config('synchronous_commit', 'off', true)),
            t AS (SELECT nextval(pg_get_serial_sequence('inbox', 'ticket')) AS ticket, p, c, x, n
                  FROM quiet, unnest(\(payloads)::bytea[], \(credentials)::text[], \(expected)::int8[]) WITH ORDINALITY AS u(p, c, x, n)),
            ins AS (INSERT INTO inbox(ticket, log_id, events, credential, expected_last_seq)
                    SELECT ticket, \(log.id), p, NULLIF(c, ''), NULLIF(x, -1) FROM t)
            SELECT ticket, n FROM t ORDER BY n
            """, logger: logger).collect()
        var pairs: [(key: Int64, ticket: Int64)] = []
        for row in rows {
            let (ticket, n) = try row.decode((Int64, Int64).self)
            pairs.append((local[Int(n) - 1].key, ticket))
        }
        guard pairs.count == local.count else {
            throw PostgresLedgerError.integrity("the inbox took \(pairs.count) of \(local.count) submissions")
        }
        board.moved(pairs)
    }

    /// Waits until `ticket` (a local key) is answered, driving the log's sequencer whenever no
    /// other task of this process does.
    func awaitAnswer(ticket: Int64, log: Log) async throws -> [Outcome] {
        while true {
            if let answer = board.take(ticket) { return try await resolve(answer, ticket: ticket) }
            let seen = board.generation
            guard board.becomeDriver(of: log.id) else {
                await board.waitForChange(since: seen, timeout: Self.quietLimit)
                continue
            }
            defer { board.stepDown(of: log.id) }
            // Drive until this ticket is answered; then hand over (a waiting task takes the role).
            while !board.has(ticket) {
                let before = board.generation
                // Let the submitters just answered (runnable, not yet running) queue their next
                // submission first: the round then takes them too, instead of the next one.
                await Task.yield()
                switch try await sequence(log: log) {
                case .sequenced:
                    continue
                case .busy:
                    // Another process sequences: its commit NOTIFYs; without news, try again.
                    await board.waitForChange(since: before, timeout: Self.quietLimit)
                case .idle:
                    // Nothing queued, yet not answered here: moved to the inbox and answered
                    // by a round whose notification did not reach us.
                    guard let moved = board.ticket(of: ticket), let answer = try await answer(ticket: moved) else {
                        throw PostgresLedgerError.integrity("submission \(ticket) is neither queued nor answered")
                    }
                    board.deliver([(moved, answer)])
                }
            }
        }
    }

    /// Turns an answer into outcomes, reading `results` when the notification could not carry it.
    func resolve(_ answer: AnswerBoard.Answer, ticket: Int64) async throws -> [Outcome] {
        switch answer {
        case .outcomes(let outcomes): return outcomes
        case .refused(let refusal): throw refusal
        case .failed(let text): throw PostgresLedgerError.storage(text)
        case .lookUp(let stored):
            guard let stored = try await self.answer(ticket: stored) else {
                throw PostgresLedgerError.integrity("ticket \(stored) was announced as answered, but its answer is not stored")
            }
            return try await resolve(stored, ticket: ticket)
        }
    }

    func answer(ticket: Int64) async throws -> AnswerBoard.Answer? {
        // A read, not a write (no commit to flush); the sequencer clears old answers.
        let rows = try await client.query("SELECT outcomes, error FROM results WHERE ticket = \(ticket)", logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (outcomes, error) = try row.decode((ByteBuffer, String?).self)
        if let error { return .refused(SubmissionRefusal(stored: error)) }
        return .outcomes(try Self.decodeOutcomes(outcomes.bytes))
    }

    /// One LISTEN connection per process, open before the first submission is queued.
    func startListening() async {
        let ready = AsyncStream<Void>.makeStream()
        let started = board.listenOnce { [client, board, logger] in
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: AnswerBoard.channel) { notifications in
                            ready.continuation.finish()
                            for try await notification in notifications {
                                board.deliver(AnswerBoard.parse(notification.payload))
                            }
                        }
                    }
                } catch {
                    logger.debug("listener: \(error)")
                }
                ready.continuation.finish()
                // Reconnect after a pause; waiters meanwhile rely on their timeouts.
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        if started { for await _ in ready.stream {} }
    }

    enum Round: Equatable { case busy, idle, sequenced(Int) }

    /// One sequencer round for `log`: `.busy` when another session holds the log's head.
    @discardableResult
    package func sequenceRound(log: Log) async throws -> Bool { try await sequence(log: log) != .busy }

    /// Takes the log's head lock (or reports `.busy`), plans the queued submissions — the
    /// inbox's, then this process's own — with the domain's `AppendPlanner` and writes the plan,
    /// the inbox's answers and their notification in one transaction; the answers are handed to
    /// this process's waiters once it committed. Found busy, this process's own submissions go
    /// to the inbox for the lock holder.
    func sequence(log: Log) async throws -> Round {
        let local = board.takeLocal(of: log.id, limit: Self.batchLimit)
        do {
            let (round, answers, edge) = try await client.withTransaction(logger: logger) { connection in
                try await sequence(log: log, local: local, connection: connection)
            }
            if round == .busy { try await enqueue(local, log: log) }
            if let edge { frontiers.withLock { $0[log.id] = edge } }
            if !answers.isEmpty { board.deliver(answers) }
            return round
        } catch {
            // Not acknowledged: rolled back, or a commit whose outcome is unknown (then a retry
            // is a repeat, which the domain's rules answer as a duplicate).
            board.deliver(local.map { ($0.key, .failed("the sequencer's round failed: \(error)")) })
            throw error
        }
    }

    /// The round's transaction: `.busy` without touching anything when another session holds
    /// the head; else the answers of the inbox tickets and the local keys, and the log's new
    /// right edge for the next round.
    func sequence(log: Log, local: [AnswerBoard.Local], connection: PostgresConnection)
        async throws -> (Round, [(Int64, AnswerBoard.Answer)], RightEdge?) {
        // With the head, the newest calendar's version (`engine(of:calendarVersion:)`).
        let heads = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT size, hash, recorded_ms, (\(Self.newestCalendarSQL)) FROM heads WHERE log_id = \(log.id) FOR UPDATE SKIP LOCKED
            """), logger: logger).collect()
        guard let head = heads.first else { return (.busy, [], nil) }
        let (size, hash, recordedMs, calendarVersion) = try head.decode((Int64, ByteBuffer, Int64, String?).self)
        // A statement of its own, after the lock: its snapshot sees the previous
        // sequencer's commit (its inbox deletions), so no ticket is sequenced twice.
        let queued = try await connection.query(
            "SELECT ticket, events, credential, expected_last_seq FROM inbox WHERE log_id = \(log.id) ORDER BY ticket LIMIT \(Self.batchLimit)",
            logger: logger).collect()
        guard !queued.isEmpty || !local.isEmpty else { return (.idle, [], nil) }
        var tickets: [Int64] = []
        var submissions: [Result<[Event], InputError>] = []
        var credentials: [String?] = []
        var versions: [Int64?] = []
        for row in queued {
            let (ticket, payload, credential, expected) = try row.decode((Int64, ByteBuffer, String?, Int64?).self)
            tickets.append(ticket)
            submissions.append(Self.decodeSubmission(payload.bytes))
            credentials.append(credential)
            versions.append(expected)
        }
        let inboxCount = tickets.count
        for submission in local {
            tickets.append(submission.key)
            submissions.append(.success(submission.events))
            credentials.append(submission.credential)
            versions.append(submission.expectedLastSeq)
        }
        let events = submissions.flatMap { (try? $0.get()) ?? [] }
        let start = ChainHead(size: size, hash: hash.bytes, recordedMilliseconds: recordedMs)
        let engine = try await engine(of: log, calendarVersion: calendarVersion, connection)
        let knowledge = try await loadKnowledge(connection, log: log, events: events, start: start, engine: engine)
        // The planner keeps recorded_at from going back before the head's, whatever the clock says.
        var planner = try AppendPlanner(knowledge: knowledge, now: clock(), salt: saltSource)
        var answers: [Answered] = []
        // Each entry's last seq as the round has left it so far (If-Match counts the
        // submissions sequenced before it in the same round, as SQLite's group commit does).
        var lastSeqs: [EntryKey: Int64] = [:]
        var attribution: [(seq: Int64, credential: String)] = []
        for index in tickets.indices {
            let planned = submissions[index].mapError(SubmissionRefusal.input).flatMap { events -> Result<[Outcome], SubmissionRefusal> in
                if let expected = versions[index], let moved = Self.movedOn(events, expected: expected, lastSeqs: lastSeqs, knowledge: knowledge) {
                    return .failure(moved)
                }
                return Self.plan(events, with: &planner).mapError(SubmissionRefusal.input)
            }
            switch planned {
            case .success(let outcomes):
                for (event, outcome) in zip((try? submissions[index].get()) ?? [], outcomes) {
                    guard case .appended(let seq) = outcome else { continue }
                    if let entry = event.entry { lastSeqs[EntryKey(entry)] = seq }
                    if let credential = credentials[index] { attribution.append((seq, credential)) }
                }
                answers.append(Answered(ticket: tickets[index], outcomes: outcomes, refusal: nil))
            case .failure(let refusal):
                answers.append(Answered(ticket: tickets[index], outcomes: [], refusal: refusal))
            }
        }
        let plan = try planner.finish()
        // Only the inbox's tickets are stored and announced: the local ones wait in this process.
        let edge = try await write(plan, start: knowledge.start.size, tileEdges: knowledge.tileEdges, answers: Array(answers.prefix(inboxCount)),
                                   attribution: attribution, log: log, connection: connection)
        return (.sequenced(tickets.count), answers.map { answer in
            (answer.ticket, answer.refusal.map(AnswerBoard.Answer.refused) ?? .outcomes(answer.outcomes))
        }, edge)
    }

    /// One ticket's answer as the sequencer wrote it.
    struct Answered {
        var ticket: Int64
        var outcomes: [Outcome]
        var refusal: SubmissionRefusal?
    }

    /// If-Match: the first entry (in sorted order, as the SQLite store checks) that `events`
    /// name whose last seq — stored, or as this round's earlier submissions left it — is not
    /// `expected` (0: the entry must not exist yet).
    static func movedOn(_ events: [Event], expected: Int64, lastSeqs: [EntryKey: Int64], knowledge: BatchKnowledge) -> SubmissionRefusal? {
        for entry in Set(events.compactMap(\.entry)).sorted() {
            let key = EntryKey(entry)
            let lastSeq = lastSeqs[key] ?? knowledge.states[key]?.lastSeq ?? 0
            if lastSeq != expected { return .movedOn(entry: entry, expected: expected, lastSeq: lastSeq) }
        }
        return nil
    }

    /// Plans one submission, all or nothing: its outcomes, or the refusal of its first bad
    /// event, in which case the planner is left as it was before the submission.
    static func plan(_ events: [Event], with planner: inout AppendPlanner<BatchKnowledge>) -> Result<[Outcome], InputError> {
        let before = planner
        var outcomes: [Outcome] = []
        for (index, event) in events.enumerated() {
            do {
                if case .personalDataErased = event.body {
                    throw InputError(field: "type", "personal_data_erased is recorded by `listledger erase`, which deletes the values in the same transaction")
                }
                outcomes.append(Outcome(try planner.add(event)))
            } catch let error as InputError {
                planner = before
                return .failure(error.at(line: index + 1))
            } catch {
                // Not a refusal of the input (the knowledge failed): void this submission too,
                // said plainly, rather than sequence it on a guess.
                planner = before
                return .failure(InputError("the sequencer could not plan this submission: \(error)").at(line: index + 1))
            }
        }
        return .success(outcomes)
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
