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
}
