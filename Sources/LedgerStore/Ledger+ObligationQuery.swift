import LedgerCalendar
package import LedgerDomain

extension Ledger {
    /// Obligations with their status at `query.asOf`, in the canonical order:
    /// `forEachObligation`, collected.
    package func obligations(_ query: ObligationQuery) throws -> [(Obligation, ObligationStatus)] {
        var found: [(Obligation, ObligationStatus)] = []
        try forEachObligation(query) { found.append(($0, $1)) }
        return found
    }

    /// Calls `body` with each obligation `query` selects and its status at `query.asOf`, in the
    /// canonical order (`ObligationQuery.orderKey`), all from one read snapshot. When some fact
    /// took effect after that instant, the obligations are derived again from the facts
    /// effective by then (so a later act, retention or trigger does not leak into the past) and
    /// held whole to be sorted; otherwise the projection's rows stream in that order from SQL.
    package func forEachObligation(_ query: ObligationQuery, _ body: (Obligation, ObligationStatus) throws -> Void) throws {
        if let latest = try latestEffectiveMilliseconds(), latest > query.asOf.epochMilliseconds {
            let engine = try obligationEngine()
            var byEntry: [EntryKey: [RecordedEvent]] = [:]
            var order: [EntryKey] = []
            // Annulments count at every as-of instant (an annulled event never was a fact).
            let filter = query.entry != nil ? "entry = ? AND (at_ms <= ? OR type = 'record_annulled')"
                                            : "entry IS NOT NULL AND (at_ms <= ? OR type = 'record_annulled')"
            let arguments: [SQLValue] = (query.entry.map { [.text($0)] } ?? []) + [.int(query.asOf.epochMilliseconds)]
            try connection.readTransaction {
                try forEachEvent(where: filter, arguments) { recorded in
                    let entry = EntryKey(recorded.event.entry!)
                    if byEntry[entry] == nil { order.append(entry) }
                    byEntry[entry, default: []].append(recorded)
                }
            }
            for (obligation, status) in query.judged(order.sorted().flatMap { engine.obligations(of: byEntry[$0]!) }) {
                try body(obligation, status)
            }
            return
        }
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let entry = query.entry { conditions.append("entry = ?"); arguments.append(.text(entry)) }
        if let rule = query.rule { conditions.append("rule = ?"); arguments.append(.text(rule)) }
        if let obligor = query.obligor { conditions.append("obligor = ?"); arguments.append(.text(obligor)) }
        if let due = query.dueOnOrBefore { conditions.append("(due IS NULL OR due <= ?)"); arguments.append(.text(due)) }
        // No stored fact takes effect after `asOf` here, so unmet means met_ms IS NULL: let
        // the partial index of unmet obligations find breaches and open duties.
        conditions.append("effective_ms <= ?")
        arguments.append(.int(query.asOf.epochMilliseconds))
        // A PREFILTER, not a second definition: `query.judge` (LedgerDomain) judges every
        // row kept here by the one canonical status; this only narrows the scan.
        conditions += query.unmetRowConditions { day in arguments.append(.text(day)); return "?" }
        // The entries the projector has not reached yet are derived in memory whole;
        // `judge` applies every condition of the query to them as to the rows.
        try forEachStoredObligation(where: conditions.joined(separator: " AND "), arguments) { obligation in
            if let status = query.judge(obligation) { try body(obligation, status) }
        }
    }

    /// The obligations already flagged with `breach_flagged`, with the seq of that event.
    package func flaggedObligations() throws -> [String: Int64] {
        var flags: [String: Int64] = [:]
        let statement = try connection.statement("SELECT obligation, flagged_seq FROM flags")
        while try statement.step() { flags[statement.text(0) ?? ""] = statement.int(1) }
        return flags
    }

    /// Every obligor named by a stored obligation (for suggestions on a mistyped `--obligor`).
    package func knownObligors() throws -> [String] {
        try withCurrentObligations { tail in
            guard let tail else {
                var out: [String] = []
                let statement = try connection.statement("SELECT DISTINCT obligor FROM obligations ORDER BY obligor")
                defer { statement.reset() }
                while try statement.step() { out.append(statement.text(0) ?? "") }
                return out
            }
            var obligors = Set(tail.obligations.map { IDKey($0.obligor) })
            let statement = try connection.statement("SELECT entry, obligor FROM obligations")
            defer { statement.reset() }
            while try statement.step() {
                if !tail.entries.contains(EntryKey(statement.text(0) ?? "")) { obligors.insert(IDKey(statement.text(1) ?? "")) }
            }
            return obligors.sorted().map(\.id)
        }
    }
}
