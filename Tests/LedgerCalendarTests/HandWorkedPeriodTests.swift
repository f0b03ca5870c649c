import Foundation
import Testing
@testable import LedgerCalendar

/// One case of Fixtures/periods/hand-worked.json (worked out by hand from the notices).
struct HandWorkedCase: Decodable, Sendable, CustomTestStringConvertible {
    let from: String
    let days: Int
    let kind: String
    let due: String
    let derivation: String

    var testDescription: String { "\(from) +\(days) \(kind) → \(due)" }
}

private struct HandWorkedFile: Decodable {
    let cases: [HandWorkedCase]
}

private func loadHandWorked() throws -> [HandWorkedCase] {
    try JSONDecoder().decode(HandWorkedFile.self, from: Data(repositoryFile("Fixtures/periods/hand-worked.json"))).cases
}

/// Loaded once; an unreadable file leaves it empty, which `fixtureIsThere` reports.
let handWorkedCases: [HandWorkedCase] = (try? loadHandWorked()) ?? []

@Suite("Hand-worked due days (Fixtures/periods/hand-worked.json)")
struct HandWorkedPeriodTests {
    @Test func fixtureIsThere() throws {
        let cases = try loadHandWorked()
        #expect(cases.count >= 40)
        #expect(Set(cases.map(\.kind)) == ["calendar", "working"])
        // The conformance-kit cases are in the file with their known answers.
        let kit: [(String, Int, String, String)] = [
            ("2021-09-30", 3, "calendar", "2021-10-08"),
            ("2021-09-30", 3, "working", "2021-10-11"),
            ("2022-01-28", 10, "calendar", "2022-02-07"),
            ("2023-12-28", 3, "working", "2024-01-03"),
            ("2040-01-02", 3, "calendar", "ERROR 2040"),
        ]
        for (from, n, kind, due) in kit {
            #expect(cases.contains { $0.from == from && $0.days == n && $0.kind == kind && $0.due == due },
                    "conformance case \(from) +\(n) \(kind) missing")
        }
    }

    @Test(arguments: handWorkedCases)
    func dueDay(_ c: HandWorkedCase) throws {
        let calendar = OfficialCalendar.embedded
        let trigger = try #require(BeijingDay(iso: c.from))
        let period: Period = c.kind == "working" ? .workingDays(c.days) : .calendarDays(c.days)
        if c.due.hasPrefix("ERROR ") {
            let year = try #require(Int(c.due.dropFirst("ERROR ".count)))
            do {
                let got = try calendar.due(from: trigger, period: period)
                Issue.record("expected an error naming \(year), got \(got) — \(c.derivation)")
            } catch {
                #expect(error.missingYear == year, "\(c.derivation)")
                #expect(error.description.contains(String(year)))
                #expect(error.description.contains(calendar.identity))
            }
        } else {
            let expected = try #require(BeijingDay(iso: c.due))
            #expect(try calendar.due(from: trigger, period: period) == expected, "\(c.derivation)")
        }
    }
}
