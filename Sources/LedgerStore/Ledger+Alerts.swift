import LedgerCalendar
package import LedgerDomain

/// What one alert run found.
package struct AlertFindings: Sendable {
    package var asOf: Instant
    package var breaches: [Obligation]
    /// Open obligations whose due day falls within the horizon.
    package var dueSoon: [Obligation]

    /// The last Beijing day an open duty may fall due on to count as due soon.
    private let horizon: BeijingDay

    /// What an alert run asks of either engine: duties (R2, the debtor's windows, left out)
    /// breached or open at `asOf`, due by the horizon (a breach is due before `asOf`; R1 has
    /// no due day and always passes) — so the scan skips the open duties due later.
    package static func query(asOf: Instant, horizonDays: Int) -> ObligationQuery {
        var query = ObligationQuery(asOf: asOf)
        query.statuses = [.breached, .open]
        query.dutiesOnly = true
        query.dueOnOrBefore = asOf.beijingDay.adding(days: horizonDays).description
        return query
    }

    /// No findings yet: `add` each answer to `query(asOf:horizonDays:)`, as it streams, and
    /// only the breaches and the duties due soon are kept (issue 8, memory).
    package init(asOf: Instant, horizonDays: Int) {
        self.asOf = asOf
        horizon = asOf.beijingDay.adding(days: horizonDays)
        breaches = []
        dueSoon = []
    }

    /// The breaches among `found`, and the open duties due within `horizonDays` Beijing days of `asOf`.
    package init(asOf: Instant, horizonDays: Int, found: [(Obligation, ObligationStatus)]) {
        self.init(asOf: asOf, horizonDays: horizonDays)
        for (obligation, status) in found { add(obligation, status) }
    }

    /// Keeps `obligation` if it is a breach or an open duty due within the horizon.
    package mutating func add(_ obligation: Obligation, _ status: ObligationStatus) {
        switch status {
        case .breached: breaches.append(obligation)
        case .open where obligation.due.map({ $0 <= horizon }) == true: dueSoon.append(obligation)
        default: break
        }
    }

    /// The `breach_flagged` events for the breaches not in `flagged`, and those breaches. Each
    /// event's id and `at` derive from the obligation alone, so two runners racing write each
    /// flag once (the second is a duplicate).
    package static func flagEvents(_ breaches: [Obligation], flagged: [String: Int64], actor: String) -> (fresh: [Obligation], events: [NumberedEvent]) {
        let fresh = breaches.filter { flagged[$0.id] == nil }
        return (fresh, fresh.enumerated().map { index, obligation in
            NumberedEvent(line: index + 1, event: Event(
                entry: obligation.entry, at: obligation.breachedAt, actor: actor, id: "breach:" + obligation.id,
                body: .breachFlagged(obligation: obligation.id)))
        })
    }
}

extension Ledger {
    /// Breached obligations, and open ones due within `horizonDays` Beijing days of `asOf`.
    package func alerts(asOf: Instant, horizonDays: Int) throws -> AlertFindings {
        var findings = AlertFindings(asOf: asOf, horizonDays: horizonDays)
        try forEachObligation(AlertFindings.query(asOf: asOf, horizonDays: horizonDays)) { findings.add($0, $1) }
        return findings
    }

    /// Appends one `breach_flagged` per breach not flagged before, in one transaction, and
    /// returns the breaches this call flagged. Each event's id and `at` derive from the
    /// obligation alone, so two runners racing write each flag once (the second is a duplicate).
    package func recordBreaches(_ breaches: [Obligation], actor: String, clock: () -> Instant) throws -> [Obligation] {
        let (fresh, events) = AlertFindings.flagEvents(breaches, flagged: try flaggedObligations(), actor: actor)
        guard !fresh.isEmpty else { return [] }
        let outcomes = try append(events, clock: clock)
        return zip(fresh, outcomes).compactMap { obligation, outcome in
            if case .appended = outcome { return obligation } else { return nil }
        }
    }
}

extension Obligation {
    /// The moment the breach happened: the start of the Beijing day after the due day (for R1,
    /// the inclusion without notice itself).
    package var breachedAt: Instant {
        guard let due else { return triggerAt }
        return Instant(epochMilliseconds: due.endOfDayEpochMilliseconds + 1, offsetMinutes: Instant.beijingOffsetMinutes)
    }
}
