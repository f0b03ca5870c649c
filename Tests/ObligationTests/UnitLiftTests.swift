import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 9 point 1: R6 is two duties (SPEC §1), so a late retention no longer erases lateness.
struct UnitLiftTests {
    let unit = "unit:pboc-baisha"

    /// Included Mon 2018-09-03, pushed and the measure applied, discharged Thu 11-01, shielded
    /// Fri 11-02, the unit notified Wed 2018-11-07.
    func notified(_ profile: String) throws -> (Lifecycle, notice: Int64) {
        let life = try Lifecycle(profile: profile)
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        try life.add("pushed_to_unit", at: "2018-09-04", #","unit":"\#(unit)""#)
        try life.add("measure_applied", at: "2018-09-05", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#)
        try life.add("obligation_discharged", at: "2018-11-01", #","basis":"full_performance""#)
        try life.add("entry_shielded", at: "2018-11-02", #","reason":"discharge""#)
        let notice = try life.add("unit_notified_of_exit", at: "2018-11-07", #","unit":"\#(unit)""#)
        return (life, notice)
    }

    @Test("a late retention keeps the unit late; the retention's end day is a second duty", arguments: bothProfiles)
    func lateRetentionStaysLate(profile: String) throws {
        let (life, notice) = try notified(profile)
        // Nothing by Tue 11-13: unit_lift, 3 working days after Wed 11-07 (Thu 08, Fri 09,
        // Mon 12; November 2018 has no day off besides weekends), was due Mon 11-12: breached.
        let before = try life.duty("unit_lift", asOf: "2018-11-13")
        #expect(before.count == 1)
        #expect(before.first?.obligation.id == "E1/R6/\(notice)/\(unit)/credit_restriction")
        #expect(before.first?.obligation.due?.description == "2018-11-12")
        #expect(before.first?.status == .breached)
        try life.add("breach_flagged", at: "2018-11-13", actor: "system:alerts", #","obligation":"E1/R6/\#(notice)/\#(unit)/credit_restriction""#)

        // Retained Tue 11-20 until 12-31, lifted Thu 12-20.
        let retention = try life.add("measure_retained", at: "2018-11-20", actor: unit,
                                     #","unit":"\#(unit)","measure":"credit_restriction","legal_basis":"征信异议处理程序尚未终结","until":"2018-12-31""#)
        let lift = try life.add("measure_lifted", at: "2018-12-20", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#)

        let lifts = try life.duty("unit_lift", asOf: "2019-01-15")
        #expect(lifts.count == 1)
        // The flagged obligation still exists: decided on 11-20, 8 days after its due day 11-12.
        #expect(lifts.first?.obligation.id == "E1/R6/\(notice)/\(unit)/credit_restriction")
        #expect(lifts.first?.status == .late)
        #expect(lifts.first?.obligation.metSeq == retention)
        #expect(lifts.first?.obligation.daysLate(asOf: Instant.endOfBeijingDay(BeijingDay(iso: "2019-01-15")!)) == 8)

        let kept = try life.duty("lift_after_retention", asOf: "2019-01-15")
        #expect(kept.count == 1)
        #expect(kept.first?.obligation.id == "E1/R6/\(retention)/\(unit)/credit_restriction")
        #expect(kept.first?.obligation.rule == "R6")
        #expect(kept.first?.obligation.obligor == unit)
        // The until day itself is the due day (a date, not a period: no rest-day shift).
        #expect(kept.first?.obligation.due?.description == "2018-12-31")
        #expect(kept.first?.obligation.metSeq == lift)
        #expect(kept.first?.status == .met)

        // The accountability report counts the unit once late, once met.
        let asOf = Instant.endOfBeijingDay(BeijingDay(iso: "2019-01-15")!)
        var events: [RecordedEvent] = []
        try life.ledger.forEachEvent { events.append($0) }
        let report = AccountabilityReport(from: BeijingDay(iso: "2018-01-01")!, to: BeijingDay(iso: "2018-12-31")!, asOf: asOf,
                                          profile: profile, obligations: try life.ledger.obligations(ObligationQuery(asOf: asOf)), events: events)
        let party = try #require(report.parties.first { $0.obligor == unit })
        #expect(party.count(.late) == 1)
        #expect(party.count(.met) == 1)
    }

    @Test("a retention not lifted by its until day is breached; a lift in time meets both", arguments: bothProfiles)
    func retentionEndDay(profile: String) throws {
        let (life, notice) = try notified(profile)
        // Retained Fri 11-09 (2nd working day: in time) until Fri 11-30; nothing by Mon 12-03.
        let retention = try life.add("measure_retained", at: "2018-11-09", actor: unit,
                                     #","unit":"\#(unit)","measure":"credit_restriction","legal_basis":"征信异议处理程序尚未终结","until":"2018-11-30""#)
        let all = try life.obligations(asOf: "2018-12-03")
        #expect(all["E1/R6/\(notice)/\(unit)/credit_restriction"]?.status == .met)
        #expect(all["E1/R6/\(retention)/\(unit)/credit_restriction"]?.obligation.duty == "lift_after_retention")
        #expect(all["E1/R6/\(retention)/\(unit)/credit_restriction"]?.status == .breached)

        // Another unit-less lifecycle: lifted on the due day Mon 11-12 itself, no retention.
        let (other, otherNotice) = try notified(profile)
        try other.add("measure_lifted", at: "2018-11-12T23:59:00+08:00", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#)
        let lifted = try other.obligations(asOf: "2018-12-03").values.filter { $0.obligation.rule == "R6" }
        #expect(lifted.map(\.obligation.id) == ["E1/R6/\(otherNotice)/\(unit)/credit_restriction"])
        #expect(lifted.first?.status == .met)
    }
}
