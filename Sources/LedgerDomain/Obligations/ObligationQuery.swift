package import LedgerCalendar

/// Which obligations a caller wants, and at what instant their status is judged.
package struct ObligationQuery: Sendable {
    package var asOf: Instant
    package var statuses: Set<ObligationStatus>? = nil
    package var obligor: String? = nil
    package var rule: String? = nil
    package var entry: String? = nil
    package var dueOnOrBefore: String? = nil
    /// Leave out R2, the debtor's windows (rights, not duties): what alerts are about.
    package var dutiesOnly = false

    package init(asOf: Instant) { self.asOf = asOf }

    /// The obligations of `found` this query selects, each with its status at `asOf`, due day
    /// first (unknown due days last), then entry and id as bytes (as the stores' keys compare).
    /// The one judgement both engines apply to whatever their tables and derivations found:
    /// `Obligation.status(asOf:)` is the canonical status (SPEC §5), every SQL condition before
    /// it only a prefilter.
    package func judged(_ found: [Obligation]) -> [(Obligation, ObligationStatus)] {
        let entry = self.entry.map { EntryKey($0) }, due = dueOnOrBefore.flatMap { BeijingDay(iso: $0) }
        let kept: [(Obligation, ObligationStatus)] = found.compactMap { obligation in
            guard obligation.effectiveFrom.epochMilliseconds <= asOf.epochMilliseconds else { return nil }
            if let entry, EntryKey(obligation.entry) != entry { return nil }
            if let rule, obligation.rule != rule { return nil }
            if let obligor, obligation.obligor != obligor { return nil }
            // As the stores' prefilter reads it: an obligation without a due day is kept.
            if let due, let day = obligation.due, day > due { return nil }
            if dutiesOnly && obligation.rule == "R2" { return nil }
            let status = obligation.status(asOf: asOf)
            if let statuses, !statuses.contains(status) { return nil }
            return (obligation, status)
        }
        // The day number is computed once per obligation, not rendered on every comparison.
        let keyed = kept.map { (day: $0.0.due?.dayNumber ?? Int.max, entry: IDKey($0.0.entry), id: IDKey($0.0.id), item: $0) }
        return keyed.sorted { ($0.day, $0.entry, $0.id) < ($1.day, $1.entry, $1.id) }.map(\.item)
    }

    /// The conditions on a stored obligation row (columns rule, due as ISO text, met_ms) that
    /// narrow a status query to a superset of its answer, so that the partial index of unmet
    /// rows serves breaches and open duties; empty when the statuses need every row. `bind`
    /// adds a text parameter and returns its placeholder (`?` on SQLite, `$n` on PostgreSQL).
    /// Written once for both engines: the SQL is the same standard SQL on either. Only valid
    /// where no stored fact takes effect after `asOf` (then unmet means met_ms IS NULL).
    package func unmetRowConditions(bind: (String) -> String) -> [String] {
        guard let statuses, !statuses.contains(.met), !statuses.contains(.late) else { return [] }
        let day = asOf.beijingDay.description
        var unmet: [String] = []
        if statuses.contains(.breached) { unmet.append("rule = 'R1' OR (rule <> 'R2' AND due < \(bind(day)))") }
        if statuses.contains(.closed) { unmet.append("(rule = 'R2' AND due < \(bind(day)))") }
        if statuses.contains(.open) { unmet.append("(due IS NULL AND rule <> 'R1') OR due >= \(bind(day))") }
        var conditions = ["met_ms IS NULL AND (" + (unmet.isEmpty ? "1 = 0" : unmet.joined(separator: " OR ")) + ")"]
        // Breaches are never R2 (windows close, they are not breached): say so, so that a
        // partial index of unmet duties can serve the scan.
        if dutiesOnly || statuses == [.breached] { conditions.append("rule <> 'R2'") }
        return conditions
    }
}
