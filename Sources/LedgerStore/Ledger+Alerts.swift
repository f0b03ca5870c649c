import LedgerCalendar
package import LedgerDomain

/// What one alert run found.
package struct AlertFindings: Sendable {
    package var asOf: Instant
    package var breaches: [Obligation]
    /// Open obligations whose due day falls within the horizon.
    package var dueSoon: [Obligation]
}

extension Ledger {
    /// Breached obligations, and open ones due within `horizonDays` Beijing days of `asOf`.
    package func alerts(asOf: Instant, horizonDays: Int) throws -> AlertFindings {
        var query = ObligationQuery(asOf: asOf)
        query.statuses = [.breached, .open]
        query.dutiesOnly = true
        let found = try obligations(query)
        let horizon = asOf.beijingDay.adding(days: horizonDays)
        return AlertFindings(
            asOf: asOf,
            breaches: found.filter { $0.1 == .breached }.map(\.0),
            dueSoon: found.filter { $0.1 == .open && $0.0.due.map { $0 <= horizon } == true }.map(\.0))
    }

    /// Appends one `breach_flagged` per breach not flagged before, in one transaction, and
    /// returns the breaches this call flagged. Each event's id and `at` derive from the
    /// obligation alone, so two runners racing write each flag once (the second is a duplicate).
    package func recordBreaches(_ breaches: [Obligation], actor: String, clock: () -> Instant) throws -> [Obligation] {
        let flagged = try flaggedObligations()
        let fresh = breaches.filter { flagged[$0.id] == nil }
        guard !fresh.isEmpty else { return [] }
        let events = fresh.enumerated().map { index, obligation in
            NumberedEvent(line: index + 1, event: Event(
                entry: obligation.entry, at: obligation.breachedAt, actor: actor, id: "breach:" + obligation.id,
                body: .breachFlagged(obligation: obligation.id)))
        }
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
