import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 9 point 12: `record_annulled` undoes a clerical error (SPEC §3 and its limits).
struct AnnulmentTests {
    @Test func aMisspeltUnitIsAnnulledAndItsPhantomDutiesGo() throws {
        let life = try Lifecycle(profile: "baisha-2018")
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        let typo = try life.add("pushed_to_unit", at: "2018-09-04", #","unit":"unit:pboc-baisah""#)
        try life.add("pushed_to_unit", at: "2018-09-04T11:00:00+08:00", #","unit":"unit:pboc-baisha""#)
        try life.add("obligation_discharged", at: "2018-09-10", #","basis":"full_performance""#)
        try life.add("entry_shielded", at: "2018-09-11", #","reason":"discharge""#)
        #expect(try life.duty("exit_notify", asOf: "2018-09-30").map(\.obligation.obligor).count == 2)
        // A unit cannot annul the court's push; the court can. Annulling twice, or annulling the
        // annulment, is refused.
        #expect(life.refusal("record_annulled", at: "2018-09-12", actor: "unit:pboc-baisha", #","annuls":\#(typo),"reason":"x""#)?.contains("field \"actor\"") == true)
        let annulment = try life.add("record_annulled", at: "2018-09-12", #","annuls":\#(typo),"reason":"单位代码录入错误""#)
        #expect(life.refusal("record_annulled", at: "2018-09-12", #","annuls":\#(typo),"reason":"x""#)?.contains("already annulled") == true)
        #expect(life.refusal("record_annulled", at: "2018-09-12", #","annuls":\#(annulment),"reason":"x""#)?.contains("final") == true)
        // The phantom unit holds nothing: only the real unit is owed an exit notice.
        let notify = try life.duty("exit_notify", asOf: "2018-09-30")
        #expect(notify.map { $0.obligation.id } == ["E1/R5/\(typo + 3)/unit:pboc-baisha"])
        #expect(try life.ledger.storedEntryState("E1")?.units == ["unit:pboc-baisha"])
        // The annulled event stays in the log, which still verifies.
        #expect(try allEvents(life.ledger).count == Int(annulment))
    }

    @Test func annulmentsThatWouldLeaveAnImpossibleHistoryAreRefused() throws {
        let life = try Lifecycle(profile: "spc-2017")
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        let push = try life.add("pushed_to_unit", at: "2018-09-04", #","unit":"unit:pboc-baisha""#)
        try life.add("measure_applied", at: "2018-09-05", actor: "unit:pboc-baisha", #","unit":"unit:pboc-baisha","measure":"credit_restriction""#)
        // Without the push, the unit's measure could not have been applied.
        #expect(life.refusal("record_annulled", at: "2018-09-06", #","annuls":\#(push),"reason":"x""#)?.contains("could not be a fact") == true)
        // Another entry's event is not this entry's to annul.
        let other = try Lifecycle(profile: "spc-2017", entry: "E1")
        #expect(other.refusal("record_annulled", at: "2018-09-06", #","annuls":1,"reason":"x""#) != nil)
    }

    // MARK: the property of the issue

    /// A small deterministic generator (SplitMix64), so a failure names a reproducible seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One random valid lifecycle, as (type, at, actor, fields) in append order.
    static func lifecycle(seed: UInt64) -> [(String, String, String?, String)] {
        var rng = Generator(state: seed)
        var day = 3
        func at() -> String { day += Int.random(in: 1...4, using: &rng); return String(format: "2019-%02d-%02d", 3 + day / 28, 1 + day % 28) }
        let units = ["unit:pboc-baisha", "unit:baisha-psb"].filter { _ in Bool.random(using: &rng) }
        let grounds = Bool.random(using: &rng) ? #"["evasion"]"# : #"["able_but_refuses"]"#
        var out: [(String, String, String?, String)] = []
        out.append(("risk_notice_issued", "2019-02-20", nil, #","court":"court:baisha","case":"\#(Lifecycle.caseNumber)","debtor":\#(Lifecycle.debtor)"#))
        out.append(("inclusion_decided", "2019-03-01", nil, #","court":"court:baisha","case":"\#(Lifecycle.caseNumber)","debtor":\#(Lifecycle.debtor),"grounds":\#(grounds),"public":true"#))
        out.append(("decision_served", at(), nil, ""))
        if Bool.random(using: &rng) { out.append(("entry_published", at(), nil, "")) }
        for unit in units {
            out.append(("pushed_to_unit", at(), nil, #","unit":"\#(unit)""#))
            out.append(("measure_applied", at(), unit, #","unit":"\#(unit)","measure":"m1""#))
        }
        if Bool.random(using: &rng) {
            out.append(("correction_requested", at(), nil, ""))
            out.append(("correction_decided", at(), nil, #","outcome":"rejected""#))
            if Bool.random(using: &rng) { out.append(("rejection_served", at(), nil, "")) }
        }
        out.append(("obligation_discharged", at(), nil, #","basis":"creditor_request""#))
        if Bool.random(using: &rng) {
            out.append(("entry_shielded", at(), nil, #","reason":"discharge""#))
            if Bool.random(using: &rng) { out.append(("exit_published", at(), nil, "")) }
            for unit in units where Bool.random(using: &rng) {
                out.append(("unit_notified_of_exit", at(), nil, #","unit":"\#(unit)""#))
                if Bool.random(using: &rng) {
                    out.append(("measure_retained", at(), unit, #","unit":"\#(unit)","measure":"m1","legal_basis":"b","until":"2019-12-31""#))
                }
                if Bool.random(using: &rng) { out.append(("measure_lifted", at(), unit, #","unit":"\#(unit)","measure":"m1""#)) }
            }
        }
        return out
    }

    /// What must be equal, with seqs (which differ by one after the left-out event) taken out.
    static func picture(_ life: Lifecycle) throws -> (state: String, obligations: [String]) {
        var state = try #require(try life.ledger.storedEntryState("E1"))
        state.lastSeq = 0
        let obligations = try life.obligations(asOf: "2020-06-30").values.map { o, status in
            [o.rule, o.duty, o.obligor, o.triggerAt.description, o.due?.description ?? "-", status.rawValue, o.metAt?.description ?? "-"].joined(separator: " ")
        }.sorted()
        // Measures and units keep their order; the JSON of the state is the comparison.
        return (String(decoding: state.storageJSON, as: UTF8.self), obligations)
    }

    @Test("annulling any annullable event equals never appending it", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func annulledEqualsNeverAppended(seed: UInt64) throws {
        let events = Self.lifecycle(seed: seed)
        var tried = 0
        defer { #expect(tried >= events.count / 2, "seed \(seed): only \(tried) of \(events.count) events were annullable") }
        for (index, left) in events.enumerated() {
            let annulled = try Lifecycle(profile: seed % 2 == 0 ? "baisha-2018" : "spc-2017")
            for (type, at, actor, fields) in events { try annulled.add(type, at: at, actor: actor, fields) }
            // Annulled by its own recorder (the court, or the unit for its own acts).
            guard annulled.refusal("record_annulled", at: "2020-01-02", actor: left.2, #","annuls":\#(index + 1),"reason":"录入错误""#) == nil else {
                continue  // not annullable: the rest of the history depends on it
            }
            tried += 1
            let never = try Lifecycle(profile: seed % 2 == 0 ? "baisha-2018" : "spc-2017")
            for (position, (type, at, actor, fields)) in events.enumerated() where position != index {
                try never.add(type, at: at, actor: actor, fields)
            }
            let a = try Self.picture(annulled), b = try Self.picture(never)
            #expect(a.obligations == b.obligations, "seed \(seed), annulled line \(index + 1) (\(left.0))")
            // The marks of the state keep instants, not seqs: equal too.
            #expect(a.state == b.state, "seed \(seed), annulled line \(index + 1) (\(left.0))")
            // And a rebuild from the log agrees with what the appends kept.
            try annulled.ledger.rebuild()
            #expect(try Self.picture(annulled).obligations == a.obligations)
            #expect(try Self.picture(annulled).state == a.state)
        }
    }
}
