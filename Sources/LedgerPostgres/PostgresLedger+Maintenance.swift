package import LedgerDomain
import NIOCore
import PostgresNIO
import Synchronization

/// What the command line's `record`, `erase` and `rebuild` need of PostgreSQL beyond the
/// sequencer: which log an event goes to, the erasure of an entry's personal values (SPEC §7),
/// and the projections derived again from the log. Erase and rebuild hold the log's head row
/// FOR UPDATE for their whole transaction, as a sequencer round does, so no round runs beside
/// them (other processes' submissions wait in the inbox and are sequenced after).
extension PostgresLedger {
    /// The log `event` goes to (SPEC §8: the log of its entry's court): the only log; else the
    /// log already holding its entry; else, for an entry's first event, the log of the court it
    /// names.
    package func log(for event: Event) async throws -> Log {
        let all = try await logs()
        if all.count == 1 { return all[0] }
        if let entry = event.entry {
            let rows = try await client.query(
                "SELECT log_id FROM events WHERE entry = \(entry) ORDER BY log_id LIMIT 1", logger: logger).collect()
            if let id = try rows.first?.decode(Int32.self), let log = all.first(where: { $0.id == id }) { return log }
        }
        let named: String? = switch event.body {
        case .riskNoticeIssued(let court, _, _), .inclusionDecided(let court, _, _, _, _, _): court
        default: nil
        }
        if let named, let log = all.first(where: { $0.court == named }) { return log }
        throw PostgresLedgerError.noLog(all.isEmpty
            ? "\(url) holds no log yet: `listledger init --court court:CODE --db \(url)` adds one"
            : "no log of \(url) holds entry \"\(event.entry ?? "")\"\(named.map { " and none is the log of \($0)" } ?? ""); it holds the logs of \(all.map(\.court).joined(separator: ", "))")
    }

    /// `client.withTransaction`, throwing a refusal or an engine error the body threw as
    /// itself rather than wrapped in `PostgresTransactionError` (the caller reports it).
    func transaction<T>(_ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let own = error.closureError, own is SubmissionRefusal || own is PostgresLedgerError { throw own }
            throw error
        }
    }

    /// Locks `log`'s head row (waiting for a running round to commit) and returns the head.
    func lockHead(of log: Log, _ connection: PostgresConnection) async throws -> ChainHead {
        let rows = try await connection.query(
            "SELECT size, hash, recorded_ms FROM heads WHERE log_id = \(log.id) FOR UPDATE", logger: logger).collect()
        guard let row = rows.first else { throw PostgresLedgerError.integrity("\(log.title) has no head row") }
        let (size, hash, recorded) = try row.decode((Int64, ByteBuffer, Int64).self)
        return ChainHead(size: size, hash: hash.bytes, recordedMilliseconds: recorded)
    }

    /// What `erase` did: the seq of `personal_data_erased` and how many events' values went.
    package struct Erasure: Sendable, Equatable {
        package let seq: Int64
        package let events: Int64
    }

    /// `erase --entry E --reason …` on PostgreSQL (SPEC §7), as the SQLite store's `erase`: in
    /// one transaction records `personal_data_erased` (actor: the entry's court), deletes the
    /// values and salts of every event of the entry and writes its projection again from the
    /// log without them. Refused (`SubmissionRefusal.input`, nothing written) when the rules
    /// refuse the erasure, the entry does not exist, or it holds encoding v1 values.
    ///
    /// Then `VACUUM FULL` rewrites the tables that held the values (the values, the projection,
    /// the inbox that carried the submissions) into new files, so that the deleted row
    /// versions are not left in the tables' pages. It needs the tables' owner (the role that
    /// ran `pg setup`); `vacuumed` says whether it ran. The WAL and a standby's copy keep the
    /// old row versions until they are recycled (docs/postgresql.md, "Erasure").
    package func erase(entry: String, reason: String, in log: Log) async throws -> (erasure: Erasure, vacuumed: Bool) {
        let engine = try await engine(of: log)
        let (erasure, edge) = try await transaction { connection -> (Erasure, RightEdge) in
            let start = try await lockHead(of: log, connection)
            let states = try await connection.query(
                "SELECT state FROM entry_states WHERE log_id = \(log.id) AND entry = \(entry)", logger: logger).collect()
            guard let row = states.first, let state = EntryState(storage: try row.decode(ByteBuffer.self).bytes) else {
                throw SubmissionRefusal.input(InputError(field: "entry", "entry \"\(entry)\" does not exist"))
            }
            let history = try await readEvents(connection, log: log, where: "e.entry = ANY($2) ORDER BY e.seq", [entry])
            // v1 events hold the values inside the hashed bytes: deleting them would break the
            // chain and every proof, so erase refuses rather than claim an erasure it cannot do.
            if let v1 = history.first(where: { $0.version == Event.encodingVersion && !PersonalData.values(of: $0.event).isEmpty }) {
                throw SubmissionRefusal.input(InputError(field: "entry", "entry \"\(entry)\" has personal data in encoding v1 (seq \(v1.seq), recorded before SPEC §7): those values are part of the hashed log and cannot be erased without breaking the chain; nothing was erased (docs/auditing.md \"Erasure\")"))
            }
            let now = clock()
            let event = Event(entry: entry, at: now, actor: state.court, body: .personalDataErased(reason: reason))
            let knowledge = try await loadKnowledge(connection, log: log, events: [event], start: start, engine: engine)
            var planner = try AppendPlanner(knowledge: knowledge, now: now, allowsErasure: true, salt: saltSource)
            let outcome: AppendOutcome
            do { outcome = try planner.add(event) } catch let error as InputError {
                throw SubmissionRefusal.input(error)  // one event the command made, not an input line
            }
            guard case .appended(let seq) = outcome else {
                throw SubmissionRefusal.input(InputError(field: "entry", "entry \"\(entry)\" already had its personal data erased"))
            }
            let edge = try await write(try planner.finish(), start: start.size, tileEdges: knowledge.tileEdges, answers: [], attribution: [],
                                       log: log, connection: connection)
            let deleted = try await connection.query("""
                DELETE FROM personal_data WHERE log_id = \(log.id) AND seq IN (SELECT seq FROM events WHERE log_id = \(log.id) AND entry = \(entry))
                RETURNING seq
                """, logger: logger).collect()
            // The projection named the debtor; derive it again from the log, which now reads
            // each value as its commitment.
            let stripped = try await readEvents(connection, log: log, where: "e.entry = ANY($2) ORDER BY e.seq", [entry])
            if let folded = Annulment.fold(stripped) {
                try await connection.query("""
                    UPDATE entry_states SET state = \(ByteBuffer(bytes: folded.storageJSON)) WHERE log_id = \(log.id) AND entry = \(entry)
                    """, logger: logger)
            }
            return (Erasure(seq: seq, events: Int64(deleted.count)), edge)
        }
        frontiers.withLock { $0[log.id] = edge }
        return (erasure, try await vacuumErasedTables())
    }

    /// Rewrites the tables that held erased values; false when this role does not own them
    /// (PostgreSQL then skips each table with a warning instead of failing).
    package func vacuumErasedTables() async throws -> Bool {
        let owns = try await client.query("""
            SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE')) FROM pg_class c
            WHERE c.oid IN ('personal_data'::regclass, 'entry_states'::regclass, 'inbox'::regclass)
            """, logger: logger).collect().first?.decode(Bool?.self) ?? false
        guard owns == true else { return false }
        try await client.query("VACUUM FULL personal_data, entry_states, inbox", logger: logger)
        return true
    }

    /// `rebuild` on PostgreSQL: empties `log`'s projections (entry states, complaints, flags)
    /// and derives them again from the log, in one transaction, as the SQLite store's
    /// `rebuild` does; the result equals what the sequencer maintained (the tests compare the
    /// rows). Events are read entry by entry in pages (bytewise entry order, seq order within
    /// an entry), so memory holds one page and one entry's history at a time. Returns the
    /// number of events read. The obligations projection is emptied and its position set
    /// back to 0 in the same transaction, then derived again by the projector's own steps
    /// (as any lagging projection is: a kill meanwhile leaves a position it resumes from).
    package func rebuildProjections(of log: Log, pageSize: Int64 = 5_000, progress: (@Sendable (Int64) -> Void)? = nil) async throws -> Int64 {
        let events = try await transaction { connection in
            let head = try await lockHead(of: log, connection)
            for table in ["entry_states", "complaints", "flags", "obligations"] {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE log_id = \(log.id)"), logger: logger)
            }
            try await connection.query("UPDATE obligation_positions SET position = 0, latest_at_ms = NULL WHERE log_id = \(log.id)", logger: logger)
            var derived = ProjectionRebuild()
            var history: [RecordedEvent] = []
            var states: [EntryState] = []
            var done: Int64 = 0

            func flushStates(_ force: Bool) async throws {
                guard !states.isEmpty, force || states.count >= 1_000 else { return }
                try await connection.query("""
                    INSERT INTO entry_states(log_id, entry, state)
                    SELECT \(log.id), e, s FROM unnest(\(states.map(\.entry))::text[], \(states.map { ByteBuffer(bytes: $0.storageJSON) })::bytea[]) AS u(e, s)
                    """, logger: logger)
                states.removeAll(keepingCapacity: true)
            }
            func finishEntry() async throws {
                guard !history.isEmpty else { return }
                if let state = derived.finish(entry: history) { states.append(state) }
                history.removeAll(keepingCapacity: true)
                try await flushStates(false)
            }
            func take(_ recorded: RecordedEvent) {
                derived.take(recorded)
                done += 1
                if let progress, done % 100_000 == 0 { progress(done) }
            }

            // The events naming an entry, by (entry bytes, seq): keyset pages.
            var after: (entry: String, seq: Int64)? = nil
            while true {
                var binds = PostgresBindings()
                binds.append(log.id)
                binds.append(pageSize)
                var condition = "e.log_id = $1 AND e.entry IS NOT NULL"
                if let after {
                    binds.append(after.entry)
                    binds.append(after.seq)
                    condition += " AND (e.entry COLLATE \"C\", e.seq) > ($3 COLLATE \"C\", $4)"
                }
                let page = try await readEvents(connection, PostgresQuery(unsafeSQL: """
                    SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE \(condition) ORDER BY e.entry COLLATE "C", e.seq LIMIT $2
                    """, binds: binds))
                for recorded in page {
                    let entry = recorded.event.entry!
                    if let current = history.first?.event.entry, !current.sameBytes(entry) { try await finishEntry() }
                    take(recorded)
                    history.append(recorded)
                }
                guard let last = page.last, page.count == Int(pageSize) else { break }
                after = (last.event.entry!, last.seq)
            }
            try await finishEntry()
            try await flushStates(true)
            // Complaints that name no entry.
            for recorded in try await readEvents(connection, log: log, where: "e.entry IS NULL AND e.type = ANY($2) ORDER BY e.seq",
                                                 [EventType.complaintReceived.rawValue, EventType.complaintResolved.rawValue]) {
                take(recorded)
            }
            let complaints = derived.complaintRecords
            if !complaints.isEmpty {
                try await connection.query("""
                    INSERT INTO complaints(log_id, complaint, entry, received_seq, resolved_seq)
                    SELECT \(log.id), c, NULLIF(e, ''), r, NULLIF(s, 0)
                    FROM unnest(\(complaints.map(\.complaint))::text[], \(complaints.map { $0.entry ?? "" })::text[],
                                \(complaints.map(\.receivedSeq))::int8[], \(complaints.map { $0.resolvedSeq ?? 0 })::int8[]) AS u(c, e, r, s)
                    """, logger: logger)
            }
            let flags = derived.flags
            if !flags.isEmpty {
                try await connection.query("""
                    INSERT INTO flags(log_id, obligation, flagged_seq)
                    SELECT \(log.id), o, s FROM unnest(\(flags.map(\.obligation))::text[], \(flags.map(\.seq))::int8[]) AS u(o, s)
                    """, logger: logger)
            }
            guard done == head.size else {
                throw PostgresLedgerError.integrity("\(log.title) holds \(done) events but its head says \(head.size); run `listledger verify`")
            }
            return done
        }
        try await catchUpObligations(of: log)
        return events
    }
}
