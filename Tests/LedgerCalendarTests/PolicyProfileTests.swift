import Foundation
import Testing
@testable import LedgerCalendar

@Suite("Policy profiles")
struct PolicyProfileTests {
    @Test func builtIns() throws {
        #expect(PolicyProfile.builtInNames == ["baisha-2018", "spc-2017"])
        #expect(PolicyProfile.default.name == "baisha-2018")
        #expect(PolicyProfile.named("nope") == nil)
        let b = try #require(PolicyProfile.named("baisha-2018"))
        let s = try #require(PolicyProfile.named("spc-2017"))

        // The figures of SPEC §1 and the brief, read off the texts.
        #expect(b.correctionWindow?.period == .calendarDays(10))
        // SPEC §1 (amended): SPC art. 11 sets no time limit for the correction application.
        #expect(s.correctionWindow == nil)
        #expect(b.reconsiderationWindow.period == .calendarDays(10))
        #expect(s.reconsiderationWindow.period == .calendarDays(10))
        #expect(b.correctionReview.period == .calendarDays(3))
        #expect(s.correctionReview.period == .calendarDays(15))
        #expect(b.correctAfterUpheld.period == .calendarDays(3))
        #expect(b.correctAfterUpheld.countedFrom == .request)
        #expect(s.correctAfterUpheld.period == .workingDays(3))
        #expect(s.correctAfterUpheld.countedFrom == .decision)
        #expect(b.reconsiderationReview.period == .calendarDays(15))
        #expect(s.reconsiderationReview.period == .calendarDays(15))
        #expect(b.reconsiderationCorrect.period == .workingDays(3))
        #expect(s.reconsiderationCorrect.period == .workingDays(3))
        #expect(b.dischargeExit.period == .calendarDays(3))
        #expect(s.dischargeExit.period == .workingDays(3))
        #expect(b.exitPublish.period == .calendarDays(3))
        #expect(b.exitNotify.period == .calendarDays(3))
        #expect(s.exitPublish.period == .workingDays(3))
        #expect(s.exitNotify.period == .workingDays(3))
        #expect(b.unitLift.period == .workingDays(3))
        #expect(s.unitLift.period == .workingDays(3))
        #expect(b.repostDelete.period == .workingDays(3))
        #expect(s.repostDelete.period == .workingDays(3))
        // SPEC §1 (amended): art. 2's term and art. 10 ¶2's deletion bind every court, so the
        // county profile carries them too; only spc-2017 skips the discharge duty for term entries.
        #expect(b.inclusionTermMonths?.months == 24 && b.extensionMonths?.max == 36 && b.termEndDelete?.period == .workingDays(3))
        #expect(b.dischargeExit.excludesTermEntries == nil && s.dischargeExit.excludesTermEntries == true)
        #expect(b.correctAfterUpheld.metByGround == nil && s.correctAfterUpheld.metByGround == true)
        #expect(s.inclusionTermMonths?.months == 24)
        #expect(s.extensionMonths?.min == 12 && s.extensionMonths?.max == 36)
        #expect(s.termEndDelete?.period == .workingDays(3))
        #expect(s.inclusionTermMonths?.appliesToGrounds?.contains("able_but_refuses") == false)

        // Every period names its clause; SPC figures cite the article they come from.
        for p in [b, s] {
            for (key, period) in p.periods {
                #expect(!period.clause.isEmpty, "\(p.name).\(key)")
            }
        }
        #expect(s.correctionReview.clause.contains("第十二条"))
        #expect(s.dischargeExit.clause.contains("第十条"))
        #expect(s.termEndDelete?.clause.contains("第十条") == true)
        #expect(s.inclusionTermMonths?.clause.contains("第二条") == true)
        #expect(b.reconsiderationWindow.clause.contains("第十二条"))
    }

    @Test func jsonKeysAreTheOnesTheEngineUses() throws {
        let text = PolicyProfile.spc2017.jsonText()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["correction_window"] == nil)
        for key in ["reconsideration_window", "correction_review", "correct_after_upheld",
                    "reconsideration_review", "reconsideration_correct", "discharge_exit", "exit_publish",
                    "exit_notify", "unit_lift", "repost_delete", "inclusion_term_months", "extension_months",
                    "term_end_delete"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let upheld = try #require(object["correct_after_upheld"] as? [String: Any])
        #expect(upheld["counted_from"] as? String == "decision")
        #expect(upheld["kind"] as? String == "working")
        #expect(upheld["days"] as? Int == 3)
        let baisha = try #require(try JSONSerialization.jsonObject(with: Data(PolicyProfile.baisha2018.jsonText().utf8)) as? [String: Any])
        // Printed as readable UTF-8, not \u escapes.
        #expect(text.contains("第十二条"))
        // SPEC §1 (amended): the term and its deletion bind every court, the county's too.
        #expect(baisha["inclusion_term_months"] != nil)
        #expect(baisha["term_end_delete"] != nil)
        #expect(baisha["correction_window"] != nil)
    }

    @Test(arguments: PolicyProfile.builtInNames)
    func jsonRoundTrip(_ name: String) throws {
        let p = try #require(PolicyProfile.named(name))
        let again = try PolicyProfile(json: Array(p.jsonText().utf8))
        #expect(again == p)
        #expect(again.jsonText() == p.jsonText())
    }

    /// Ways to spoil a valid profile's JSON text.
    enum Spoil: String, CaseIterable, Sendable {
        case misspelledKey, zeroDays, unknownKind, missingPeriod

        func apply(_ s: String) -> String {
            switch self {
            case .misspelledKey: s.replacingOccurrences(of: "\"unit_lift\"", with: "\"unit_lfit\"")
            case .zeroDays: s.replacingOccurrences(of: "\"days\" : 3", with: "\"days\" : 0")
            case .unknownKind: s.replacingOccurrences(of: "\"calendar\"", with: "\"lunar\"")
            case .missingPeriod: s.replacingOccurrences(of: "\"correction_review\"", with: "\"description2\"")
            }
        }

        var expected: String {
            switch self {
            case .misspelledKey: "unknown key \"unit_lfit\""
            case .zeroDays: "days\" must be at least 1"
            case .unknownKind: "bad value"
            case .missingPeriod: "unknown key \"description2\""
            }
        }
    }

    @Test(arguments: Spoil.allCases)
    func badProfilesAreRefused(_ spoil: Spoil) {
        let original = PolicyProfile.baisha2018.jsonText()
        let text = spoil.apply(original)
        #expect(text != original, "mutation \(spoil) did not apply")
        do {
            _ = try PolicyProfile(json: Array(text.utf8))
            Issue.record("accepted a bad profile (\(spoil))")
        } catch {
            #expect(error.description.contains(spoil.expected), "\(error.description)")
        }
    }

    @Test func missingPeriodIsNamed() throws {
        // Remove "correction_review" entirely by decoding, dropping the key and re-encoding.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(PolicyProfile.baisha2018.jsonText().utf8)) as? [String: Any])
        object["correction_review"] = nil
        let data = try JSONSerialization.data(withJSONObject: object)
        do {
            _ = try PolicyProfile(json: Array(data))
            Issue.record("accepted a profile without correction_review")
        } catch {
            #expect(error.description.contains("missing \"correction_review\""), "\(error.description)")
        }
    }

    // The two profiles give different due days for the same trigger (worked out by hand from
    // the 2021, 2023/2024 and 2024 notices; see Fixtures/periods/hand-worked.json for the days).
    @Test(arguments: [
        // R3 review of a correction received Fri 2024-09-20: baisha 3 days → Mon 09-23;
        // spc 15 days → Sat 10-05, inside National Day 10-01..10-07 → Tue 10-08.
        ("correction_review", "2024-09-20", "2024-09-23", "2024-10-08"),
        // R4 after discharge on Thu 2021-09-30: baisha 3 days → Sun 10-03 (holiday) → Fri 10-08;
        // spc 3 working days → Fri 10-08, Sat 10-09 (make-up), Mon 10-11.
        ("discharge_exit", "2021-09-30", "2021-10-08", "2021-10-11"),
        // R3 revocation after upheld, triggered Thu 2023-12-28 (request in baisha, decision in spc):
        // baisha 3 days → Sun 12-31, Mon 2024-01-01 off → Tue 01-02; spc → Fri 12-29, Tue 01-02, Wed 01-03.
        ("correct_after_upheld", "2023-12-28", "2024-01-02", "2024-01-03"),
        // R5 exit publication after shielding on Thu 2024-02-08: baisha 3 days → Sun 02-11 inside
        // Spring Festival (02-10..02-17) → Sun 02-18 (make-up); spc → Fri 02-09, Sun 02-18, Mon 02-19.
        ("exit_publish", "2024-02-08", "2024-02-18", "2024-02-19"),
        ("exit_notify", "2024-02-08", "2024-02-18", "2024-02-19"),
    ])
    func profilesDiffer(_ key: String, _ trigger: String, _ baishaDue: String, _ spcDue: String) throws {
        let cal = OfficialCalendar.embedded
        let b = try #require(PolicyProfile.baisha2018.period(key))
        let s = try #require(PolicyProfile.spc2017.period(key))
        #expect(try cal.due(from: day(trigger), period: b.period) == day(baishaDue))
        #expect(try cal.due(from: day(trigger), period: s.period) == day(spcDue))
    }

    @Test func sameFigureSameDay() throws {
        // Reconsideration review: 15 calendar days in both. Request Thu 2022-09-22 → Fri 10-07
        // (National Day, 国办发明电〔2021〕11号) → Sat 10-08, a make-up day.
        let cal = OfficialCalendar.embedded
        for p in [PolicyProfile.baisha2018, PolicyProfile.spc2017] {
            #expect(try cal.due(from: day("2022-09-22"), period: p.reconsiderationReview.period) == day("2022-10-08"))
        }
    }
}
