import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 9 point 9: what cannot be a fact is refused, nothing written (SPEC §3).
struct RefusalTests {
    let unit = "unit:pboc-baisha"

    @Test func anInclusionMustNameTheDebtorAndCaseOfItsRiskNotice() throws {
        let life = try Lifecycle(profile: "baisha-2018")
        try life.add("risk_notice_issued", at: "2018-08-27", #","court":"court:baisha","case":"\#(Lifecycle.caseNumber)","debtor":\#(Lifecycle.debtor)"#)
        // 460030198001010105: another valid resident ID (check digit worked in BadInputTests).
        let other = #"{"kind":"person","name":"某丙","id_number":"460030198001010105"}"#
        let byDebtor = life.refusal("inclusion_decided", at: "2018-09-03", #","court":"court:baisha","case":"\#(Lifecycle.caseNumber)","debtor":\#(other),"grounds":["evasion"],"public":true"#)
        #expect(byDebtor?.contains("debtor.id_number") == true && byDebtor?.contains("another debtor") == true)
        let byCase = life.refusal("inclusion_decided", at: "2018-09-03", #","court":"court:baisha","case":"(2018)琼9025执99号","debtor":\#(Lifecycle.debtor),"grounds":["evasion"],"public":true"#)
        #expect(byCase?.contains("\"case\"") == true)
        // Nothing was written: the entry is still only noticed, and R1 was not met by a stranger.
        #expect(try life.ledger.storedEntryState("E1")?.included == false)
        #expect(try life.obligations(asOf: "2018-09-30").isEmpty)
    }

    @Test("acts dated before the act they answer", arguments: bothProfiles)
    func actsBeforeWhatTheyAnswer(profile: String) throws {
        let life = try Lifecycle(profile: profile)
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03T10:00:00+08:00")
        func refusedForAt(_ type: String, _ at: String, actor: String? = nil, _ fields: String = "") -> Bool {
            life.refusal(type, at: at, actor: actor, fields)?.contains("field \"at\"") == true
        }
        // A service before the decision served: it would silently close the debtor's window.
        #expect(refusedForAt("decision_served", "2018-09-03T09:00:00+08:00"))
        try life.add("pushed_to_unit", at: "2018-09-04", #","unit":"\#(unit)""#)
        #expect(refusedForAt("measure_applied", "2018-09-04T09:00:00+08:00", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#))
        try life.add("measure_applied", at: "2018-09-05", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#)
        try life.add("correction_requested", at: "2018-09-10")
        #expect(refusedForAt("correction_decided", "2018-09-09", #","outcome":"rejected""#))
        try life.add("correction_decided", at: "2018-09-12", #","outcome":"upheld""#)
        #expect(refusedForAt("entry_revoked", "2018-09-01", #","reason":"correction""#))
        try life.add("entry_revoked", at: "2018-09-13", #","reason":"correction""#)
        #expect(refusedForAt("exit_published", "2018-09-12"))
        #expect(refusedForAt("unit_notified_of_exit", "2018-09-12", #","unit":"\#(unit)""#))
        try life.add("unit_notified_of_exit", at: "2018-09-14", #","unit":"\#(unit)""#)
        #expect(refusedForAt("measure_lifted", "2018-09-04", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#))
        try life.add("measure_lifted", at: "2018-09-17", actor: unit, #","unit":"\#(unit)","measure":"credit_restriction""#)
    }

    @Test func aLowercaseXIsReadAsXAndStoredSo() throws {
        // 46003019800101101X: Σ aᵢ·wᵢ over 46003019800101101 = 189, 189 mod 11 = 2 → X.
        let event = try Event.decode(jsonLine: Array(#"{"type":"risk_notice_issued","entry":"E1","at":"2018-08-27T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"c","debtor":{"kind":"person","name":"某甲","id_number":"46003019800101101x"}}"#.utf8))
        guard case let .riskNoticeIssued(_, _, debtor) = event.body else { Issue.record("not a notice"); return }
        #expect(debtor.idNumber == "46003019800101101X")
    }

    @Test func checkCharactersAgainstTheStandardsExamples() throws {
        // GB 11643-1999's worked example; and a unified social credit code often quoted as an
        // example of GB 32100 (91350100M000100Y43), checked by hand: Σ = 1640, 1640 mod 31 = 28,
        // 31 − 28 = 3 → "3".
        #expect(IdentityNumber.residentCheckCharacter("11010519491231002".map { Int(String($0))! }) == "X")
        #expect(IdentityNumber.creditCheckCharacter(Array("91350100M000100Y4")) == "3")
        #expect(throws: Never.self) { try IdentityNumber.check("11010519491231002X", kind: .person) }
        #expect(throws: InputError.self) { try IdentityNumber.check("110105194912310021", kind: .person) }
        #expect(throws: Never.self) { try IdentityNumber.check("91350100M000100Y43", kind: .organization) }
        #expect(throws: InputError.self) { try IdentityNumber.check("91350100M000100Y44", kind: .organization) }
    }
}
