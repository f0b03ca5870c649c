import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Issue 9 point 8 (a non-public entry published is flagged, R9) and the complaints counts of
/// SPEC §3 (`concerns`, `complainant_told`).
struct ReportWrongsTests {
    func report(_ life: Lifecycle) throws -> AccountabilityReport {
        let asOf = Instant.endOfBeijingDay(BeijingDay(iso: "2018-12-31")!)
        return AccountabilityReport(from: BeijingDay(iso: "2018-01-01")!, to: BeijingDay(iso: "2018-12-31")!, asOf: asOf, profile: "baisha-2018",
                                    obligations: try life.ledger.obligations(ObligationQuery(asOf: asOf)), events: try allEvents(life.ledger))
    }

    @Test("publishing a non-public entry is flagged; a public one is not", arguments: bothProfiles)
    func nonPublicPublished(profile: String) throws {
        let hidden = try Lifecycle(profile: profile)
        try hidden.add("inclusion_decided", at: "2018-09-03", #","court":"court:baisha","case":"c","debtor":\#(Lifecycle.debtor),"grounds":["able_but_refuses"],"public":false"#)
        try hidden.add("employer_notified", at: "2018-09-04", #","unit":"unit:employer-demo-school""#)
        try hidden.add("entry_published", at: "2018-09-05")
        let flagged = try report(hidden).wrongfulPublications
        #expect(flagged.map(\.entry) == ["E1"])
        #expect(flagged.first?.court == "court:baisha")
        #expect(flagged.first?.publishedAt.beijingDay.description == "2018-09-05")

        let open = try Lifecycle(profile: profile)
        try open.include(noticeAt: "2018-08-27", at: "2018-09-03")
        try open.add("entry_published", at: "2018-09-05")
        #expect(try report(open).wrongfulPublications.isEmpty)
    }

    @Test func complaintsAreCountedPerPartyComplainedOf() throws {
        let life = try Lifecycle(profile: "baisha-2018")
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        func complaint(_ type: String, _ at: String, _ fields: String) throws {
            let json = #"{"type":"\#(type)","entry":"E1","at":"\#(Lifecycle.instant(at))","actor":"court:baisha"\#(fields)}"#
            _ = try life.ledger.append([NumberedEvent(line: 1, event: try Event.decode(jsonLine: Array(json.utf8)))], clock: now)
        }
        try complaint("complaint_received", "2018-10-08", #","complaint":"C1","concerns":"unit:pboc-baisha""#)
        try complaint("complaint_received", "2018-10-09", #","complaint":"C2","concerns":"unit:pboc-baisha""#)
        try complaint("complaint_received", "2018-10-10", #","complaint":"C3","concerns":"court:baisha""#)
        try complaint("complaint_resolved", "2018-10-20", #","complaint":"C1","finding":"属实，已解除","complainant_told":"2018-10-22""#)
        try complaint("complaint_resolved", "2018-10-21", #","complaint":"C2","finding":"不属实""#)
        let tallies = Dictionary(uniqueKeysWithValues: try report(life).complaintsConcerning.map { ($0.party, $0) })
        #expect(tallies["unit:pboc-baisha"]?.received == 2)
        #expect(tallies["unit:pboc-baisha"]?.answered == 2)
        #expect(tallies["unit:pboc-baisha"]?.answeredUntold == 1)
        #expect(tallies["court:baisha"]?.received == 1)
        #expect(tallies["court:baisha"]?.answered == 0)
    }

    @Test("two complaint ids that differ only in Unicode normalisation are two complaints in the report, as in the ledger")
    func normalisationDistinctComplaints() throws {
        let life = try Lifecycle(profile: "baisha-2018")
        try life.include(noticeAt: "2018-08-27", at: "2018-09-03")
        func complaint(_ type: String, _ at: String, _ fields: String) throws {
            let json = #"{"type":"\#(type)","entry":"E1","at":"\#(Lifecycle.instant(at))","actor":"court:baisha"\#(fields)}"#
            _ = try life.ledger.append([NumberedEvent(line: 1, event: try Event.decode(jsonLine: Array(json.utf8)))], clock: now)
        }
        // "投诉é": é precomposed (U+00E9) and decomposed (e + U+0301): equal as Swift Strings,
        // different bytes, so two complaint ids to the ledger.
        try complaint("complaint_received", "2018-10-08", ",\"complaint\":\"投诉\u{E9}\",\"concerns\":\"unit:pboc-baisha\"")
        try complaint("complaint_received", "2018-10-09", ",\"complaint\":\"投诉e\u{301}\",\"concerns\":\"unit:pboc-baisha\"")
        try complaint("complaint_resolved", "2018-10-20", ",\"complaint\":\"投诉\u{E9}\",\"finding\":\"属实\",\"complainant_told\":\"2018-10-22\"")
        let report = try report(life)
        let concerning = try #require(report.complaintsConcerning.first { $0.party == "unit:pboc-baisha" })
        #expect(concerning.received == 2)
        #expect(concerning.answered == 1, "only the precomposed one was answered")
        let byCourt = try #require(report.complaints.first { $0.party == "court:baisha" })
        #expect(byCourt.received == 2 && byCourt.answered == 1)
        #expect(byCourt.open.count == 1 && byCourt.open[0].utf8.elementsEqual("投诉e\u{301}".utf8))
    }
}
