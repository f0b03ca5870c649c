import Foundation
import Testing
@testable import LedgerCalendar

@Suite("Official calendar data")
struct CalendarDataTests {
    @Test func embeddedCopyIsTheFixture() throws {
        let fixture = try repositoryFile("Fixtures/calendars/cn-official.json")
        #expect(fixture == Array((OfficialCalendar.embeddedJSON + "\n").utf8),
                "EmbeddedCalendar.swift is stale: run scripts/gen-calendar")
        let loaded = try OfficialCalendar(json: fixture)
        #expect(loaded.identity == OfficialCalendar.embedded.identity)
        #expect(loaded.years == OfficialCalendar.embedded.years)
    }

    @Test func coverage() {
        let cal = OfficialCalendar.embedded
        #expect(cal.name == "cn-official")
        #expect(cal.coveredYears.lowerBound == 2018)
        #expect(cal.coveredYears.upperBound >= 2026)
        #expect(cal.sources["primary"]?.hasPrefix("chinesecalendar==") == true)
        #expect(cal.sources["check"]?.hasPrefix("holidays==") == true)
        #expect(cal.years[2020]?.also.contains { $0.contains("国办发明电〔2020〕1号") } == true)
        #expect(cal.years[2018]?.notice == "国办发明电〔2017〕12号")
    }

    // Facts read off the notices by hand.
    @Test(arguments: [
        ("2020-02-01", false, "Saturday made a day off by the 2020 extension (国办发明电〔2020〕1号)"),
        ("2020-01-31", false, "2020 extension"),
        ("2020-02-03", true, "work resumed on Monday 3 February 2020"),
        ("2020-01-19", true, "make-up Sunday (国办发明电〔2019〕16号)"),
        ("2024-02-09", true, "除夕 2024 was a working day (leave only encouraged)"),
        ("2024-02-18", true, "make-up Sunday"),
        ("2025-01-28", false, "除夕 2025 is a day off (国办发明电〔2024〕12号)"),
        ("2021-10-09", true, "make-up Saturday"),
        ("2021-10-02", false, "Saturday inside National Day"),
        ("2022-12-31", false, "2023 New Year block starts on Saturday 31 December 2022"),
        ("2018-12-29", true, "make-up Saturday for the 2019 New Year"),
        ("2019-05-02", false, "Labour Day as changed by 国办发明电〔2019〕3号"),
        ("2019-05-05", true, "make-up Sunday added by 国办发明电〔2019〕3号"),
        ("2026-02-23", false, "last day of the nine-day 2026 Spring Festival"),
        ("2026-02-28", true, "make-up Saturday 2026"),
        ("2024-03-09", false, "ordinary Saturday"),
        ("2024-03-11", true, "ordinary Monday"),
    ])
    func workingDays(_ date: String, _ working: Bool, _ why: String) throws {
        #expect(try OfficialCalendar.embedded.isWorkingDay(day(date)) == working, "\(why)")
        #expect(try OfficialCalendar.embedded.isRestDay(day(date)) == !working, "\(why)")
    }

    @Test func outsideCoverageNamesTheYear() {
        let cal = OfficialCalendar.embedded
        #expect(throws: CalendarError.yearNotCovered(year: 2040, calendarVersion: cal.identity, covered: cal.coveredYears)) {
            try cal.isWorkingDay(day("2040-03-01"))
        }
        do {
            _ = try cal.isWorkingDay(day("2040-03-01"))
        } catch {
            #expect(error.description.hasPrefix("the official calendar cn-official "))
            #expect(error.description.contains("has no data for 2040"))
            #expect(error.description.contains("holiday notice"))
        }
        do {
            _ = try cal.isWorkingDay(day("2017-06-01"))
        } catch {
            #expect(error.missingYear == 2017)
            #expect(error.description.contains("has no data for 2017"))
        }
    }

    @Test func badPeriodsAreRefused() throws {
        let cal = OfficialCalendar.embedded
        #expect(throws: CalendarError.self) { try cal.due(from: day("2024-03-01"), period: .workingDays(0)) }
        #expect(throws: CalendarError.self) { try cal.due(from: day("2024-03-01"), period: .calendarDays(-1)) }
        // Zero calendar days: the trigger day itself, rolled when it is a rest day.
        #expect(try cal.due(from: day("2024-03-01"), period: .calendarDays(0)) == day("2024-03-01"))
        #expect(try cal.due(from: day("2024-03-02"), period: .calendarDays(0)) == day("2024-03-04"))
    }

    @Test func roundTripThroughCanonicalJSON() throws {
        let cal = OfficialCalendar.embedded
        let again = try OfficialCalendar(json: cal.canonicalJSON())
        #expect(again.name == cal.name)
        #expect(again.version == cal.version)
        #expect(again.sources == cal.sources)
        #expect(again.generatedBy == cal.generatedBy)
        #expect(again.years == cal.years)
        #expect(again.coveredYears == cal.coveredYears)
        #expect(again.canonicalJSON() == cal.canonicalJSON())
        #expect(again.json == cal.canonicalJSON())
    }

    /// A small valid calendar to corrupt, one mutation at a time.
    static func calendarText(
        years: String = #""2024": {"notice": "N", "days_off": ["2024-10-01"], "makeup_workdays": ["2024-10-12"]}"#
    ) -> [UInt8] {
        Array(#"{"name": "t", "version": "1.1", "sources": {}, "years": {\#(years)}}"#.utf8)
    }

    @Test func aSmallValidCalendarLoads() throws {
        let cal = try OfficialCalendar(json: Self.calendarText())
        #expect(try cal.isWorkingDay(day("2024-10-12")))
        #expect(try !cal.isWorkingDay(day("2024-10-01")))
    }

    @Test(arguments: [
        ("{\"name\": \"t\", \"version\": \"1\"", "not valid JSON"),
        (#"{"name": "t", "version": "1", "sources": {}}"#, "missing field \"years\""),
        (#"{"name": "t", "version": "1", "sources": {}, "years": {"2024": {"notice": "N", "days_off": "2024-10-01", "makeup_workdays": []}}}"#, "wrong type"),
    ])
    func corruptedJSONIsRefused(_ text: String, _ expected: String) {
        do {
            _ = try OfficialCalendar(json: Array(text.utf8))
            Issue.record("accepted corrupted calendar: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.hasPrefix("invalid calendar data"))
        }
    }

    @Test(arguments: [
        (#""2024": {"notice": "N", "days_off": ["2024-02-30"], "makeup_workdays": []}"#, "\"2024-02-30\" is not a YYYY-MM-DD date"),
        (#""2024": {"notice": "N", "days_off": ["2025-01-01"], "makeup_workdays": []}"#, "2025-01-01 is not in 2024"),
        (#""2024": {"notice": "N", "days_off": ["2024-10-12"], "makeup_workdays": ["2024-10-12"]}"#, "both a day off and a make-up"),
        (#""2024": {"notice": "N", "days_off": [], "makeup_workdays": ["2024-10-10"]}"#, "2024-10-10 is a Thursday"),
        (#""2024": {"notice": "N", "days_off": ["2024-10-01", "2024-10-01"], "makeup_workdays": []}"#, "appears twice"),
        (#""24": {"notice": "N", "days_off": [], "makeup_workdays": []}"#, "not a four-digit year"),
        (#""2024": {"notice": "", "days_off": [], "makeup_workdays": []}"#, "empty \"notice\""),
        (#""2022": {"notice": "N", "days_off": [], "makeup_workdays": []}, "2024": {"notice": "N", "days_off": [], "makeup_workdays": []}"#, "gap: 2023"),
    ])
    func inconsistentDataIsRefused(_ years: String, _ expected: String) {
        do {
            _ = try OfficialCalendar(json: Self.calendarText(years: years))
            Issue.record("accepted bad calendar: \(years)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func embeddedDataIsConsistentWithTheWeek() {
        // Every make-up day is a weekend day; every covered year has some days off.
        for (year, y) in OfficialCalendar.embedded.years {
            #expect(y.makeupWorkdays.allSatisfy { $0.isWeekend }, "\(year)")
            #expect(y.daysOff.count >= 20, "\(year)")
        }
    }
}
