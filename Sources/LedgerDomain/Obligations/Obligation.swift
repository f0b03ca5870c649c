package import LedgerCalendar

/// One duty (or, for R2, one of the debtor's windows) derived from the events of an entry.
package struct Obligation: Sendable, Equatable {
    /// `ENTRY/RULE/TRIGGER_SEQ[/UNIT[/MEASURE]]`: stable across rebuilds.
    package var id: String
    /// `R1` … `R7`.
    package var rule: String
    /// The profile period it applies (`correction_review`, …), or `precondition` for R1.
    package var duty: String
    package var entry: String
    /// `court:…`, `unit:…`, or `debtor` for R2 windows.
    package var obligor: String
    package var triggerSeq: Int64
    package var triggerAt: Instant
    /// The last day (Beijing, inclusive); nil for R1, or when the calendar cannot say (see `dueProblem`).
    package var due: BeijingDay?
    /// Why `due` is missing although the rule has a period (a year the calendar lacks).
    package var dueProblem: String?
    package var metSeq: Int64?
    package var metAt: Instant?
    /// The day the act counts from when it is not `metAt`'s day: a debtor's application posted
    /// (交邮) on `metOn` and received later.
    package var metOn: BeijingDay?
    /// The calendar (name and version) the due day was computed with.
    package var calendarVersion: String
    /// The clause of the profile the period comes from.
    package var clause: String
    /// When the duty arises, if later than the trigger (a term's deletion duty arises when the
    /// term ends): before it, the obligation is not listed.
    package var arisesAt: Instant?

    package var effectiveFrom: Instant { arisesAt ?? triggerAt }

    package init(id: String, rule: String, duty: String, entry: String, obligor: String, triggerSeq: Int64, triggerAt: Instant,
                 due: BeijingDay?, dueProblem: String?, metSeq: Int64?, metAt: Instant?, calendarVersion: String, clause: String) {
        self.id = id
        self.rule = rule
        self.duty = duty
        self.entry = entry
        self.obligor = obligor
        self.triggerSeq = triggerSeq
        self.triggerAt = triggerAt
        self.due = due
        self.dueProblem = dueProblem
        self.metSeq = metSeq
        self.metAt = metAt
        self.calendarVersion = calendarVersion
        self.clause = clause
    }

    /// R2 is the debtor's window, not a duty: it closes, it is never breached.
    package var isWindow: Bool { rule == "R2" }

    /// The status at instant `asOf` (SPEC §5): facts effective after it are not counted.
    package func status(asOf: Instant) -> ObligationStatus {
        if rule == "R1" { return .breached }
        let day = asOf.beijingDay
        if let metAt, metAt.epochMilliseconds <= asOf.epochMilliseconds {
            guard let due else { return .met }
            return (metOn ?? metAt.beijingDay) <= due ? .met : .late
        }
        guard let due, day > due else { return .open }
        return isWindow ? .closed : .breached
    }

    /// Days after the due day that the act came (late) or has not come (breached) by `asOf`.
    package func daysLate(asOf: Instant) -> Int? {
        guard let due else { return nil }
        switch status(asOf: asOf) {
        case .late: return due.days(to: metOn ?? metAt!.beijingDay)
        case .breached: return due.days(to: asOf.beijingDay)
        default: return nil
        }
    }
}

package enum ObligationStatus: String, Sendable, CaseIterable {
    case open, met, late, breached, closed
}
