import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO
import Synchronization

/// The partial right-edge tile of each tile level at one head: what the next round needs of the
/// tree, kept by the process whose round wrote them.
struct RightEdge: Sendable {
    let size: Int64
    let hash: [UInt8]
    let edges: [[UInt8]]
}

/// The sequencer's reads before planning and its writes after: bulk statements (`= ANY`,
/// `unnest`), a handful per batch whatever its size.
extension PostgresLedger {
    static let eventColumns = "e.seq, e.canonical, e.prev_hash, e.hash, p.data"
    static let eventJoin = "events e LEFT JOIN personal_data p ON p.log_id = e.log_id AND p.seq = e.seq"

    /// `tileEdges`: the right edge at `start` when the caller wrote it in this transaction
    /// (a streamed append's previous chunk), instead of the cached or stored one.
    func loadKnowledge(_ connection: PostgresConnection, log: Log, events: [Event], start: ChainHead,
                       engine: ObligationEngine, tileEdges known: [[UInt8]]? = nil) async throws -> BatchKnowledge {
        var knowledge = BatchKnowledge(start: start, engine: engine)
        try await loadStatesAndRepeats(connection, log: log, events: events, into: &knowledge)
        let ids = Self.distinct(events.compactMap(\.id))
        if !ids.isEmpty {
            for recorded in try await readEvents(connection, log: log, where: "e.id = ANY($2)", ids) {
                if let id = recorded.event.id { knowledge.byID[IDKey(id)] = recorded }
            }
        }
        var complaintIDs: [String] = []
        var obligations: [String] = []
        var historyEntries: [String] = []
        for event in events {
            switch event.body {
            case .complaintReceived(let id, _), .complaintResolved(let id, _, _): complaintIDs.append(id)
            case .breachFlagged(let obligation):
                obligations.append(obligation)
                if let entry = event.entry { historyEntries.append(entry) }
            case .recordAnnulled:
                if let entry = event.entry { historyEntries.append(entry) }
            default: break
            }
        }
        if !complaintIDs.isEmpty {
            let rows = try await connection.query("""
                SELECT complaint, entry, received_seq, resolved_seq FROM complaints
                WHERE log_id = \(log.id) AND complaint = ANY(\(Self.distinct(complaintIDs)))
                """, logger: logger)
            for try await (id, entry, received, resolved) in rows.decode((String, String?, Int64, Int64?).self) {
                knowledge.complaints[IDKey(id)] = ComplaintRecord(complaint: id, entry: entry, receivedSeq: received, resolvedSeq: resolved)
            }
        }
        if !obligations.isEmpty {
            let rows = try await connection.query(
                "SELECT obligation, flagged_seq FROM flags WHERE log_id = \(log.id) AND obligation = ANY(\(Self.distinct(obligations)))", logger: logger)
            for try await (obligation, seq) in rows.decode((String, Int64).self) { knowledge.flagged[IDKey(obligation)] = seq }
        }
        if !historyEntries.isEmpty {
            let distinct = Self.distinct(historyEntries)
            for entry in distinct { knowledge.histories[EntryKey(entry)] = [] }
            for recorded in try await readEvents(connection, log: log, where: "e.entry = ANY($2) ORDER BY e.seq", distinct) {
                if let entry = recorded.event.entry { knowledge.histories[EntryKey(entry)]?.append(recorded) }
            }
        }
        if let known {
            knowledge.tileEdges = known
        } else if let cached = frontiers.withLock({ $0[log.id] }), cached.size == start.size, cached.hash == start.hash {
            // This process's last round left the head where it is: its tile edges are the stored
            // ones (the tree is append-only, and only a round under the head lock extends it).
            knowledge.tileEdges = cached.edges
        } else {
            knowledge.tileEdges = try await storedTileEdges(of: log, size: start.size, connection: connection)
        }
        return knowledge
    }

    /// The entry states the batch's events name and the stored events without `id` that one of
    /// them could repeat (SPEC §3), in ONE statement (one round trip per batch for what nearly
    /// every batch needs). An entry state's row has seq 0 (stored seqs start at 1).
    func loadStatesAndRepeats(_ connection: PostgresConnection, log: Log, events: [Event], into knowledge: inout BatchKnowledge) async throws {
        // Distinct by bytes: a `Set<String>` would fold "é" and "e\u{301}" into one and load one row.
        let entries = Self.distinct(events.compactMap(\.entry))
        let anonymous = events.filter { $0.id == nil }
        guard !entries.isEmpty || !anonymous.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(entries)
        binds.append(anonymous.map { $0.entry ?? "" })
        binds.append(anonymous.map(\.type.rawValue))
        binds.append(anonymous.map(\.at.epochMilliseconds))
        // The repeats in two halves so that the one with an entry walks the (log_id, entry, type, at_ms)
        // index once per key: a LATERAL subquery kept from being flattened (OFFSET 0). As a plain
        // join, a log that grew since PostgreSQL last analysed it (statistics of a few hundred
        // rows) was planned as a nested loop over every event × every key: 1.1–1.9 s per
        // 1,000-event batch at 20,000 events, the import falling to 1,000 events/s.
        let sql = """
            WITH k(entry, type, at_ms) AS (SELECT DISTINCT * FROM unnest($3::text[], $4::text[], $5::int8[]))
            SELECT 0::int8, s.state, NULL::bytea, NULL::bytea, NULL::bytea, s.entry FROM entry_states s
            WHERE s.log_id = $1 AND s.entry = ANY($2::text[])
            UNION ALL
            SELECT \(Self.eventColumns), NULL::text FROM k
            CROSS JOIN LATERAL (SELECT * FROM events e0 WHERE e0.log_id = $1 AND e0.entry = k.entry AND e0.type = k.type
                                AND e0.at_ms = k.at_ms AND e0.id IS NULL OFFSET 0) e
            LEFT JOIN personal_data p ON p.log_id = e.log_id AND p.seq = e.seq
            UNION ALL
            SELECT \(Self.eventColumns), NULL::text FROM \(Self.eventJoin)
            JOIN k ON k.entry = '' AND e.type = k.type AND e.at_ms = k.at_ms
            WHERE e.log_id = $1 AND e.id IS NULL AND e.entry IS NULL
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await (seq, bytes, prevHash, hash, data, entry) in rows.decode((Int64, ByteBuffer, ByteBuffer?, ByteBuffer?, ByteBuffer?, String?).self) {
            if seq == 0, let entry {
                guard let decoded = EntryState(storage: bytes.bytes) else {
                    throw PostgresLedgerError.integrity("the projection of entry \"\(entry)\" in \(log.title) is unreadable")
                }
                knowledge.states[EntryKey(entry)] = decoded
                continue
            }
            guard let prevHash, let hash else { throw PostgresLedgerError.integrity("seq \(seq): a stored event without its hashes") }
            let recorded = try Self.recorded((seq, bytes, prevHash, hash, data))
            let key = BatchKnowledge.ContentKey(entry: recorded.event.entry.map { IDKey($0) }, type: recorded.event.type.rawValue,
                                                at: recorded.event.at.epochMilliseconds)
            knowledge.byContentKey[key, default: []].append(recorded)
        }
    }

    /// `values` without repeats, compared by bytes (`IDKey`), in first-seen order.
    static func distinct(_ values: [String]) -> [String] {
        var seen: Set<IDKey> = []
        return values.filter { seen.insert(IDKey($0)).inserted }
    }

    func readEvents(_ connection: PostgresConnection, log: Log, where condition: String, _ values: [String]) async throws -> [RecordedEvent] {
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(values)
        return try await readEvents(connection, PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE e.log_id = $1 AND \(condition)", binds: binds))
    }

    func readEvents(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer?).self) {
            events.append(try Self.recorded(row))
        }
        return events
    }

    static func recorded(_ row: (Int64, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer?)) throws -> RecordedEvent {
        var secrets: [String: PersonalSecret] = [:]
        if let data = row.4 {
            guard let stored = PersonalData.secrets(fromStorage: data.bytes) else {
                throw PostgresLedgerError.integrity("the personal data of seq \(row.0) is unreadable")
            }
            secrets = stored
        }
        do {
            return try RecordedEvent(canonical: row.1.bytes, prevHash: row.2.bytes, hash: row.3.bytes, secrets: secrets)
        } catch {
            throw PostgresLedgerError.integrity("seq \(row.0): \(error)")
        }
    }

    /// Carries out `plan` and records `answers` in the sequencer's transaction, in the order
    /// `AppendPlan` documents (events, personal values and tree, entry states, complaints,
    /// flags cleared then set, head), then who recorded each event (`event_credentials`), the
    /// answers, the inbox rows taken and the notification — as ONE statement of data-modifying CTEs: one round trip per batch
    /// instead of one per table. Obligations are not stored on PostgreSQL (derived on read),
    /// so the plan's `obligationEntries` and `histories` are not needed here.
    /// Returns the log's right edge after the plan, for the next round of this process.
    func write(_ plan: AppendPlan, start: Int64, tileEdges: [[UInt8]], answers: [Answered], attribution: [(seq: Int64, credential: String)],
               log: Log, connection: PostgresConnection) async throws -> RightEdge {
        if !plan.flagsCleared.isEmpty {
            // Before the rest (a statement's CTEs do not see each other's rows): rare.
            try await connection.query("DELETE FROM flags WHERE log_id = \(log.id) AND obligation = ANY(\(plan.flagsCleared))", logger: logger)
        }
        let recorded = plan.events.map(\.recorded)
        let personal = recorded.filter { !$0.secrets.isEmpty }
        // The tiles after this round's leaves: the ones they completed are stored first (their
        // own statement, so that the edge trigger sees them), the edges in the main statement.
        var tiles: TileBuilder
        do {
            tiles = try TileBuilder(size: start, edges: tileEdges)
        } catch {
            throw PostgresLedgerError.integrity("the stored Merkle tiles of \(log.title) stop short of its \(start) events; run `listledger verify`")
        }
        var full: [(level: Int, index: Int64, hashes: [UInt8])] = []
        for planned in plan.events {
            tiles.append(leafHash: planned.leafHash) { full.append(($0, $1, $2)) }
        }
        let edgeLevels = tiles.edges.indices.filter { !tiles.edges[$0].isEmpty }
        try await writeFullTiles(full, emptyLevels: tiles.edges.indices.filter { tiles.edges[$0].isEmpty }, log: log, connection: connection)
        var binds = PostgresBindings()
        binds.append(log.id)                                                        // $1
        binds.append(recorded.map(\.seq))                                           // $2
        binds.append(recorded.map { $0.event.id ?? "" })
        binds.append(recorded.map { $0.event.entry ?? "" })
        binds.append(recorded.map(\.event.type.rawValue))
        binds.append(recorded.map(\.event.at.epochMilliseconds))
        binds.append(recorded.map(\.recordedAt.epochMilliseconds))
        binds.append(recorded.map { ByteBuffer(bytes: $0.canonical) })
        binds.append(recorded.map { ByteBuffer(bytes: $0.prevHash) })
        binds.append(recorded.map { ByteBuffer(bytes: $0.hash) })                   // $10
        binds.append(personal.map(\.seq))                                           // $11
        binds.append(personal.map { ByteBuffer(bytes: PersonalData.storageText($0.secrets)) })
        binds.append(edgeLevels.map(Int32.init))                                    // $13
        binds.append(edgeLevels.map { ByteBuffer(bytes: tiles.edges[$0]) })
        binds.append(plan.entryStates.map(\.entry))                                 // $15
        binds.append(plan.entryStates.map { ByteBuffer(bytes: $0.storageJSON) })
        // The planner lists every complaint it read, changed or not: the upsert rewrites the same values.
        binds.append(plan.complaints.map(\.complaint))                              // $17
        binds.append(plan.complaints.map { $0.entry ?? "" })
        binds.append(plan.complaints.map(\.receivedSeq))
        binds.append(plan.complaints.map { $0.resolvedSeq ?? 0 })                   // $20 (seqs start at 1)
        binds.append(plan.flagsSet.map(\.obligation))                               // $21
        binds.append(plan.flagsSet.map(\.seq))
        binds.append(plan.head.size)                                                // $23
        binds.append(ByteBuffer(bytes: plan.head.hash))
        binds.append(plan.head.recordedMilliseconds)
        binds.append(answers.map(\.ticket))                                         // $26
        binds.append(answers.map { ByteBuffer(bytes: Self.encodeOutcomes($0.outcomes)) })
        binds.append(answers.map { $0.refusal?.stored ?? "" })
        binds.append(AnswerBoard.payloads(answers.map { ($0.ticket, Self.encodeOutcomes($0.outcomes), $0.refusal != nil) }))  // $29
        binds.append(attribution.map(\.seq))                                       // $30
        binds.append(attribution.map(\.credential))
        binds.append(edgeLevels.map { plan.head.size >> (Merkle.tileHeight * $0 + Merkle.tileHeight) })  // $32: each edge's tile index
        try await connection.query(PostgresQuery(unsafeSQL: """
            WITH ev AS (
              INSERT INTO events(log_id, seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash)
              SELECT $1, s, NULLIF(i, ''), NULLIF(n, ''), t, a, r, c, p, h
              FROM unnest($2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[], $8::bytea[], $9::bytea[], $10::bytea[])
                AS u(s, i, n, t, a, r, c, p, h)
            ), pd AS (
              INSERT INTO personal_data(log_id, seq, data) SELECT $1, s, d FROM unnest($11::int8[], $12::bytea[]) AS u(s, d)
            ), te AS (
              INSERT INTO tile_edges(log_id, level, idx, hashes) SELECT $1, l, i, h FROM unnest($13::int4[], $32::int8[], $14::bytea[]) AS u(l, i, h)
              ON CONFLICT (log_id, level) DO UPDATE SET idx = excluded.idx, hashes = excluded.hashes
            ), st AS (
              INSERT INTO entry_states(log_id, entry, state) SELECT $1, e, s FROM unnest($15::text[], $16::bytea[]) AS u(e, s)
              ON CONFLICT (log_id, entry) DO UPDATE SET state = excluded.state
            ), co AS (
              INSERT INTO complaints(log_id, complaint, entry, received_seq, resolved_seq)
              SELECT $1, c, NULLIF(e, ''), r, NULLIF(s, 0) FROM unnest($17::text[], $18::text[], $19::int8[], $20::int8[]) AS u(c, e, r, s)
              ON CONFLICT (log_id, complaint) DO UPDATE SET resolved_seq = excluded.resolved_seq
            ), fs AS (
              INSERT INTO flags(log_id, obligation, flagged_seq) SELECT $1, o, s FROM unnest($21::text[], $22::int8[]) AS u(o, s)
            ), hd AS (
              UPDATE heads SET size = $23, hash = $24, recorded_ms = $25 WHERE log_id = $1
            ), rs AS (
              INSERT INTO results(ticket, log_id, outcomes, error)
              SELECT t, $1, o, NULLIF(e, '') FROM unnest($26::int8[], $27::bytea[], $28::text[]) AS u(t, o, e)
            ), ib AS (
              DELETE FROM inbox WHERE ticket = ANY($26::int8[])
            ), ec AS (
              INSERT INTO event_credentials(log_id, seq, credential) SELECT $1, s, c FROM unnest($30::int8[], $31::text[]) AS u(s, c)
            ), old AS (
              -- Answers are read within moments; one kept for ten minutes serves a slow submitter.
              DELETE FROM results WHERE log_id = $1 AND answered_at < now() - interval '10 minutes'
            )
            SELECT pg_notify('\(AnswerBoard.channel)', p) FROM unnest($29::text[]) AS n(p)
            """, binds: binds), logger: logger).collect()
        return RightEdge(size: plan.head.size, hash: plan.head.hash, edges: tiles.edges)
    }
}
