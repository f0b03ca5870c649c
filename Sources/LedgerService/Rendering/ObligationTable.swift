import LedgerCalendar
package import LedgerDomain

/// Obligations as the text table of `obligations`, `alerts` and `audit` (their `--json` is
/// `LedgerJSON.obligations`): one line per obligation, then a count.
package enum ObligationTable {
    package static func text(_ found: [(Obligation, ObligationStatus)], asOf: Instant) -> String {
        TextTable.render(header, found.map { row($0, $1, asOf: asOf) }) + footer(count: found.count, asOf: asOf)
    }

    package static let header = ["id", "rule", "obligor", "trigger", "due", "status", "met", "days late"]

    /// The cells of one obligation's line.
    package static func row(_ obligation: Obligation, _ status: ObligationStatus, asOf: Instant) -> [String] {
        [obligation.id, obligation.rule, obligation.obligor, obligation.triggerAt.beijingDay.description,
         obligation.due?.description ?? (obligation.rule == "R1" ? "-" : "? " + (obligation.dueProblem ?? "")),
         status.rawValue, obligation.metAt?.beijingDay.description ?? "-",
         obligation.daysLate(asOf: asOf).map(String.init) ?? ""]
    }

    /// The line after the table.
    package static func footer(count: Int, asOf: Instant) -> String {
        "\(count) obligation\(count == 1 ? "" : "s") as of \(asOf.beijingDay) (Beijing)\n"
    }
}
