import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 12 point 4: when a profile names a retention period after the exit, the alert runner
/// lists the entries past it as due for erasure (the court's duty). Neither built-in profile
/// names one (no source sets a period), so the period is passed in here.
@Suite("erasures due after a retention period")
struct ErasureDueTests {
    @Test("shielded 2024-03-10; 30 days kept: held through 2024-04-09, due from 2024-04-10; a listed entry is not")
    func retentionPeriod() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events([
            inclusion("R1"),
            simple("decision_served", "R1", at: "2024-03-06T10:00:00+08:00"),
            simple("obligation_discharged", "R1", at: "2024-03-08T10:00:00+08:00", extra: #","basis":"full_performance""#),
            simple("entry_shielded", "R1", at: "2024-03-10T10:00:00+08:00", extra: #","reason":"discharge""#),
            // Still listed: never due, however long ago it was included.
            inclusion("R2"),
        ]), clock: { clock("2025-01-02T00:00:00Z") })

        // Neither built-in profile names a period: nothing is due.
        #expect(try ledger.profile().personalDataRetention?.daysAfterExit == nil)
        #expect(try ledger.erasuresDue(asOf: clock("2026-12-01T10:00:00+08:00")).isEmpty)

        // Counted by hand: exit day 2024-03-10 (Beijing) + 30 calendar days = 2024-04-09
        // (March has 31 days: 21 more in March, 9 in April).
        #expect(try ledger.erasuresDue(asOf: clock("2024-04-09T23:59:00+08:00"), daysAfterExit: 30).isEmpty)
        let due = try ledger.erasuresDue(asOf: clock("2024-04-10T00:01:00+08:00"), daysAfterExit: 30)
        #expect(due.map(\.entry) == ["R1"])
        #expect(due.first?.retainedUntil.description == "2024-04-09")
        #expect(due.first?.court == "court:baisha")
    }
}
