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

    /// Recomputes the obligations of `entries` from their events and writes what changed (in
    /// the caller's write transaction: the projector's step, a rebuild, a calendar load).
    func refreshObligations(entries: Set<EntryKey>, events known: [EntryKey: [RecordedEvent]] = [:]) throws {
        try storeObligationRows(derivedObligationRows(entries: entries, events: known))
    }

    /// The rows `entries` derive to (`row` of each obligation), in entry order.
    /// Must run inside one transaction: the histories are those of its snapshot.
    func derivedObligationRows(entries: Set<EntryKey>, events known: [EntryKey: [RecordedEvent]] = [:]) throws -> [(EntryKey, [[SQLValue]])] {
        guard !entries.isEmpty else { return [] }
        let engine = try obligationEngine()
        let read = try histories(of: entries.filter { known[$0] == nil }, logSize: head().size)
        return entries.sorted().map { entry in
            (entry, engine.obligations(of: known[entry] ?? read[entry] ?? []).map(Self.row))
        }
    }

    /// The complete histories of `entries` in this transaction's snapshot, whose log size is
    /// `size`: from `eventCache` where it holds them (a projector woken after every group
    /// commit derives the same entries again and again), else read from the log and kept.
    /// The cache is first moved to `size` by reading only the events it lacks.
    func histories(of entries: some Collection<EntryKey>, logSize size: Int64) throws -> [EntryKey: [RecordedEvent]] {
        guard !entries.isEmpty else { return [:] }
        let cachedSize = eventCache.validForSize
        // The events in (cachedSize, size] by entry, read (and decoded) once to move the cache:
        // an entry the cache does not hold reads only its events up to cachedSize from the log
        // and takes these after them. Most such entries are new (a group commit's inclusions),
        // so that read finds no row, instead of decoding their new events a second time.
        var newEventsByEntry: [EntryKey: [RecordedEvent]] = [:]
        var advancedFrom: Int64?
        if cachedSize != size {
            if eventCache.isEmpty || cachedSize < 0 || cachedSize > size || size - cachedSize > Int64(EntryEventCache.capacity) {
                // Nothing held, another log (a smaller size), or too far behind to be worth it.
                eventCache.clear(describing: size)
            } else {
                var newEvents: [RecordedEvent] = []
                try forEachEvent(where: "seq > ? AND seq <= ?", [.int(cachedSize), .int(size)]) { newEvents.append($0) }
                for recorded in newEvents {
                    if let entry = recorded.event.entry { newEventsByEntry[EntryKey(entry), default: []].append(recorded) }
                }
                advancedFrom = cachedSize
                eventCache.advance(to: size, newEvents: newEvents)
            }
        }
        var out: [EntryKey: [RecordedEvent]] = [:]
        out.reserveCapacity(entries.count)
        for entry in entries {
            if let list = eventCache.events(of: entry, logSize: size) {
                out[entry] = list
                continue
            }
            // Both reads are of this one snapshot, so the two parts are the entry's history as
            // `events(ofEntry:)` would read it (an erasure's deleted values included).
            let list = if let advancedFrom, let tail = newEventsByEntry[entry] {
                try events(ofEntry: entry.id, throughSeq: advancedFrom) + tail
            } else {
                try events(ofEntry: entry.id)
            }
            eventCache.store(list, of: entry, logSize: size)
            out[entry] = list
        }
        return out
    }

    /// Makes the stored rows of each entry the given ones.
    func storeObligationRows(_ derived: [(EntryKey, [[SQLValue]])]) throws {
        guard !derived.isEmpty else { return }
        let existing = try connection.statement("SELECT \(Self.obligationColumns) FROM obligations WHERE entry = ?")
        let remove = try connection.statement("DELETE FROM obligations WHERE id = ?")
        let upsert = try connection.statement("""
            INSERT OR REPLACE INTO obligations(\(Self.obligationColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (entry, rows) in derived {
            // Write only what changed: most appends change one obligation of an entry, and
            // every row rewritten is pages in the WAL that a durable commit must sync.
            var stored: [String: [SQLValue]] = [:]
            existing.reset()
            try existing.bind([.text(entry.id)])
            while try existing.step() { stored[existing.text(0) ?? ""] = existing.values(count: 13) }
            for row in rows {
                guard case .text(let id) = row[0] else { continue }
                if stored.removeValue(forKey: id) == row { continue }
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
            // Every entry derived from the whole log: the projector is current.
            try setObligationsPosition(try head().size)
        }
    }

    func refreshAllObligations() throws {
        var entries: Set<EntryKey> = []
        let statement = try connection.statement("SELECT entry FROM entries")
        while try statement.step() { entries.insert(EntryKey(statement.text(0) ?? "")) }
        try refreshObligations(entries: entries)
    }

    /// The columns of `row`, in its order.
    static let obligationColumns = "id, rule, entry, obligor, trigger_seq, trigger_at, trigger_ms, due, met_at, met_ms, calendar_version, effective_ms, detail"

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

    /// Obligations as stored (derived from every event), optionally filtered by SQL:
    /// `forEachStoredObligation`, collected.
    package func storedObligations(where filter: String? = nil, _ arguments: [SQLValue] = [],
                                   matching: (Obligation) -> Bool = { _ in true }) throws -> [Obligation] {
        var out: [Obligation] = []
        try forEachStoredObligation(where: filter, arguments, matching: matching) { out.append($0) }
        return out
    }

    /// Calls `body` with each obligation as stored, optionally filtered by SQL, in the canonical
    /// order (`ObligationQuery.orderKey`), stepping one statement (constant memory). Read
    /// through `withCurrentObligations`: the entries the table does not have current yet are
    /// taken from the tail derived in memory, kept when `matching` (the filter's equivalent),
    /// and merged into the rows in that order.
    package func forEachStoredObligation(where filter: String? = nil, _ arguments: [SQLValue] = [],
                                         matching: (Obligation) -> Bool = { _ in true },
                                         _ body: (Obligation) throws -> Void) throws {
        try withCurrentObligations { tail in
            // `due` is ISO text and `entry`, `id` compare as bytes (BINARY): the canonical order.
            let sql = "SELECT \(Self.obligationColumns) FROM obligations"
                + (filter.map { " WHERE " + $0 } ?? "") + " ORDER BY due IS NULL, due, entry, id"
            let statement = try connection.statement(sql)
            defer { statement.reset() }
            try statement.bind(arguments)
            var merged = ObligationMerge(tail: tail?.obligations.filter(matching) ?? [])
            while try statement.step() {
                let obligation = Self.obligation(row: statement.values(count: 13))
                if let tail, tail.entries.contains(EntryKey(obligation.entry)) { continue }
                try merged.add(obligation, body)
            }
            try merged.finish(body)
        }
    }

    /// The obligation a stored row (`obligationColumns`, as `row` makes it) describes.
    static func obligation(row v: [SQLValue]) -> Obligation {
        func text(_ i: Int) -> String? { if case .text(let t) = v[i] { t } else { nil } }
        func int(_ i: Int) -> Int64 { if case .int(let n) = v[i] { n } else { 0 } }
        func isNull(_ i: Int) -> Bool { v[i] == .null }
        var detail: [(String, JSONValue)] = []
        let detailBytes: [UInt8] = if case .blob(let b) = v[12], !b.isEmpty { b } else { Array((text(12) ?? "{}").utf8) }
        if case .object(let members)? = try? JSONParser.parse(detailBytes) { detail = members }
        func field(_ name: String) -> JSONValue? { detail.first { $0.0 == name }?.1 }
        func detailText(_ name: String) -> String? { if case .string(let t)? = field(name) { t } else { nil } }
        func detailInt(_ name: String) -> Int64? { if case .integer(let n)? = field(name) { n } else { nil } }
        let triggerOffset = Int(detailInt("trigger_offset") ?? 0)
        var obligation = Obligation(
            id: text(0) ?? "", rule: text(1) ?? "", duty: detailText("duty") ?? "", entry: text(2) ?? "",
            obligor: text(3) ?? "", triggerSeq: int(4),
            triggerAt: Instant(epochMilliseconds: int(6), offsetMinutes: triggerOffset),
            due: text(7).flatMap { BeijingDay(iso: $0) }, dueProblem: detailText("due_problem"),
            metSeq: detailInt("met_seq"),
            metAt: isNull(9) ? nil : Instant(epochMilliseconds: int(9), offsetMinutes: Int(detailInt("met_offset") ?? 0)),
            calendarVersion: text(10) ?? "", clause: detailText("clause") ?? "")
        obligation.metOn = detailText("met_on").flatMap { BeijingDay(iso: $0) }
        if int(11) != int(6) {
            obligation.arisesAt = Instant(epochMilliseconds: int(11), offsetMinutes: Instant.beijingOffsetMinutes)
        }
        return obligation
    }

    /// The latest `at` of any stored event: an as-of instant at or after it needs no replay.
    package func latestEffectiveMilliseconds() throws -> Int64? {
        // Kept in the head by every append: max(at_ms) over the log would scan it.
        try connection.scalarInt("SELECT latest_at_ms FROM head WHERE id = 1")
    }
}
