import LedgerCalendar
package import LedgerDomain
import NIOCore
import PostgresNIO

/// The obligations projection on PostgreSQL (issue 8's "obligation scan of 1 M open entries
/// < 1 s", issue 13), the SQLite store's projector (`ObligationsProjector.swift`) on a server:
///
/// - `obligations` holds each log's obligations as the pure `ObligationEngine` derives them from
///   the entries' whole histories; `obligation_positions` the seq up to which it is current.
///   Rows and position are written in ONE transaction, so a kill -9 at any point leaves a table
///   that is exactly the derivation of the log up to its position (crash-resume = rebuild).
/// - The projector catches up in its own transactions, never in the sequencer's: the sequencer
///   does not derive obligations at all (its round stays as short as before). A step locks the
///   log's position row (`FOR UPDATE`: projectors of several processes take turns, the
///   sequencer never waits for them), reads the events in (position, position + step], derives
///   the entries whose obligations they can change (`AppendPlanner.changesObligations`, the test
///   the SQLite projector uses), replaces their rows and moves the position. As on SQLite a
///   pass derives each entry once: a step's histories are read after a head ≥ the pass's end.
/// - A read (`obligations(of:…)`) never shows a state older than the appends acknowledged
///   before it: in one REPEATABLE READ snapshot it reads the position, the head, the rows, and
///   derives in memory the entries touched after the position (the tail). On a hot standby
///   (read-only) that is all it can do; on the primary the command line catches up first.
extension PostgresLedger {
    /// Events per projector transaction: what a kill -9 can cost, never a row.
    static let projectorStep: Int64 = 5_000

    /// Schema 3: the obligations projection. The probe (last) is its partial index.
    static let obligationStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS obligation_positions (
            log_id integer PRIMARY KEY REFERENCES logs,
            position bigint NOT NULL,
            latest_at_ms bigint
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS obligations (
            log_id integer NOT NULL REFERENCES logs,
            id text NOT NULL,
            entry text NOT NULL,
            rule text NOT NULL,
            obligor text NOT NULL,
            due text COLLATE "C",
            met_ms bigint,
            effective_ms bigint NOT NULL,
            stored text NOT NULL,
            PRIMARY KEY (log_id, id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS obligations_by_entry ON obligations(log_id, entry)",
        // Breaches and open duties are unmet rows: the scan of issue 8 reads only these.
        "CREATE INDEX IF NOT EXISTS obligations_unmet ON obligations(log_id, due) WHERE met_ms IS NULL",
    ]

    /// Where the projection of `log` stands: its position (0 before the first step) and the
    /// latest `at` of the events up to it; nil when the database has no projection tables (a
    /// standby of a primary not yet migrated to them).
    struct ProjectionPosition {
        var position: Int64
        var latestAt: Int64?
    }

    func projectionPosition(_ connection: PostgresConnection, of log: Log, lock: Bool = false) async throws -> ProjectionPosition? {
        if !lock {
            let present = try await connection.query("SELECT to_regclass('public.obligation_positions') IS NOT NULL", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            guard present else { return nil }
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT position, latest_at_ms FROM obligation_positions WHERE log_id = $1"
                                                                + (lock ? " FOR UPDATE" : ""), binds: Self.binds(log.id)), logger: logger).collect()
        guard let row = rows.first else { return ProjectionPosition(position: 0, latestAt: nil) }
        let (position, latest) = try row.decode((Int64, Int64?).self)
        return ProjectionPosition(position: position, latestAt: latest)
    }

    func headSize(_ connection: PostgresConnection, of log: Log) async throws -> Int64 {
        let rows = try await connection.query("SELECT size FROM heads WHERE log_id = \(log.id)", logger: logger).collect()
        guard let row = rows.first else { throw PostgresLedgerError.integrity("\(log.title) has no head row") }
        return try row.decode(Int64.self)
    }

    /// The entries whose obligations the events in (`after`, `through`] can change, and the
    /// latest `at` among those events.
    func entriesChangingObligations(_ connection: PostgresConnection, of log: Log, after: Int64, through: Int64) async throws -> (entries: Set<EntryKey>, latestAt: Int64?) {
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: "SELECT entry, type, at_ms FROM events WHERE log_id = $1 AND seq > $2 AND seq <= $3",
            binds: Self.binds(log.id, after, through)), logger: logger)
        var entries: Set<EntryKey> = []
        var latest: Int64?
        for try await (entry, type, at) in rows.decode((String?, String, Int64).self) {
            latest = max(latest ?? at, at)
            guard let entry else { continue }
            if let type = EventType(rawValue: type), !AppendPlanner<BatchKnowledge>.changesObligations(type) { continue }
            entries.insert(EntryKey(entry))
        }
        return (entries, latest)
    }

    /// The obligations of `entries` derived from their whole histories as this connection's
    /// snapshot holds them, in entry order.
    func derivedObligations(_ connection: PostgresConnection, of log: Log, entries: Set<EntryKey>, engine: ObligationEngine) async throws -> [(EntryKey, [Obligation])] {
        guard !entries.isEmpty else { return [] }
        var histories: [EntryKey: [RecordedEvent]] = [:]
        for recorded in try await readEvents(connection, log: log, where: "e.entry = ANY($2) ORDER BY e.seq", entries.map(\.id)) {
            if let entry = recorded.event.entry { histories[EntryKey(entry), default: []].append(recorded) }
        }
        return entries.sorted().map { ($0, engine.obligations(of: histories[$0] ?? [])) }
    }

    /// How far the projection of `log` lags its head: nil when current (or not there).
    package func obligationsLag(of log: Log) async throws -> (position: Int64, head: Int64)? {
        try await client.withConnection { connection in
            guard let position = try await self.projectionPosition(connection, of: log) else { return nil }
            let size = try await self.headSize(connection, of: log)
            return position.position < size ? (position.position, size) : nil
        }
    }

    /// Catches the projection of `log` up with its head, one step per transaction (see the
    /// type's notes). Returns the number of events projected. Run on the primary only.
    @discardableResult
    package func catchUpObligations(of log: Log) async throws -> Int64 {
        var projected: Int64 = 0
        // The current pass: the head it runs to, the position its last step wrote, the
        // entries it has derived and the engine it derives with. nil: start a new pass at the
        // next step.
        var pass: (through: Int64, position: Int64, derived: Set<EntryKey>, engine: ObligationEngine)?
        while true {
            let step: (from: Int64, to: Int64, through: Int64, entries: Set<EntryKey>, engine: ObligationEngine)? = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("INSERT INTO obligation_positions(log_id, position) VALUES (\(log.id), 0) ON CONFLICT (log_id) DO NOTHING", logger: self.logger)
                // The lock serializes projectors (never the sequencer, which does not touch it).
                guard let stored = try await self.projectionPosition(connection, of: log, lock: true) else { return nil }
                let size = try await self.headSize(connection, of: log)
                guard stored.position < size else { return nil }
                // Someone else moved the position since this pass's last step: begin again.
                var current = pass
                if let known = current, known.position != stored.position || stored.position >= known.through { current = nil }
                let through = current?.through ?? size
                let end = min(through, stored.position + Self.projectorStep)
                var (entries, latest) = try await self.entriesChangingObligations(connection, of: log, after: stored.position, through: end)
                if let derived = current?.derived { entries.subtract(derived) }
                // A new pass reads the calendar under the position's lock: a `calendar load`
                // that reset the position committed before, so its calendar is the one read.
                let engine: ObligationEngine
                if let current { engine = current.engine } else { engine = try await self.engine(of: log, connection) }
                try await self.store(connection, of: log, try await self.derivedObligations(connection, of: log, entries: entries, engine: engine))
                let newest = [stored.latestAt, latest].compactMap { $0 }.max()
                var binds = Self.binds(log.id, end)
                if let newest { binds.append(newest) } else { binds.appendNull() }
                try await connection.query(PostgresQuery(unsafeSQL: "UPDATE obligation_positions SET position = $2, latest_at_ms = $3 WHERE log_id = $1", binds: binds), logger: self.logger)
                return (stored.position, end, through, current?.derived.union(entries) ?? entries, engine)
            }
            guard let step else { return projected }
            projected += step.to - step.from
            pass = (step.through, step.to, step.entries, step.engine)
        }
    }

    /// Catches up unless this role or server may not write the projection (the reader role, a
    /// standby named as --db): then the read derives the tail, as a read-only SQLite file's does.
    func catchUpIfAllowed(_ log: Log) async throws {
        do { try await catchUpObligations(of: log) } catch {
            let server = (error as? PSQLError) ?? ((error as? PostgresTransactionError)?.closureError as? PSQLError)
            guard let state = server?.serverInfo?[.sqlState], state == "42501" || state == "25006" else { throw error }
        }
    }

    /// The server's projector: catches `log` up whenever it lags, looking every `interval`
    /// (appends by this server, by other servers and by the command line alike), until the
    /// task is cancelled. A failed step is tried again at the next look; reads meanwhile derive
    /// the tail, so nothing a caller sees depends on it.
    package func runObligationsProjector(of log: Log, every interval: Duration = .milliseconds(200)) async {
        while !Task.isCancelled {
            do {
                if try await obligationsLag(of: log) != nil { try await catchUpObligations(of: log) }
            } catch {
                logger.error("obligations projector step failed", metadata: ["court": "\(log.court)", "error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Makes the stored rows of each entry the given ones (in the caller's transaction).
    func store(_ connection: PostgresConnection, of log: Log, _ derived: [(EntryKey, [Obligation])]) async throws {
        guard !derived.isEmpty else { return }
        var ids: [String] = [], entries: [String] = [], rules: [String] = [], obligors: [String] = [], dues: [String] = []
        var met: [Int64] = [], effective: [Int64] = [], stored: [String] = []
        for (_, obligations) in derived {
            for obligation in obligations {
                ids.append(obligation.id)
                entries.append(obligation.entry)
                rules.append(obligation.rule)
                obligors.append(obligation.obligor)
                dues.append(obligation.due?.description ?? "")
                met.append(obligation.metAt?.epochMilliseconds ?? -1)
                effective.append(obligation.effectiveFrom.epochMilliseconds)
                stored.append(String(decoding: CanonicalJSON.encode(Self.storage(obligation)), as: UTF8.self))
            }
        }
        var remove = PostgresBindings()
        remove.append(log.id)
        remove.append(derived.map(\.0.id))
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM obligations WHERE log_id = $1 AND entry = ANY($2::text[])", binds: remove), logger: logger)
        guard !ids.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(log.id)
        binds.append(ids)
        binds.append(entries)
        binds.append(rules)
        binds.append(obligors)
        binds.append(dues)
        binds.append(met)
        binds.append(effective)
        binds.append(stored)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO obligations(log_id, id, entry, rule, obligor, due, met_ms, effective_ms, stored)
            SELECT $1, i, n, r, o, NULLIF(d, ''), NULLIF(m, -1), f, s
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::int8[], $9::text[]) AS u(i, n, r, o, d, m, f, s)
            """, binds: binds), logger: logger)
    }

    // MARK: the stored form

    /// Every field of an obligation, so that a stored one reads back equal (`Obligation` is
    /// Equatable): JSON text, keys sorted by `CanonicalJSON`.
    static func storage(_ o: Obligation) -> JSONValue {
        func instant(_ name: String, _ value: Instant?) -> [(String, JSONValue)] {
            guard let value else { return [] }
            return [(name + "_ms", .integer(value.epochMilliseconds)), (name + "_offset", .integer(Int64(value.offsetMinutes)))]
        }
        var members: [(String, JSONValue)] = [
            ("id", .string(o.id)), ("rule", .string(o.rule)), ("duty", .string(o.duty)), ("entry", .string(o.entry)),
            ("obligor", .string(o.obligor)), ("trigger_seq", .integer(o.triggerSeq)), ("calendar", .string(o.calendarVersion)),
            ("clause", .string(o.clause)),
        ]
        members += instant("trigger", o.triggerAt) + instant("met", o.metAt) + instant("arises", o.arisesAt)
        if let due = o.due { members.append(("due", .string(due.description))) }
        if let problem = o.dueProblem { members.append(("due_problem", .string(problem))) }
        if let seq = o.metSeq { members.append(("met_seq", .integer(seq))) }
        if let day = o.metOn { members.append(("met_on", .string(day.description))) }
        return .object(members)
    }

    static func obligation(storage text: String) -> Obligation? {
        guard case .object(let members)? = try? JSONParser.parse(Array(text.utf8)) else { return nil }
        var fields: [String: JSONValue] = [:]
        for (name, value) in members { fields[name] = value }
        func string(_ name: String) -> String? { if case .string(let t)? = fields[name] { t } else { nil } }
        func integer(_ name: String) -> Int64? { if case .integer(let n)? = fields[name] { n } else { nil } }
        func instant(_ name: String) -> Instant? {
            guard let ms = integer(name + "_ms") else { return nil }
            return Instant(epochMilliseconds: ms, offsetMinutes: Int(integer(name + "_offset") ?? 0))
        }
        guard let id = string("id"), let rule = string("rule"), let entry = string("entry"), let triggerSeq = integer("trigger_seq"),
              let triggerAt = instant("trigger") else { return nil }
        var obligation = Obligation(id: id, rule: rule, duty: string("duty") ?? "", entry: entry, obligor: string("obligor") ?? "",
                                    triggerSeq: triggerSeq, triggerAt: triggerAt, due: string("due").flatMap { BeijingDay(iso: $0) },
                                    dueProblem: string("due_problem"), metSeq: integer("met_seq"), metAt: instant("met"),
                                    calendarVersion: string("calendar") ?? "", clause: string("clause") ?? "")
        obligation.metOn = string("met_on").flatMap { BeijingDay(iso: $0) }
        obligation.arisesAt = instant("arises")
        return obligation
    }

    /// Every stored obligation of `log` and the position they are current to (tests compare
    /// them with a fresh derivation).
    package func storedObligations(of log: Log) async throws -> (position: Int64, obligations: [Obligation]) {
        try await client.withTransaction(logger: logger) { connection in
            let position = try await self.projectionPosition(connection, of: log)?.position ?? 0
            let rows = try await connection.query("SELECT stored FROM obligations WHERE log_id = \(log.id)", logger: self.logger)
            var found: [Obligation] = []
            for try await text in rows.decode(String.self) {
                guard let obligation = Self.obligation(storage: text) else { throw PostgresLedgerError.integrity("an unreadable stored obligation") }
                found.append(obligation)
            }
            return (position, found.sorted { IDKey($0.id) < IDKey($1.id) })
        }
    }
}
