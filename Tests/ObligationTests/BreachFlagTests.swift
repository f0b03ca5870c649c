import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 9 point 11: `breach_flagged` is refused unless that obligation exists and is breached at `at`.
struct BreachFlagTests {
    @Test("only an existing obligation breached at `at` can be flagged", arguments: bothProfiles)
    func onlyRealBreaches(profile: String) throws {
        let life = try Lifecycle(profile: profile)
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        let discharge = try life.add("obligation_discharged", at: "2018-09-10", #","basis":"full_performance""#)
        let id = "E1/R4/\(discharge)"
        let flag = { (at: String, obligation: String) in
            life.refusal("breach_flagged", at: at, actor: "system:alerts", #","obligation":"\#(obligation)""#)
        }
        // Discharged Mon 09-10; due Thu 09-13 under both profiles (3 calendar days / Tue, Wed, Thu).
        #expect(flag("2018-09-12", "E1/R4/999")?.contains("is not an obligation") == true)
        #expect(flag("2018-09-13T20:00:00+08:00", id)?.contains("is open") == true)
        #expect(flag("2018-09-14", id) == nil)
        #expect(flag("2018-09-15", id)?.contains("already flagged") == true)

        // Met in time: never a breach.
        let met = try Lifecycle(profile: profile, entry: "E2")
        try met.include(noticeAt: "2018-08-27", at: "2018-09-03")
        let metDischarge = try met.add("obligation_discharged", at: "2018-09-10", #","basis":"full_performance""#)
        try met.add("entry_shielded", at: "2018-09-11", #","reason":"discharge""#)
        #expect(met.refusal("breach_flagged", at: "2018-09-20", actor: "system:alerts", #","obligation":"E2/R4/\#(metDischarge)""#)?.contains("is met") == true)
    }
}
