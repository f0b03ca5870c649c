import LedgerCalendar
package import LedgerDomain

/// Obligations as the text table of `obligations`, `alerts` and `audit` (their `--json` is
/// `LedgerJSON.obligations`): one line per obligation, then a count.
package enum ObligationTable {
    package static func text(_ found: [(Obligation, ObligationStatus)], asOf: Instant) -> String {
        let table = TextTable.render(["id", "rule", "obligor", "trigger", "due", "status", "met", "days late"], found.map { obligation, status in
            [obligation.id, obligation.rule, obligation.obligor, obligation.triggerAt.beijingDay.description,
             obligation.due?.description ?? (obligation.rule == "R1" ? "-" : "? " + (obligation.dueProblem ?? "")),
             status.rawValue, obligation.metAt?.beijingDay.description ?? "-",
             obligation.daysLate(asOf: asOf).map(String.init) ?? ""]
        })
        return table + "\(found.count) obligation\(found.count == 1 ? "" : "s") as of \(asOf.beijingDay) (Beijing)\n"
    }
}
