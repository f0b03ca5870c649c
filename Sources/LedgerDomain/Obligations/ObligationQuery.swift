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
        let kept: [(Obligation, ObligationStatus)] = found.compactMap { obligation in judge(obligation).map { (obligation, $0) } }
        // The day number is computed once per obligation, not rendered on every comparison.
        let keyed = kept.map { (key: Self.orderKey($0.0), item: $0) }
        return keyed.sorted { $0.key < $1.key }.map(\.item)
    }

    /// The status at `asOf` of one obligation this query selects; nil when it does not select it.
    /// `judged` is this for each obligation, then the canonical order; a streamed read
    /// (`forEachObligation`) applies it row by row to rows its store already gives in that order.
    package func judge(_ obligation: Obligation) -> ObligationStatus? {
        guard obligation.effectiveFrom.epochMilliseconds <= asOf.epochMilliseconds else { return nil }
        if let entry, !obligation.entry.sameBytes(entry) { return nil }
        if let rule, obligation.rule != rule { return nil }
        if let obligor, obligation.obligor != obligor { return nil }
        // As the stores' prefilter reads it: an obligation without a due day is kept.
        if let dueOnOrBefore, let day = obligation.due, let due = BeijingDay(iso: dueOnOrBefore), day > due { return nil }
        if dutiesOnly && obligation.rule == "R2" { return nil }
        let status = obligation.status(asOf: asOf)
        if let statuses, !statuses.contains(status) { return nil }
        return status
    }

    /// The canonical order of obligations (SPEC §5), as a comparable key: due day first
    /// (unknown due days last), then entry and id as bytes (as the stores' keys compare; the
    /// SQL `ORDER BY due IS NULL, due, entry, id` of either store, `due` as ISO text, gives it).
    package static func orderKey(_ obligation: Obligation) -> OrderKey {
        OrderKey(day: obligation.due?.dayNumber ?? Int.max, entry: IDKey(obligation.entry), id: IDKey(obligation.id))
    }

    /// See `orderKey`.
    package struct OrderKey: Comparable, Sendable {
        let day: Int
        let entry: IDKey
        let id: IDKey

        package static func < (a: OrderKey, b: OrderKey) -> Bool { (a.day, a.entry, a.id) < (b.day, b.entry, b.id) }
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
