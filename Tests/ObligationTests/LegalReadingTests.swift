import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 9 points 2–7: the readings of SPEC §1, each under both profiles with the days counted
/// by hand from the State Council notices (Fixtures/calendars).
struct LegalReadingTests {
    /// Included Mon 2018-09-03, served Tue 09-04.
    func served(_ profile: String, grounds: String = #"["able_but_refuses"]"#, method: String? = nil) throws -> Lifecycle {
        let life = try Lifecycle(profile: profile)
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03", grounds: grounds)
        try life.add("decision_served", at: "2018-09-04", method.map { #","method":"\#($0)""# } ?? "")
        return life
    }

    // MARK: point 2 — the reconsideration window runs from service of the rejection

    @Test("reconsideration window from rejection_served", arguments: bothProfiles)
    func reconsiderationWindowRunsFromService(profile: String) throws {
        let life = try served(profile)
        try life.add("correction_requested", at: "2018-09-10")
        try life.add("correction_decided", at: "2018-09-12", #","outcome":"rejected""#)
        // The rejection alone opens no window.
        #expect(try life.duty("reconsideration_window", asOf: "2018-09-19").isEmpty)
        let service = try life.add("rejection_served", at: "2018-09-20")
        // A second service of the same rejection is refused.
        #expect(life.refusal("rejection_served", at: "2018-09-21")?.contains("already") == true)
        // Served Thu 09-20; +10 = Sun 09-30, an official make-up working day (2018 notice: 国庆节
        // 10月1日至7日放假, 9月29日、9月30日上班): due Sun 09-30. Counted from the rejection (Wed
        // 09-12) it would have been Sat 09-22 → 中秋 09-22..24 off → Tue 09-25, and the
        // request of 09-28 late.
        try life.add("reconsideration_requested", at: "2018-09-28", #","court":"court:hainan-2nd-intermediate""#)
        let window = try #require(try life.duty("reconsideration_window", asOf: "2018-10-15").first)
        #expect(window.obligation.id == "E1/R2/\(service)")
        #expect(window.obligation.due?.description == "2018-09-30")
        #expect(window.status == .met)
    }

    @Test("a service dated before the rejection is refused", arguments: bothProfiles)
    func serviceBeforeRejectionRefused(profile: String) throws {
        let life = try served(profile)
        try life.add("correction_requested", at: "2018-09-10")
        try life.add("correction_decided", at: "2018-09-12", #","outcome":"rejected""#)
        let refusal = try #require(life.refusal("rejection_served", at: "2018-09-11"))
        #expect(refusal.contains("\"at\"") && refusal.contains("before the rejection"))
    }

    // MARK: point 3 — spc-2017 sets no correction window

    @Test func spcHasNoCorrectionWindowBaishaHasTen() throws {
        // baisha: served Tue 09-04 + 10 = Fri 09-14 (a working day).
        let baisha = try served("baisha-2018")
        let window = try #require(try baisha.duty("correction_window", asOf: "2018-09-30").first)
        #expect(window.obligation.due?.description == "2018-09-14")
        #expect(window.status == .closed)
        // spc-2017: art. 11 sets no time limit, so no R2 at all.
        let spc = try served("spc-2017")
        #expect(try spc.obligations(asOf: "2018-09-30").values.contains { $0.obligation.rule == "R2" } == false)
    }

    // MARK: point 4 — posted applications and service by public notice

    @Test func aPostedApplicationInTimeIsMet() throws {
        // baisha: window due Fri 09-14 (above); received Mon 09-17, posted Fri 09-14: in time.
        let posted = try served("baisha-2018")
        try posted.add("correction_requested", at: "2018-09-17", #","posted_on":"2018-09-14""#)
        #expect(try posted.duty("correction_window", asOf: "2018-09-30").first?.status == .met)
        // The same receipt without a posting day is late (3 days after 09-14).
        let received = try served("baisha-2018")
        try received.add("correction_requested", at: "2018-09-17")
        let late = try #require(try received.duty("correction_window", asOf: "2018-09-30").first)
        #expect(late.status == .late)
        #expect(late.obligation.daysLate(asOf: Instant.endOfBeijingDay(BeijingDay(iso: "2018-09-30")!)) == 3)
    }

    @Test("service by public notice is deemed 30 days on (60 before 2022)", arguments: bothProfiles)
    func publicNotice(profile: String) throws {
        // Before 2022-01-01, 60 days: notice Tue 2018-09-04 → deemed Sat 11-03; +10 = Tue 11-13.
        let old = try served("baisha-2018", method: "public_notice")
        #expect(try old.duty("correction_window", asOf: "2018-11-30").first?.obligation.due?.description == "2018-11-13")
        // After: a rejection served by notice Tue 2022-03-01 → deemed Thu 03-31; +10 = Sun 04-10,
        // a rest day (2022: 清明 04-03..05 off, Sat 04-02 worked; 04-10 an ordinary Sunday) →
        // Mon 04-11.
        let life = try Lifecycle(profile: profile)
        try life.include(noticeAt: "2022-01-20", at: "2022-02-07")
        try life.add("decision_served", at: "2022-02-08")
        try life.add("correction_requested", at: "2022-02-10")
        try life.add("correction_decided", at: "2022-02-14", #","outcome":"rejected""#)
        try life.add("rejection_served", at: "2022-03-01", #","method":"public_notice""#)
        let window = try #require(try life.duty("reconsideration_window", asOf: "2022-04-30").first)
        #expect(window.obligation.due?.description == "2022-04-11")
        #expect(window.status == .closed)
    }

    // MARK: point 5 — an upheld correction met according to its ground

    /// Request Mon 09-10 on `ground`, upheld Wed 09-12.
    func upheld(_ profile: String, ground: String) throws -> Lifecycle {
        let life = try served(profile)
        try life.add("correction_requested", at: "2018-09-10", #","ground":"\#(ground)""#)
        try life.add("correction_decided", at: "2018-09-12", #","outcome":"upheld""#)
        return life
    }

    @Test func spcInaccurateIsMetByCorrectionBaishaOnlyByRevocation() throws {
        // spc: 3 working days from the decision Wed 09-12: Thu 13, Fri 14, Mon 17 → due 09-17.
        let spc = try upheld("spc-2017", ground: "inaccurate")
        let corrected = try spc.add("entry_corrected", at: "2018-09-14",
                                    #","corrections":{"debtor.name":"某乙","case":"(2018)琼9025执2号"},"reason":"姓名和案号录入错误""#)
        let duty = try #require(try spc.duty("correct_after_upheld", asOf: "2018-09-30").first)
        #expect(duty.obligation.due?.description == "2018-09-17")
        #expect(duty.status == .met)
        #expect(duty.obligation.metSeq == corrected)
        // The projection shows the corrected values.
        let state = try #require(try spc.ledger.storedEntryState("E1"))
        #expect(state.debtor == "某乙")
        #expect(state.caseNumber == "(2018)琼9025执2号")
        #expect(state.status == .listed)

        // baisha: revoke within 3 days of the request Mon 09-10 → Thu 09-13; a correction does
        // not meet it.
        let baisha = try upheld("baisha-2018", ground: "inaccurate")
        try baisha.add("entry_corrected", at: "2018-09-12T17:00:00+08:00", #","corrections":{"debtor.name":"某乙"},"reason":"姓名录入错误""#)
        let county = try #require(try baisha.duty("correct_after_upheld", asOf: "2018-09-14").first)
        #expect(county.obligation.due?.description == "2018-09-13")
        #expect(county.status == .breached)
    }

    @Test func spcShouldNotBeListedNeedsRevocationShouldBeDeletedAnyExit() throws {
        let listed = try upheld("spc-2017", ground: "should_not_be_listed")
        try listed.add("entry_corrected", at: "2018-09-13", #","corrections":{"debtor.name":"某乙"},"reason":"x""#)
        #expect(try listed.duty("correct_after_upheld", asOf: "2018-09-18").first?.status == .breached)
        try listed.add("entry_revoked", at: "2018-09-19", #","reason":"correction""#)
        #expect(try listed.duty("correct_after_upheld", asOf: "2018-09-30").first?.status == .late)

        let deleted = try upheld("spc-2017", ground: "should_be_deleted")
        try deleted.add("entry_shielded", at: "2018-09-17", #","reason":"correction""#)
        #expect(try deleted.duty("correct_after_upheld", asOf: "2018-09-30").first?.status == .met)
    }

    @Test func correctionsOfUnknownFieldsOrBadIDsAreRefused() throws {
        let life = try upheld("spc-2017", ground: "inaccurate")
        #expect(life.refusal("entry_corrected", at: "2018-09-13", #","corrections":{"debtor.age":"40"},"reason":"x""#)?.contains("corrections.debtor.age") == true)
        #expect(life.refusal("entry_corrected", at: "2018-09-13", #","corrections":{"debtor.id_number":"460025198001010011"},"reason":"x""#)?.contains("check digit") == true)
        #expect(life.refusal("entry_corrected", at: "2018-09-13", actor: "unit:pboc-baisha", #","corrections":{"case":"x"},"reason":"x""#) != nil)
    }

    // MARK: point 6 — the seven discharge bases of SPC art. 10

    @Test("every basis of SPC art. 10 opens R4", arguments: DischargeBasis.allCases.map(\.rawValue))
    func everyDischargeBasis(basis: String) throws {
        #expect(DischargeBasis.allCases.count == 7)
        for profile in bothProfiles {
            let life = try served(profile)
            try life.add("obligation_discharged", at: "2018-09-10", #","basis":"\#(basis)""#)
            // Mon 09-10: baisha +3 calendar = Thu 09-13; spc 3 working days = Thu 09-13 too.
            let duty = try #require(try life.duty("discharge_exit", asOf: "2018-09-12").first, "\(profile) \(basis)")
            #expect(duty.obligation.due?.description == "2018-09-13")
        }
    }

    // MARK: point 7 — inclusion terms and term_extended

    @Test("a term entry is deleted 3 working days after its term, extended or not", arguments: bothProfiles)
    func termEnd(profile: String) throws {
        let life = try served(profile, grounds: #"["evasion"]"#)
        // 24 months from Mon 2018-09-03 → Thu 2020-09-03; Fri 04, Mon 07, Tue 08 → due 2020-09-08.
        let plain = try #require(try life.duty("term_end_delete", asOf: "2020-09-09").first)
        #expect(plain.obligation.due?.description == "2020-09-08")
        #expect(plain.status == .breached)
        // Extended by 12 months (recorded in 2019): ends Fri 2021-09-03; Mon 06, Tue 07, Wed 08.
        try life.add("term_extended", at: "2019-05-06", #","months":12,"reason":"多项失信行为""#)
        let extended = try #require(try life.duty("term_end_delete", asOf: "2021-09-09").first)
        #expect(extended.obligation.due?.description == "2021-09-08")
        // Never beyond 60 months in all: 24 + 12 + 36 = 72 is refused, 24 + 12 + 24 = 60 is not.
        #expect(life.refusal("term_extended", at: "2019-05-07", #","months":36,"reason":"x""#)?.contains("at most 60") == true)
        try life.add("term_extended", at: "2019-05-07", #","months":24,"reason":"情节严重""#)
        // Nor outside 12–36 at once.
        #expect(life.refusal("term_extended", at: "2019-05-08", #","months":6,"reason":"x""#)?.contains("12 to 36") == true)
    }

    @Test("an entry without a term cannot be extended", arguments: bothProfiles)
    func noTermNoExtension(profile: String) throws {
        let life = try served(profile)
        #expect(life.refusal("term_extended", at: "2018-10-08", #","months":12,"reason":"x""#)?.contains("no inclusion term") == true)
        #expect(try life.duty("term_end_delete", asOf: "2026-01-01").isEmpty)
    }

    @Test func dischargeOfATermEntryOpensR4OnlyUnderBaisha() throws {
        // SPC art. 10 ¶2: 有纳入期限的，不适用前款规定 — spc opens no discharge duty for a term
        // entry; the county's 3 days apply to every discharged entry.
        for (profile, expected) in [("baisha-2018", 1), ("spc-2017", 0)] {
            let life = try served(profile, grounds: #"["obstruction"]"#)
            try life.add("obligation_discharged", at: "2018-09-10", #","basis":"creditor_request""#)
            #expect(try life.duty("discharge_exit", asOf: "2018-09-12").count == expected, "\(profile)")
        }
    }
}
