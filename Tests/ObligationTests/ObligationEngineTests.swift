import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// Engine behaviours beyond the lifecycle fixtures. Due days are worked by hand from the notices.
struct ObligationEngineTests {
    let court = "court:baisha"

    func line(_ json: String) throws -> Event { try Event.decode(jsonLine: Array(json.utf8)) }

    func inclusion(_ entry: String, at: String, grounds: String = #"["able_but_refuses"]"#, extra: String = "") throws -> Event {
        try line(#"{"type":"inclusion_decided","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha","court":"court:baisha","case":"(2025)琼9025执1号","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"},"grounds":\#(grounds),"public":true\#(extra)}"#)
    }

    func notice(_ entry: String, at: String) throws -> Event {
        try line(#"{"type":"risk_notice_issued","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha","court":"court:baisha","case":"(2025)琼9025执1号","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"}}"#)
    }

    func simple(_ type: String, _ entry: String, at: String, _ fields: String = "") throws -> Event {
        try line(#"{"type":"\#(type)","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha"\#(fields)}"#)
    }

    func append(_ ledger: Ledger, _ events: [Event]) throws {
        _ = try ledger.append(events.enumerated().map { NumberedEvent(line: $0 + 1, event: $1) }, clock: now)
    }

    @Test func aRiskNoticeRecordedLateButDatedBeforeTheInclusionSatisfiesR1() throws {
        let store = try TemporaryLedger()
        try append(store.ledger, [try inclusion("E1", at: "2025-04-10T10:00:00+08:00")])
        #expect(try store.ledger.storedObligations().map(\.rule) == ["R1"])
        // A notice dated after the inclusion is recorded, but R1 stays breached.
        let store2 = try TemporaryLedger()
        try append(store2.ledger, [try inclusion("E2", at: "2025-04-10T10:00:00+08:00"), try notice("E2", at: "2025-04-11T10:00:00+08:00")])
        #expect(try store2.ledger.storedObligations().map(\.rule) == ["R1"])
        // The notice is a fact of 04-01, recorded after the inclusion: R1 was met after all.
        try append(store.ledger, [try notice("E1", at: "2025-04-01T10:00:00+08:00")])
        #expect(try store.ledger.storedObligations().map(\.rule).contains("R1") == false)
        // A second notice is refused.
        #expect(throws: LedgerError.self) { try append(store.ledger, [try notice("E1", at: "2025-04-02T10:00:00+08:00")]) }
    }

    /// The real calendar cut down to 2018–2025, as if loaded before the 2026 notice.
    func calendarWithout2026() throws -> OfficialCalendar {
        var wire = try JSONSerialization.jsonObject(with: Data(OfficialCalendar.embedded.json)) as! [String: Any]
        var years = wire["years"] as! [String: Any]
        years["2026"] = nil
        wire["years"] = years
        wire["version"] = "2025.test-cut"
        return try OfficialCalendar(json: Array(try JSONSerialization.data(withJSONObject: wire)))
    }

    @Test func aDueDayInAYearTheCalendarLacksIsUnknownNotGuessed() throws {
        let store = try TemporaryLedger()
        try store.ledger.loadCalendar(try calendarWithout2026(), now: now())
        // Served Tue 2025-12-23: 10 days run to Fri 2026-01-02, in a year this calendar lacks.
        try append(store.ledger, [try notice("E1", at: "2025-12-01T10:00:00+08:00"),
                                  try inclusion("E1", at: "2025-12-20T10:00:00+08:00"),
                                  try simple("decision_served", "E1", at: "2025-12-23T10:00:00+08:00")])
        let window = try #require(try store.ledger.storedObligations().first { $0.rule == "R2" })
        #expect(window.due == nil)
        #expect(window.dueProblem?.contains("no data for 2026") == true)
        #expect(window.status(asOf: Instant.endOfBeijingDay(BeijingDay(iso: "2026-06-30")!)) == .open)
    }

    @Test func loadingANewerCalendarReEvaluatesOpenObligations() throws {
        // Start from the real calendar cut down to 2018–2025 (as if loaded before the 2026
        // notice), then load the full one: an obligation whose period runs into 2026 gets its due day.
        let full = OfficialCalendar.embedded
        let cut = try calendarWithout2026()

        let store = try TemporaryLedger()
        try store.ledger.loadCalendar(cut, now: now())
        // Discharged Tue 2025-12-30: 3 days → Fri 2026-01-02, which the 2026 notice makes a day
        // off (元旦 1月1日至3日); the next working day is Sun 01-04, a make-up working day.
        try append(store.ledger, [try notice("E1", at: "2025-03-01T10:00:00+08:00"),
                                  try inclusion("E1", at: "2025-03-10T10:00:00+08:00"),
                                  try simple("obligation_discharged", "E1", at: "2025-12-30T10:00:00+08:00", #","basis":"full_performance""#)])
        let before = try #require(try store.ledger.storedObligations().first { $0.rule == "R4" })
        #expect(before.due == nil)
        #expect(before.calendarVersion == "cn-official 2025.test-cut")
        #expect(before.dueProblem?.contains("2026") == true)

        try store.ledger.loadCalendar(full, now: now())
        let after = try #require(try store.ledger.storedObligations().first { $0.rule == "R4" })
        #expect(after.due == BeijingDay(iso: "2026-01-04"))
        #expect(after.calendarVersion == full.identity)
    }

    @Test func theTwoProfilesGiveDifferentDueDaysForTheSameReview() throws {
        // Correction request received Mon 2025-09-29. baisha: 3 days → Thu 10-02, inside 国庆
        // 10-01..10-08 (2025 notice); first working day after: Thu 10-09. spc: 15 days → Tue
        // 10-14, a working day.
        var dues: [String: String] = [:]
        for profile in ["baisha-2018", "spc-2017"] {
            let store = try TemporaryLedger(profile: profile)
            try append(store.ledger, [try notice("E1", at: "2025-09-01T10:00:00+08:00"),
                                      try inclusion("E1", at: "2025-09-10T10:00:00+08:00"),
                                      try simple("correction_requested", "E1", at: "2025-09-29T10:00:00+08:00")])
            dues[profile] = try store.ledger.storedObligations().first { $0.rule == "R3" }?.due?.description
        }
        #expect(dues == ["baisha-2018": "2025-10-09", "spc-2017": "2025-10-14"])
    }

    @Test func rebuildGivesTheSameObligationsAsTheAppends() throws {
        let store = try TemporaryLedger()
        let demo = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl"), encoding: .utf8)
        try append(store.ledger, try demo.split(separator: "\n").map { try Event.decode(jsonLine: Array($0.utf8)) })
        let before = try store.ledger.storedObligations()
        #expect(before.count > 50)
        try store.ledger.rebuild()
        #expect(try store.ledger.storedObligations() == before)
    }
}
