package import LedgerCalendar
package import LedgerDomain

extension Ledger {
    /// The ledger's policy profile, chosen at `init`.
    package func profile() throws -> PolicyProfile {
        let name = try meta("profile") ?? PolicyProfile.default.name
        guard let profile = PolicyProfile.named(name) else {
            throw LedgerError.notALedger(path: path, reason: "unknown policy profile \"\(name)\" (this build knows \(PolicyProfile.builtInNames.joined(separator: ", ")))")
        }
        return profile
    }

    /// The newest official calendar loaded into this ledger (the built-in one at `init`).
    package func calendar() throws -> OfficialCalendar {
        guard let data = try connection.scalarText("SELECT data FROM calendars ORDER BY loaded_ms DESC, rowid DESC LIMIT 1") else {
            return OfficialCalendar.embedded
        }
        do { return try OfficialCalendar(json: Array(data.utf8)) } catch {
            throw LedgerError.integrity("the stored calendar is unreadable: \(error)")
        }
    }

    /// The engine with the ledger's profile and newest calendar, built once per connection
    /// (reading the calendar costs more than deriving an entry's obligations).
    /// The cache is checked against the newest stored calendar's version (a cheap read), so a
    /// calendar loaded by another process is picked up by the next batch.
    package func obligationEngine() throws -> ObligationEngine {
        let newest = try connection.scalarText("SELECT version FROM calendars ORDER BY loaded_ms DESC, rowid DESC LIMIT 1")
        if let engine = cachedEngine, newest == nil || engine.calendar.identity == newest { return engine }
        let engine = ObligationEngine(profile: try profile(), calendar: try calendar())
        cachedEngine = engine
        return engine
    }

    /// Recomputes the obligations of `entries` from their events (inside the append
    /// transaction, so the table always matches the log).
    func refreshObligations(entries: Set<EntryKey>, events known: [EntryKey: [RecordedEvent]] = [:]) throws {
        guard !entries.isEmpty else { return }
        let engine = try obligationEngine()
        let existing = try connection.statement("""
            SELECT id, rule, entry, obligor, trigger_seq, trigger_at, trigger_ms, due, met_at, met_ms, calendar_version, effective_ms, detail
            FROM obligations WHERE entry = ?
            """)
        let remove = try connection.statement("DELETE FROM obligations WHERE id = ?")
        let upsert = try connection.statement("""
            INSERT OR REPLACE INTO obligations(id, rule, entry, obligor, trigger_seq, trigger_at, trigger_ms, due, met_at, met_ms, calendar_version, effective_ms, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for entry in entries.sorted() {
            let derived = engine.obligations(of: try known[entry] ?? events(ofEntry: entry.id))
            // Write only what changed: most appends change one obligation of an entry, and
            // every row rewritten is pages in the WAL that a durable commit must sync.
            var stored: [String: [SQLValue]] = [:]
            existing.reset()
            try existing.bind([.text(entry.id)])
            while try existing.step() { stored[existing.text(0) ?? ""] = existing.values(count: 13) }
            for obligation in derived {
                let row = Self.row(obligation)
                if stored.removeValue(forKey: obligation.id) == row { continue }
                upsert.reset()
                try upsert.bind(row)
                _ = try upsert.step()
            }
            for id in stored.keys {
                remove.reset()
                try remove.bind([.text(id)])
                _ = try remove.step()
            }
        }
    }

    /// Stores a newer official calendar and re-derives every obligation with it.
    package func loadCalendar(_ calendar: OfficialCalendar, now: Instant) throws {
        try connection.writeTransaction {
            try connection.run("INSERT INTO calendars(version, data, loaded_ms) VALUES (?, ?, ?) ON CONFLICT(version) DO UPDATE SET data = excluded.data, loaded_ms = excluded.loaded_ms",
                               [.text(calendar.identity), .text(String(decoding: calendar.json, as: UTF8.self)), .int(now.epochMilliseconds)])
            cachedEngine = nil
            try refreshAllObligations()
        }
    }

    func refreshAllObligations() throws {
        var entries: Set<EntryKey> = []
        let statement = try connection.statement("SELECT entry FROM entries")
        while try statement.step() { entries.insert(EntryKey(statement.text(0) ?? "")) }
        try refreshObligations(entries: entries)
    }

    static func row(_ o: Obligation) -> [SQLValue] {
        let detail = CanonicalJSON.encode(.object([
            ("duty", .string(o.duty)), ("clause", .string(o.clause)),
            ("due_problem", o.dueProblem.map(JSONValue.string) ?? .null),
            ("met_seq", o.metSeq.map(JSONValue.integer) ?? .null),
            ("trigger_offset", .integer(Int64(o.triggerAt.offsetMinutes))),
            ("met_offset", o.metAt.map { .integer(Int64($0.offsetMinutes)) } ?? .null),
        ] + (o.metOn.map { [("met_on", JSONValue.string($0.description))] } ?? [])))
        return [.text(o.id), .text(o.rule), .text(o.entry), .text(o.obligor), .int(o.triggerSeq), .text(o.triggerAt.description),
                .int(o.triggerAt.epochMilliseconds), o.due.map { .text($0.description) } ?? .null,
                o.metAt.map { .text($0.description) } ?? .null, o.metAt.map { .int($0.epochMilliseconds) } ?? .null,
                .text(o.calendarVersion), .int(o.effectiveFrom.epochMilliseconds), .text(String(decoding: detail, as: UTF8.self))]
    }

    /// Obligations as stored (derived from every event), optionally filtered by SQL.
    package func storedObligations(where filter: String? = nil, _ arguments: [SQLValue] = []) throws -> [Obligation] {
        let sql = "SELECT id, rule, entry, obligor, trigger_seq, trigger_ms, due, met_ms, calendar_version, detail, effective_ms FROM obligations"
            + (filter.map { " WHERE " + $0 } ?? "") + " ORDER BY due IS NULL, due, entry, id"
        let statement = try connection.statement(sql)
        try statement.bind(arguments)
        var out: [Obligation] = []
        while try statement.step() {
            var detail: [(String, JSONValue)] = []
            if case .object(let members)? = try? JSONParser.parse(statement.blob(9).isEmpty ? Array((statement.text(9) ?? "{}").utf8) : statement.blob(9)) {
                detail = members
            }
            func field(_ name: String) -> JSONValue? { detail.first { $0.0 == name }?.1 }
            func text(_ name: String) -> String? { if case .string(let t)? = field(name) { t } else { nil } }
            func int(_ name: String) -> Int64? { if case .integer(let n)? = field(name) { n } else { nil } }
            let triggerOffset = Int(int("trigger_offset") ?? 0)
            var obligation = Obligation(
                id: statement.text(0) ?? "", rule: statement.text(1) ?? "", duty: text("duty") ?? "", entry: statement.text(2) ?? "",
                obligor: statement.text(3) ?? "", triggerSeq: statement.int(4),
                triggerAt: Instant(epochMilliseconds: statement.int(5), offsetMinutes: triggerOffset),
                due: statement.text(6).flatMap { BeijingDay(iso: $0) }, dueProblem: text("due_problem"),
                metSeq: int("met_seq"),
                metAt: statement.isNull(7) ? nil : Instant(epochMilliseconds: statement.int(7), offsetMinutes: Int(int("met_offset") ?? 0)),
                calendarVersion: statement.text(8) ?? "", clause: text("clause") ?? "")
            obligation.metOn = text("met_on").flatMap { BeijingDay(iso: $0) }
            if statement.int(10) != statement.int(5) {
                obligation.arisesAt = Instant(epochMilliseconds: statement.int(10), offsetMinutes: Instant.beijingOffsetMinutes)
            }
            out.append(obligation)
        }
        return out
    }

    /// The latest `at` of any stored event: an as-of instant at or after it needs no replay.
    package func latestEffectiveMilliseconds() throws -> Int64? {
        // Kept in the head by every append: max(at_ms) over the log would scan it.
        try connection.scalarInt("SELECT latest_at_ms FROM head WHERE id = 1")
    }
}
