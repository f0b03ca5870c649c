import Foundation

/// Why a calendar question has no answer.
package enum CalendarError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The computation needed a day of `year`, which the calendar does not cover.
    /// `calendarVersion` is the calendar's name and version, e.g. `cn-official 2026.2`;
    /// `covered` the years it does cover.
    case yearNotCovered(year: Int, calendarVersion: String, covered: ClosedRange<Int>)
    /// Calendar data that cannot be used (malformed JSON, a bad date, contradictions).
    case invalidData(String)
    /// A period that makes no sense (negative days, zero working days).
    case invalidPeriod(String)

    package var description: String {
        switch self {
        case let .yearNotCovered(year, version, covered):
            let range = "it covers \(covered.lowerBound)–\(covered.upperBound)"
            if year < covered.lowerBound {
                return "the official calendar \(version) has no data for \(year): \(range) only"
            }
            return "the official calendar \(version) has no data for \(year): the State Council has not "
                + "published (or we have not loaded) its holiday notice (\(range))"
        case let .invalidData(why):
            return "invalid calendar data: \(why)"
        case let .invalidPeriod(why):
            return "invalid period: \(why)"
        }
    }

    /// The missing year, for `yearNotCovered`.
    package var missingYear: Int? {
        if case let .yearNotCovered(year, _, _) = self { return year }
        return nil
    }
}

/// A period of SPEC §2: N calendar days, or N working days.
package enum Period: Sendable, Hashable, CustomStringConvertible {
    case calendarDays(Int)
    case workingDays(Int)

    package var description: String {
        switch self {
        case let .calendarDays(n): "\(n) calendar day\(n == 1 ? "" : "s")"
        case let .workingDays(n): "\(n) working day\(n == 1 ? "" : "s")"
        }
    }
}

/// The official working-day calendar (Fixtures/calendars format): per covered year, the days
/// off of the State Council's holiday blocks and the make-up working days on weekends.
package struct OfficialCalendar: Sendable {
    package struct Year: Sendable, Equatable {
        package let notice: String
        package let also: [String]
        package let daysOff: Set<BeijingDay>
        package let makeupWorkdays: Set<BeijingDay>
    }

    package let name: String
    package let version: String
    package let sources: [String: String]
    package let generatedBy: String?
    package let years: [Int: Year]
    /// The covered years (contiguous; checked when loading).
    package let coveredYears: ClosedRange<Int>
    /// The bytes this calendar was loaded from, e.g. for an audit bundle.
    package let json: [UInt8]

    /// `name version`, e.g. `cn-official 2026.2`.
    package var identity: String { "\(name) \(version)" }

    /// The calendar compiled into the binary (the same bytes as Fixtures/calendars/cn-official.json).
    package static let embedded: OfficialCalendar = {
        do {
            return try OfficialCalendar(json: Array(embeddedJSON.utf8))
        } catch {
            fatalError("the embedded official calendar does not load: \(error)")
        }
    }()

    private struct Wire: Codable {
        struct YearWire: Codable {
            let notice: String
            let also: [String]?
            let days_off: [String]
            let makeup_workdays: [String]
        }
        let name: String
        let version: String
        let sources: [String: String]
        let generated_by: String?
        let years: [String: YearWire]
    }

    /// Loads and checks calendar JSON. Refuses: malformed JSON, missing fields, a year key that
    /// is not four digits, a date not strictly `YYYY-MM-DD`, a date filed under another year, a
    /// day both off and working, a make-up day on a weekday, repeated dates, gaps in coverage.
    package init(json bytes: [UInt8]) throws(CalendarError) {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw .invalidData("missing field \"\(key.stringValue)\"\(Self.path(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw .invalidData("wrong type at \(Self.path(ctx.codingPath, prefix: ""))")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw .invalidData("null at \(Self.path(ctx.codingPath, prefix: ""))")
        } catch {
            throw .invalidData("not valid JSON (\(error))")
        }
        guard !wire.name.isEmpty else { throw .invalidData("empty \"name\"") }
        guard !wire.version.isEmpty else { throw .invalidData("empty \"version\"") }
        guard !wire.years.isEmpty else { throw .invalidData("no years") }

        var years: [Int: Year] = [:]
        for (key, y) in wire.years {
            guard key.utf8.count == 4, key.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let year = Int(key) else {
                throw .invalidData("year key \"\(key)\" is not a four-digit year")
            }
            func days(_ list: [String], _ field: String) throws(CalendarError) -> Set<BeijingDay> {
                var set = Set<BeijingDay>()
                for s in list {
                    guard let d = BeijingDay(iso: s) else {
                        throw .invalidData("years.\(key).\(field): \"\(s)\" is not a YYYY-MM-DD date")
                    }
                    guard d.year == year else {
                        throw .invalidData("years.\(key).\(field): \(s) is not in \(year)")
                    }
                    guard set.insert(d).inserted else {
                        throw .invalidData("years.\(key).\(field): \(s) appears twice")
                    }
                }
                return set
            }
            let off = try days(y.days_off, "days_off")
            let makeup = try days(y.makeup_workdays, "makeup_workdays")
            if let both = off.intersection(makeup).min() {
                throw .invalidData("years.\(key): \(both) is both a day off and a make-up working day")
            }
            if let weekday = makeup.filter({ !$0.isWeekend }).min() {
                throw .invalidData("years.\(key).makeup_workdays: \(weekday) is a \(weekday.weekday), not a weekend day")
            }
            guard !y.notice.isEmpty else { throw .invalidData("years.\(key): empty \"notice\"") }
            years[year] = Year(notice: y.notice, also: y.also ?? [], daysOff: off, makeupWorkdays: makeup)
        }
        let first = years.keys.min()!, last = years.keys.max()!
        if let gap = (first...last).first(where: { years[$0] == nil }) {
            throw .invalidData("coverage has a gap: \(gap) is missing between \(first) and \(last)")
        }
        self.name = wire.name
        self.version = wire.version
        self.sources = wire.sources
        self.generatedBy = wire.generated_by
        self.years = years
        self.coveredYears = first...last
        self.json = bytes
    }

    private static func path(_ p: [any CodingKey], prefix: String = " in ") -> String {
        if p.isEmpty { return prefix.isEmpty ? "the top level" : "" }
        return prefix + p.map(\.stringValue).joined(separator: ".")
    }

    /// The calendar re-encoded from its parsed form (Fixtures/calendars format, sorted keys,
    /// sorted dates). Loading it gives the same calendar.
    package func canonicalJSON() -> [UInt8] {
        var ys: [String: Wire.YearWire] = [:]
        for (year, y) in years {
            ys[String(year)] = Wire.YearWire(
                notice: y.notice,
                also: y.also.isEmpty ? nil : y.also,
                days_off: y.daysOff.sorted().map(\.description),
                makeup_workdays: y.makeupWorkdays.sorted().map(\.description)
            )
        }
        let wire = Wire(name: name, version: version, sources: sources, generated_by: generatedBy, years: ys)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, lists and dictionaries of strings always encode.
        return Array(try! encoder.encode(wire))
    }

    /// Whether `year` has data.
    package func covers(_ year: Int) -> Bool { years[year] != nil }

    private func data(for day: BeijingDay) throws(CalendarError) -> Year {
        guard let y = years[day.year] else {
            throw .yearNotCovered(year: day.year, calendarVersion: identity, covered: coveredYears)
        }
        return y
    }

    /// Monday–Friday that is not an official day off, or an official make-up working day.
    package func isWorkingDay(_ day: BeijingDay) throws(CalendarError) -> Bool {
        let y = try data(for: day)
        if y.makeupWorkdays.contains(day) { return true }
        if y.daysOff.contains(day) { return false }
        return !day.isWeekend
    }

    /// A statutory day off, or a Saturday/Sunday that is not a make-up working day.
    package func isRestDay(_ day: BeijingDay) throws(CalendarError) -> Bool {
        try !isWorkingDay(day)
    }

    /// The due day (inclusive, Beijing) of `period` triggered on `trigger`, per SPEC §2.
    ///
    /// - Calendar days (N ≥ 0): the trigger day is not counted; the period ends on day D+N, or,
    ///   when that is a rest day, on the first working day after it.
    /// - Working days (N ≥ 1): the N-th working day after D.
    ///
    /// The trigger's year must be covered too (a fact dated outside the calendar is never
    /// guessed about), and so must every day the computation inspects; otherwise the error
    /// names the first missing year met.
    package func due(from trigger: BeijingDay, period: Period) throws(CalendarError) -> BeijingDay {
        _ = try data(for: trigger)
        switch period {
        case let .calendarDays(n):
            guard n >= 0 else { throw .invalidPeriod("\(n) calendar days") }
            var day = trigger.adding(days: n)
            while try isRestDay(day) { day = day.adding(days: 1) }
            return day
        case let .workingDays(n):
            guard n >= 1 else { throw .invalidPeriod("\(n) working days (at least 1)") }
            var day = trigger
            var counted = 0
            while counted < n {
                day = day.adding(days: 1)
                if try isWorkingDay(day) { counted += 1 }
            }
            return day
        }
    }
}
