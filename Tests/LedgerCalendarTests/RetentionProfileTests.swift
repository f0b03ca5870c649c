import Foundation
import Testing
@testable import LedgerCalendar

/// Issue 12, point 4: retention of personal data after the exit is policy, named by a source or left empty.
@Suite("Policy profiles: personal data retention")
struct RetentionProfileTests {
    @Test("no source sets a retention period: both built-ins say so and leave it empty", arguments: PolicyProfile.builtInNames)
    func builtInsLeaveItEmpty(name: String) throws {
        let profile = try #require(PolicyProfile.named(name))
        let retention = try #require(profile.personalDataRetention)
        #expect(retention.daysAfterExit == nil)
        #expect(retention.clause.hasPrefix("No source sets a period"))
        #expect(!profile.jsonText().contains("days_after_exit"), "an empty period is absent, never 0 or null")
    }

    @Test("a profile may name a period with its source; a period below 1 day, an empty clause or an unknown key is refused")
    func namedPeriod() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(PolicyProfile.default.jsonText().utf8)) as? [String: Any])
        object["personal_data_retention"] = ["days_after_exit": 30, "clause": "a local rule, art. 5"]
        let loaded = try PolicyProfile(json: Array(try JSONSerialization.data(withJSONObject: object)))
        #expect(loaded.personalDataRetention == ProfileRetention(daysAfterExit: 30, clause: "a local rule, art. 5"))
        for bad: [String: Any] in [["days_after_exit": 0, "clause": "x"], ["days_after_exit": 5, "clause": ""], ["days": 5, "clause": "x"]] {
            object["personal_data_retention"] = bad
            #expect(throws: ProfileError.self) { try PolicyProfile(json: Array(try JSONSerialization.data(withJSONObject: object))) }
        }
        // Profiles written before issue 12 have no key at all and still load.
        object["personal_data_retention"] = nil
        #expect(try PolicyProfile(json: Array(try JSONSerialization.data(withJSONObject: object))).personalDataRetention == nil)
    }
}
