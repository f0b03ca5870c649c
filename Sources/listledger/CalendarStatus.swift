import LedgerCalendar

/// How long the calendar in force still covers (SPEC §5 `calendar status`, the `alerts`
/// warning): past its last day no due day can be computed, so operators must be told early.
struct CalendarStatus {
    /// Warn when the coverage ends within this many days (SPEC §5).
    static let warningDays = 60
    let calendar: OfficialCalendar
    let first: BeijingDay
    let last: BeijingDay
    /// Days from `today` to the last covered day (negative once it has passed).
    let endsInDays: Int

    init(calendar: OfficialCalendar, today: BeijingDay) {
        self.calendar = calendar
        first = BeijingDay(iso: "\(calendar.coveredYears.lowerBound)-01-01")!
        last = BeijingDay(iso: "\(calendar.coveredYears.upperBound)-12-31")!
        endsInDays = today.days(to: last)
    }

    /// The one-line warning, when the coverage ends within `warningDays`.
    var warning: String? {
        guard endsInDays <= Self.warningDays else { return nil }
        let when = endsInDays >= 0 ? "ends on \(last), in \(endsInDays) day\(endsInDays == 1 ? "" : "s")" : "ended on \(last)"
        return "warning: the official calendar \(calendar.identity) \(when); due days after it are unknown. Load the State Council's notice for \(calendar.coveredYears.upperBound + 1) with `listledger calendar load FILE` (README, \"The official calendar\")."
    }
}
