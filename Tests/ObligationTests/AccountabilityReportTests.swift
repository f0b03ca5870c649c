import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// The accountability report counts what the hand-worked lifecycle fixtures say each court and
/// unit did: for every fixture, per obligor, the met/late/breached/open duties equal the
/// expected file's (R2 windows are the debtor's rights and are left out).
struct AccountabilityReportTests {
    @Test("per-obligor tallies match the hand-worked fixtures", arguments: LifecycleFixtureTests.fixtures)
    func talliesMatchFixtures(name: String) throws {
        let expected = try Expected.load(name)
        let store = try TemporaryLedger(profile: expected.profile)
        let events = try LifecycleFixtureTests.events(name)
        _ = try store.ledger.append(events.enumerated().map { NumberedEvent(line: $0 + 1, event: $1) }, clock: now)
        let asOf = Instant.endOfBeijingDay(BeijingDay(iso: expected.asOf)!)
        let report = AccountabilityReport(from: BeijingDay(iso: "2018-01-01")!, to: BeijingDay(iso: expected.asOf)!, asOf: asOf,
                                          profile: expected.profile, obligations: try store.ledger.obligations(ObligationQuery(asOf: asOf)),
                                          events: try allEvents(store.ledger))
        var want: [String: [String: Int]] = [:]
        for item in expected.obligations where item.rule != "R2" {
            // Duties due after the period's end are outside it.
            if let due = item.due, due > expected.asOf { continue }
            want[item.obligor, default: [:]][item.status, default: 0] += 1
        }
        var got: [String: [String: Int]] = [:]
        for party in report.parties {
            for status in ObligationStatus.allCases where party.count(status) > 0 { got[party.obligor, default: [:]][status.rawValue] = party.count(status) }
        }
        #expect(got == want)
    }

    /// `report` streams the obligations and keeps only `isDuty`'s (issue 8, memory): what it keeps
    /// is the fixture's duties in the period (R2 windows out, a duty due after the period's end
    /// out), and the report built from them alone equals the one built from every obligation.
    @Test("isDuty keeps exactly the period's duties", arguments: LifecycleFixtureTests.fixtures)
    func isDutyKeepsThePeriodsDuties(name: String) throws {
        let expected = try Expected.load(name)
        let store = try TemporaryLedger(profile: expected.profile)
        _ = try store.ledger.append(try LifecycleFixtureTests.events(name).enumerated().map { NumberedEvent(line: $0 + 1, event: $1) }, clock: now)
        let from = BeijingDay(iso: "2018-01-01")!, to = BeijingDay(iso: expected.asOf)!
        let asOf = Instant.endOfBeijingDay(to)
        let all = try store.ledger.obligations(ObligationQuery(asOf: asOf))
        let kept = all.filter { AccountabilityReport.isDuty($0.0, from: from, to: to) }
        let want = expected.obligations.filter { $0.rule != "R2" && ($0.due.map { $0 <= expected.asOf } ?? true) }
        #expect(kept.count == want.count)
        #expect(!kept.contains { $0.0.rule == "R2" })
        let events = try allEvents(store.ledger)
        let whole = AccountabilityReport(from: from, to: to, asOf: asOf, profile: expected.profile, obligations: all, events: events)
        let streamed = AccountabilityReport(from: from, to: to, asOf: asOf, profile: expected.profile, obligations: kept, events: events)
        #expect(streamed.parties.map(\.obligor) == whole.parties.map(\.obligor))
        #expect(streamed.parties.map { $0.lines.map(\.id) } == whole.parties.map { $0.lines.map(\.id) })
        // A period before every fixture's facts keeps none.
        let early = BeijingDay(iso: "2000-01-01")!
        #expect(!all.isEmpty && all.filter { AccountabilityReport.isDuty($0.0, from: early, to: early) }.isEmpty)
    }

    @Test func wrongfulInclusionsAndComplaintsAreCountedPerParty() throws {
        // Fixture 03: a correction upheld and the entry revoked for it (a wrongful inclusion by
        // the Baisha court); fixture 05: the same on reconsideration at the higher court.
        for (name, reason) in [("03-baisha-correction-upheld-late-revocation", "correction"), ("05-baisha-reconsideration-upheld-higher-court", "reconsideration")] {
            let expected = try Expected.load(name)
            let store = try TemporaryLedger(profile: expected.profile)
            _ = try store.ledger.append(try LifecycleFixtureTests.events(name).enumerated().map { NumberedEvent(line: $0 + 1, event: $1) }, clock: now)
            let report = AccountabilityReport(from: BeijingDay(iso: "2018-01-01")!, to: BeijingDay(iso: "2026-11-01")!, asOf: now(),
                                              profile: expected.profile, obligations: [], events: try allEvents(store.ledger))
            #expect(report.wrongfulInclusions.map(\.reason) == [reason], "\(name)")
            #expect(report.wrongfulInclusions.first?.court == "court:baisha")
        }
    }
}
