import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// `AccountabilityReport.Builder` (issue 8, memory: `report` streams its inputs): fed piece by
/// piece as the command's streamed reads give them — obligations one at a time, every
/// annulment first, then the other events in seq order, a few at a time — it builds the
/// report the whole-input `init` builds, and that report says what these hand-made ledgers
/// hold.
struct ReportBuilderTests {
    let from = BeijingDay(iso: "2018-09-01")!
    let to = BeijingDay(iso: "2018-12-31")!

    /// A ledger of several entries, events given as (entry, type, Beijing day, fields after the
    /// envelope).
    final class Log {
        let store: TemporaryLedger
        init() throws { store = try TemporaryLedger(profile: "baisha-2018") }

        @discardableResult
        func add(_ entry: String, _ type: String, _ at: String, actor: String = "court:baisha", _ fields: String = "") throws -> Int64 {
            let json = "{\"type\":\"\(type)\",\"entry\":\"\(entry)\",\"at\":\"\(Lifecycle.instant(at))\",\"actor\":\"\(actor)\"\(fields)}"
            let outcomes = try store.ledger.append([NumberedEvent(line: 1, event: try Event.decode(jsonLine: Array(json.utf8)))], clock: now)
            guard case .appended(let seq) = outcomes[0] else { return -1 }
            return seq
        }

        /// A risk notice (none when `notice` is nil: R1 breached) and an inclusion, served the
        /// next day when `served` (the debtor's R2 window, not a duty).
        func include(_ entry: String, notice: String?, at: String, isPublic: Bool = true, served: String? = nil) throws {
            let party = #""court":"court:baisha","case":"\#(Lifecycle.caseNumber)","debtor":\#(Lifecycle.debtor)"#
            if let notice { try add(entry, "risk_notice_issued", notice, "," + party) }
            try add(entry, "inclusion_decided", at, "," + party + #","grounds":["able_but_refuses"],"public":\#(isPublic)"#)
            if let served { try add(entry, "decision_served", served) }
        }
    }

    /// Both ways of building, with the same inputs read from `log`.
    func reports(_ log: Log, asOf: Instant) throws -> (whole: AccountabilityReport, pieces: AccountabilityReport) {
        let obligations = try log.store.ledger.obligations(ObligationQuery(asOf: asOf))
        let events = try allEvents(log.store.ledger)
        let whole = AccountabilityReport(from: from, to: to, asOf: asOf, profile: "baisha-2018", obligations: obligations, events: events)
        var builder = AccountabilityReport.Builder(from: from, to: to, asOf: asOf, profile: "baisha-2018")
        for (obligation, status) in obligations { builder.add(obligation, status) }
        // As the command reads: the annulments in a pass of their own, then the rest.
        for recorded in events where recorded.event.type == .recordAnnulled { builder.annul(recorded) }
        for piece in stride(from: 0, to: events.count, by: 2) {
            for recorded in events[piece..<min(piece + 2, events.count)] where recorded.event.type != .recordAnnulled { builder.add(recorded) }
        }
        return (whole, builder.finish())
    }

    /// Everything a renderer prints, as comparable text (ids as bytes: `String ==` would take
    /// two normalisations of one id for one).
    func summary(_ report: AccountabilityReport) -> [String] {
        func bytes(_ text: String) -> String { text.utf8.map { String($0, radix: 16) }.joined(separator: ".") }
        var lines = ["\(report.from) \(report.to) \(report.asOf) \(report.profile) \(report.calendars)"]
        for party in report.parties {
            lines.append("party \(bytes(party.obligor)) \(ObligationStatus.allCases.map { party.count($0) }) \(party.rules)")
            for line in party.lines {
                lines.append("  \(bytes(line.id)) \(line.rule) \(line.duty) \(bytes(line.entry)) \(line.due?.description ?? "-") \(line.day) \(line.status) \(line.daysLate ?? -1) \(line.calendarVersion)")
            }
        }
        lines += report.wrongfulInclusions.map { "wrongful \($0.court) \(bytes($0.entry)) \($0.reason) \($0.revokedAt)" }
        lines += report.wrongfulPublications.map { "published \($0.court) \(bytes($0.entry)) \($0.publishedAt)" }
        lines += report.complaints.map { "complaints \($0.party) \($0.received) \($0.answered) \($0.open.map(bytes))" }
        lines += report.complaintsConcerning.map { "concerning \($0.party) \($0.received) \($0.answered) \($0.answeredUntold)" }
        return lines
    }

    @Test("an annulment recorded after the revocation and the publication it annuls takes them out, also fed in pieces")
    func annulmentAfterTheAnnulledEvent() throws {
        let log = try Log()
        // E1 without a notice: a breached R1 duty in the period, before its revocation.
        try log.include("E1", notice: nil, at: "2018-09-03")
        let revoked = try log.add("E1", "entry_revoked", "2018-10-08", #","reason":"correction""#)
        try log.include("E2", notice: "2018-08-27", at: "2018-09-03", isPublic: false)
        let published = try log.add("E2", "entry_published", "2018-09-05")
        try log.include("E3", notice: "2018-08-27", at: "2018-09-03")
        try log.add("E3", "entry_revoked", "2018-10-09", #","reason":"reconsideration""#)
        // Both annulments come after the events (and the duties those events met or started).
        try log.add("E1", "record_annulled", "2018-10-20", #","annuls":\#(revoked),"reason":"误录""#)
        try log.add("E2", "record_annulled", "2018-10-21", #","annuls":\#(published),"reason":"误录""#)
        let (whole, pieces) = try reports(log, asOf: Instant.endOfBeijingDay(to))
        #expect(summary(pieces) == summary(whole))
        #expect(pieces.wrongfulInclusions.map(\.entry) == ["E3"])
        #expect(pieces.wrongfulInclusions.first?.reason == "reconsideration")
        #expect(pieces.wrongfulPublications.isEmpty)
        #expect(pieces.parties.flatMap(\.lines).map(\.entry) == ["E1"])
    }

    @Test("a complaint received in the period counts as answered by an answer after the period's end, if before the instant judged at")
    func complaintAnsweredOutsideThePeriod() throws {
        let log = try Log()
        try log.include("E1", notice: "2018-08-27", at: "2018-09-03")
        try log.add("E1", "complaint_received", "2018-08-20", #","complaint":"C0","concerns":"unit:pboc-baisha""#)
        try log.add("E1", "complaint_received", "2018-12-20", #","complaint":"C1","concerns":"unit:pboc-baisha""#)
        try log.add("E1", "complaint_resolved", "2018-09-10", #","complaint":"C0","finding":"不属实""#)
        try log.add("E1", "complaint_resolved", "2019-01-10", #","complaint":"C1","finding":"属实","complainant_told":"2019-01-11""#)

        let atEnd = try reports(log, asOf: Instant.endOfBeijingDay(to))
        #expect(summary(atEnd.pieces) == summary(atEnd.whole))
        // C0 was received before the period: neither received nor answered in it.
        #expect(atEnd.pieces.complaints.map(\.received) == [1])
        #expect(atEnd.pieces.complaints.first?.open == ["C1"])
        #expect(atEnd.pieces.complaintsConcerning.map(\.answered) == [0])

        let later = try reports(log, asOf: Instant.endOfBeijingDay(BeijingDay(iso: "2019-02-01")!))
        #expect(summary(later.pieces) == summary(later.whole))
        #expect(later.pieces.complaints.first?.answered == 1 && later.pieces.complaints.first?.open == [])
        #expect(later.pieces.complaintsConcerning.first.map { ($0.received, $0.answered, $0.answeredUntold) } ?? (0, 0, 0) == (1, 1, 0))
    }

    @Test("a non-public entry published is a wrongful publication of the court that included it; a public one is not")
    func wrongfulPublication() throws {
        let log = try Log()
        try log.include("E1", notice: "2018-08-27", at: "2018-09-03", isPublic: false)
        try log.add("E1", "entry_published", "2018-09-05", actor: "court:baisha")
        try log.include("E2", notice: "2018-08-27", at: "2018-09-03")
        try log.add("E2", "entry_published", "2018-09-05")
        // Published before the period: not the period's wrong.
        try log.include("E3", notice: "2018-08-01", at: "2018-08-06", isPublic: false)
        try log.add("E3", "entry_published", "2018-08-08")
        let (whole, pieces) = try reports(log, asOf: Instant.endOfBeijingDay(to))
        #expect(summary(pieces) == summary(whole))
        #expect(pieces.wrongfulPublications.map(\.entry) == ["E1"])
        #expect(pieces.wrongfulPublications.first?.court == "court:baisha")
    }

    @Test("two entry ids that differ only in Unicode normalisation are two entries: one wrongly published, each with its own duties")
    func normalisationDistinctEntries() throws {
        let log = try Log()
        let composed = "E\u{E9}", decomposed = "Ee\u{301}"
        // No risk notices: each inclusion is a breached R1 duty of the court, one line each.
        try log.include(composed, notice: nil, at: "2018-09-03", isPublic: false)
        try log.include(decomposed, notice: nil, at: "2018-09-03")
        try log.add(decomposed, "entry_published", "2018-09-05")
        try log.add(composed, "entry_published", "2018-09-06")
        let (whole, pieces) = try reports(log, asOf: Instant.endOfBeijingDay(to))
        #expect(summary(pieces) == summary(whole))
        #expect(pieces.wrongfulPublications.count == 1)
        #expect(pieces.wrongfulPublications.first?.entry.utf8.elementsEqual(composed.utf8) == true)
        let entries = pieces.parties.flatMap(\.lines).map(\.entry)
        #expect(entries.contains { $0.utf8.elementsEqual(composed.utf8) } && entries.contains { $0.utf8.elementsEqual(decomposed.utf8) })
        // Each line's entry is its obligation's, byte for byte (kept as the id's prefix).
        let obligations = try log.store.ledger.obligations(ObligationQuery(asOf: Instant.endOfBeijingDay(to)))
        for line in pieces.parties.flatMap(\.lines) {
            let obligation = try #require(obligations.first { $0.0.id.utf8.elementsEqual(line.id.utf8) }?.0)
            #expect(line.entry.utf8.elementsEqual(obligation.entry.utf8))
            #expect(line.day == (obligation.due ?? obligation.triggerAt.beijingDay))
        }
    }

    @Test("obligations outside the period and R2 windows are left out by the builder itself")
    func builderKeepsOnlyDuties() throws {
        let log = try Log()
        try log.include("E1", notice: nil, at: "2018-09-03", served: "2018-09-04")
        try log.include("E2", notice: nil, at: "2019-03-11")
        let asOf = Instant.endOfBeijingDay(BeijingDay(iso: "2019-06-30")!)
        let all = try log.store.ledger.obligations(ObligationQuery(asOf: asOf))
        #expect(all.contains { $0.0.rule == "R2" } && all.contains { $0.0.entry == "E2" })
        var builder = AccountabilityReport.Builder(from: from, to: to, asOf: asOf, profile: "baisha-2018")
        for (obligation, status) in all { builder.add(obligation, status) }
        let lines = builder.finish().parties.flatMap(\.lines)
        #expect(!lines.isEmpty)
        #expect(!lines.contains { $0.rule == "R2" || $0.entry == "E2" })
        #expect(lines.count == all.filter { AccountabilityReport.isDuty($0.0, from: from, to: to) }.count)
    }
}
