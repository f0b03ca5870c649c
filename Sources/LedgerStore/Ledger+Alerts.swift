import LedgerCalendar
package import LedgerDomain

/// What one alert run found.
package struct AlertFindings: Sendable {
    package var asOf: Instant
    package var breaches: [Obligation]
    /// Open obligations whose due day falls within the horizon.
    package var dueSoon: [Obligation]

    /// What an alert run asks of either engine: duties (R2, the debtor's windows, left out)
    /// breached or open at `asOf`.
    package static func query(asOf: Instant) -> ObligationQuery {
        var query = ObligationQuery(asOf: asOf)
        query.statuses = [.breached, .open]
        query.dutiesOnly = true
        return query
    }

    /// The breaches among `found` (the answer to `query(asOf:)`), and the open duties due
    /// within `horizonDays` Beijing days of `asOf`.
    package init(asOf: Instant, horizonDays: Int, found: [(Obligation, ObligationStatus)]) {
        let horizon = asOf.beijingDay.adding(days: horizonDays)
        self.asOf = asOf
        breaches = found.filter { $0.1 == .breached }.map(\.0)
        dueSoon = found.filter { $0.1 == .open && $0.0.due.map { $0 <= horizon } == true }.map(\.0)
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
        AlertFindings(asOf: asOf, horizonDays: horizonDays, found: try obligations(AlertFindings.query(asOf: asOf)))
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
