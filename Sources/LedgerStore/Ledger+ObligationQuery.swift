import LedgerCalendar
package import LedgerDomain

extension Ledger {
    /// Obligations with their status at `query.asOf`. When some fact took effect after that
    /// instant, the obligations are derived again from the facts effective by then (so a later
    /// act, retention or trigger does not leak into the past); otherwise the projection answers.
    package func obligations(_ query: ObligationQuery) throws -> [(Obligation, ObligationStatus)] {
        var found: [Obligation]
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
            found = order.sorted().flatMap { engine.obligations(of: byEntry[$0]!) }
        } else {
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
            // A PREFILTER, not a second definition: `Obligation.status(asOf:)` (LedgerDomain) is
            // the one canonical status (SPEC §5); every row kept here is judged by it below. The
            // SQL only narrows the scan to rows that can have the wanted statuses (so it must
            // select a superset), letting the partial index of unmet obligations serve it.
            if let statuses = query.statuses, !statuses.contains(.met), !statuses.contains(.late) {
                let day = query.asOf.beijingDay.description
                var unmet: [String] = []
                if statuses.contains(.breached) { unmet.append("rule = 'R1' OR (rule <> 'R2' AND due < ?)"); arguments.append(.text(day)) }
                if statuses.contains(.closed) { unmet.append("(rule = 'R2' AND due < ?)"); arguments.append(.text(day)) }
                if statuses.contains(.open) { unmet.append("(due IS NULL AND rule <> 'R1') OR due >= ?"); arguments.append(.text(day)) }
                conditions.append("met_ms IS NULL AND (" + (unmet.isEmpty ? "0" : unmet.joined(separator: " OR ")) + ")")
                // Breaches are never R2 (windows close, they are not breached): say so, so that
                // the smaller partial index of unmet duties serves the scan.
                if query.dutiesOnly || statuses == [.breached] { conditions.append("rule <> 'R2'") }
            }
            // The same conditions for the entries the projector has not reached yet (derived in
            // memory); `kept` below judges rule, obligor, effect and status for both.
            let entry = query.entry.map { EntryKey($0) }, due = query.dueOnOrBefore.flatMap { BeijingDay(iso: $0) }
            found = try storedObligations(where: conditions.isEmpty ? nil : conditions.joined(separator: " AND "), arguments) { obligation in
                if let entry, EntryKey(obligation.entry) != entry { return false }
                if let due, let day = obligation.due, day > due { return false }
                return true
            }
        }
        let kept: [(Obligation, ObligationStatus)] = found.compactMap { obligation in
            guard obligation.effectiveFrom.epochMilliseconds <= query.asOf.epochMilliseconds else { return nil }
            if let rule = query.rule, obligation.rule != rule { return nil }
            if let obligor = query.obligor, obligation.obligor != obligor { return nil }
            if query.dutiesOnly && obligation.rule == "R2" { return nil }
            let status = obligation.status(asOf: query.asOf)
            if let statuses = query.statuses, !statuses.contains(status) { return nil }
            return (obligation, status)
        }
        // Due day first (unknown due days last), then entry and id; the day number is computed
        // once per obligation, not rendered as text on every comparison.
        let keyed = kept.map { (day: $0.0.due?.dayNumber ?? Int.max, item: $0) }
        return keyed.sorted { ($0.day, $0.item.0.entry, $0.item.0.id) < ($1.day, $1.item.0.entry, $1.item.0.id) }.map(\.item)
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
