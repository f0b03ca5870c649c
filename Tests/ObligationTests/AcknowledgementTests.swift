import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// SPEC §3 `unit_acknowledged`: the unit received the push or the exit notice. Its rules (who,
/// what it answers, not before it), the projection's memory of it, and that it creates and
/// closes no obligation ("its response is measured, not its duty").
struct AcknowledgementTests {
    /// A refusal reads `line 1, field "…": problem`; the tests compare from the field on.
    func ends(_ refusal: String?, _ text: String) -> Bool { refusal?.hasSuffix(text) == true }
    let unit = "unit:pboc-baisha"
    let other = "unit:tax-baisha"

    /// Included Mon 2018-09-03, pushed Tue 09-04 10:00, the measure applied Wed 09-05,
    /// discharged Thu 11-01, shielded Fri 11-02, the unit notified Wed 11-07 10:00 (the
    /// scenario of UnitLiftTests, whose obligations are worked there).
    func notified(_ profile: String) throws -> Lifecycle {
        let life = try Lifecycle(profile: profile)
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        try life.add("pushed_to_unit", at: "2018-09-04", #","unit":"\#(unit)""#)
        try life.add("measure_applied", at: "2018-09-05", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#)
        try life.add("obligation_discharged", at: "2018-11-01", #","basis":"full_performance""#)
        try life.add("entry_shielded", at: "2018-11-02", #","reason":"discharge""#)
        try life.add("unit_notified_of_exit", at: "2018-11-07", #","unit":"\#(unit)""#)
        return life
    }

    /// Every obligation's id, due day and status on the given days: what must not move.
    func snapshot(_ life: Lifecycle, days: [String]) throws -> [String] {
        try days.flatMap { day in
            try life.obligations(asOf: day).values
                .map { "\(day) \($0.obligation.id) due \($0.obligation.due?.description ?? "-") \($0.status.rawValue)" }
                .sorted()
        }
    }

    @Test("acknowledgements create and close no obligation", arguments: bothProfiles)
    func noObligationMoves(profile: String) throws {
        let life = try notified(profile)
        // Before, on, and after the unit_lift due day (Mon 11-12, see UnitLiftTests).
        let days = ["2018-09-04", "2018-11-02", "2018-11-08", "2018-11-13", "2019-01-31"]
        let before = try snapshot(life, days: days)
        #expect(before.contains { $0.hasPrefix("2018-11-13 E1/R6/") && $0.hasSuffix(" breached") })
        try life.add("unit_acknowledged", at: "2018-09-04T15:00:00+08:00", actor: unit, #","unit":"\#(unit)","of":"push""#)
        try life.add("unit_acknowledged", at: "2018-11-08", actor: unit, #","unit":"\#(unit)","of":"exit_notice""#)
        #expect(try snapshot(life, days: days) == before)
    }

    @Test func theStateRemembersWhoAcknowledgedWhat() throws {
        let life = try notified("baisha-2018")
        try life.add("unit_acknowledged", at: "2018-11-08", actor: unit, #","unit":"\#(unit)","of":"exit_notice""#)
        var state = try #require(try life.ledger.storedEntryState("E1"))
        #expect(state.acknowledged == ["exit_notice:\(unit)"])
        #expect(state.hasAcknowledged(.exitNotice, unit: unit))
        #expect(!state.hasAcknowledged(.push, unit: unit))
        // A push acknowledged late (recorded after the exit) is still a fact.
        try life.add("unit_acknowledged", at: "2018-09-04T15:00:00+08:00", actor: unit, #","unit":"\#(unit)","of":"push""#)
        state = try #require(try life.ledger.storedEntryState("E1"))
        #expect(state.acknowledged == ["exit_notice:\(unit)", "push:\(unit)"])
        // The stored projection row reads back to the same state.
        #expect(EntryState(storage: state.storageJSON) == state)
    }

    @Test func aRepeatIsStoredOnce() throws {
        let life = try notified("baisha-2018")
        let fields = #","unit":"\#(unit)","of":"push""#
        let first = try life.add("unit_acknowledged", at: "2018-09-04T15:00:00+08:00", actor: unit, fields)
        #expect(first > 0)
        // Same content, no id: a repeat (Lifecycle.add returns -1 when nothing was appended).
        #expect(try life.add("unit_acknowledged", at: "2018-09-04T15:00:00+08:00", actor: unit, fields) == -1)
        #expect(try life.ledger.storedEntryState("E1")?.lastSeq == first)
    }

    @Test func onlyTheUnitItselfAcknowledges() throws {
        let life = try notified("baisha-2018")
        let byCourt = life.refusal("unit_acknowledged", at: "2018-11-08", #","unit":"\#(unit)","of":"exit_notice""#)
        #expect(ends(byCourt, #"field "actor": unit_acknowledged is recorded by the unit itself, not court:baisha"#))
        let byOther = life.refusal("unit_acknowledged", at: "2018-11-08", actor: other, #","unit":"\#(unit)","of":"exit_notice""#)
        #expect(ends(byOther, #"field "unit": a unit records only its own acknowledgements: unit is unit:pboc-baisha but actor is unit:tax-baisha"#))
        #expect(try life.ledger.storedEntryState("E1")?.acknowledged == [])
    }

    @Test func anAcknowledgementAnswersAnActOnRecord() throws {
        let life = try Lifecycle(profile: "baisha-2018")
        #expect(life.refusal("unit_acknowledged", at: "2018-09-04", actor: unit, #","unit":"\#(unit)","of":"push""#)?
            .contains(#"field "entry": entry "E1" does not exist"#) == true)
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        // Told as employer only: that is not a push.
        try life.add("employer_notified", at: "2018-09-04", #","unit":"\#(other)""#)
        #expect(ends(life.refusal("unit_acknowledged", at: "2018-09-05", actor: other, #","unit":"\#(other)","of":"push""#)
, #"field "unit": entry "E1" was never pushed to unit:tax-baisha"#))
        try life.add("pushed_to_unit", at: "2018-09-04", #","unit":"\#(unit)""#)
        // 09:59 is before the push at 10:00 Beijing time.
        #expect(ends(life.refusal("unit_acknowledged", at: "2018-09-04T09:59:00+08:00", actor: unit, #","unit":"\#(unit)","of":"push""#)
, #"field "at": 2018-09-04T09:59:00+08:00 is before the push to unit:pboc-baisha it answers (2018-09-04T10:00:00+08:00); an act cannot precede the act it answers"#))
        // No exit notice yet.
        #expect(ends(life.refusal("unit_acknowledged", at: "2018-09-05", actor: unit, #","unit":"\#(unit)","of":"exit_notice""#)
, #"field "unit": entry "E1" never had unit:pboc-baisha notified of its exit"#))
        try life.add("unit_acknowledged", at: "2018-09-04T10:00:00+08:00", actor: unit, #","unit":"\#(unit)","of":"push""#)
        try life.add("entry_revoked", at: "2018-09-10", #","reason":"error""#)
        try life.add("unit_notified_of_exit", at: "2018-09-11", #","unit":"\#(unit)""#)
        #expect(life.refusal("unit_acknowledged", at: "2018-09-10", actor: unit, #","unit":"\#(unit)","of":"exit_notice""#)?
            .contains(#"field "at": 2018-09-10T10:00:00+08:00 is before the exit notice to unit:pboc-baisha it answers"#) == true)
        try life.add("unit_acknowledged", at: "2018-09-11T16:30:00+08:00", actor: unit, #","unit":"\#(unit)","of":"exit_notice""#)
        #expect(try life.ledger.storedEntryState("E1")?.acknowledged == ["push:\(unit)", "exit_notice:\(unit)"])
    }
}
