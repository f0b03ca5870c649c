import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import Testing

/// Issue 9 point 15: what a bundle cannot establish is said, by `audit` and by the Python
/// verifier alike.
struct PartialBundleTests {
    @Test func aRangeBundleSaysItsObligationsMayBeIncompleteAndEstablishesNoR1() throws {
        let ledger = try TestLedger.demo()
        let key = try ledger.verifierKey()
        let bundle = ledger.path("range.json")
        try ledger.ok(["export"], ["--bundle", bundle, "--from", "2019-01-01", "--to", "2019-12-31"])
        let (swift, python) = try auditBoth(bundle, key: key)
        #expect(swift.status == 0 && python.status == 0, "\(swift)\n\(python)")
        let audit = try swift.json()
        #expect(array(member(audit, "warnings")).contains { string($0)?.contains("may be incomplete") == true })
        let obligations = array(member(audit, "obligations"))
        #expect(!obligations.isEmpty)
        #expect(obligations.allSatisfy { member($0, "may_be_incomplete") == .bool(true) })
        // No R1 is stated as a breach: the notice may lie before 2019.
        #expect(!obligations.contains { string(member($0, "rule")) == "R1" && string(member($0, "status")) == "breached" })
        #expect(array(member(try python.json(), "warnings")).contains { string($0)?.contains("may be incomplete") == true })
        // An entry bundle is the entry's whole history: complete, no such warning.
        let state = try ledger.ok("state", "--json").json()
        let entry = try #require(string(member(array(member(state, "entries")).first, "entry")))
        try ledger.ok(["export"], ["--bundle", bundle, "--entry", entry])
        let whole = try auditBoth(bundle, key: key).swift.json()
        #expect(!array(member(whole, "warnings")).contains { string($0)?.contains("may be incomplete") == true })
    }

    @Test func rulesThatDifferFromTheBuiltInOnesAreNamedPeriodByPeriodAndDayByDay() throws {
        let ledger = try TestLedger.demo()
        let key = try ledger.verifierKey()
        let bundle = ledger.path("all.json")
        try ledger.ok(["export"], ["--bundle", bundle, "--all"])
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle))) as! [String: Any]
        var profile = object["profile"] as! [String: Any]
        var review = profile["correction_review"] as! [String: Any]
        review["days"] = 5
        profile["correction_review"] = review
        object["profile"] = profile
        var calendar = object["calendar"] as! [String: Any]
        var years = calendar["years"] as! [String: Any]
        var y2025 = years["2025"] as! [String: Any]
        y2025["days_off"] = (y2025["days_off"] as! [String]).filter { $0 != "2025-10-08" }
        years["2025"] = y2025
        calendar["years"] = years
        object["calendar"] = calendar
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: bundle))
        let (swift, python) = try auditBoth(bundle, key: key)
        for (who, result) in [("audit", swift), ("verify_bundle.py", python)] {
            let warnings = array(member(try result.json(), "warnings")).compactMap(string)
            #expect(warnings.contains { $0.contains("profile period correction_review: the bundle's 5 calendar days, baisha-2018's 3 calendar days") }, "\(who): \(warnings)")
            #expect(warnings.contains { $0.contains("calendar day 2025-10-08: an ordinary day in the bundle's calendar") }, "\(who): \(warnings)")
        }
    }

    /// verify_bundle.py compares with these copies; they must be the built-in profiles.
    @Test("Fixtures/profiles hold the built-in profiles", arguments: PolicyProfile.builtInNames)
    func referenceProfilesAreTheBuiltIns(name: String) throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/profiles/\(name).json"), encoding: .utf8)
        #expect(try PolicyProfile(json: Array(text.utf8)) == PolicyProfile.named(name)!,
                "regenerate with: listledger profile show --name \(name) --json > Fixtures/profiles/\(name).json")
    }
}
