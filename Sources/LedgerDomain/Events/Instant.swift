package import LedgerCalendar

/// A moment in time as the ledger keeps it: milliseconds since the Unix epoch (UTC) and the
/// offset it was given in, so the original wording of a fact survives canonicalisation.
package struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let epochMilliseconds: Int64
    /// Minutes east of UTC that the instant was written in.
    package let offsetMinutes: Int

    package init(epochMilliseconds: Int64, offsetMinutes: Int = 0) {
        self.epochMilliseconds = epochMilliseconds
        self.offsetMinutes = offsetMinutes
    }

    package static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.epochMilliseconds < rhs.epochMilliseconds }
    package static func == (lhs: Instant, rhs: Instant) -> Bool {
        lhs.epochMilliseconds == rhs.epochMilliseconds && lhs.offsetMinutes == rhs.offsetMinutes
    }
    package func hash(into hasher: inout Hasher) {
        hasher.combine(epochMilliseconds)
        hasher.combine(offsetMinutes)
    }

    /// The stored form: `YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM` in the original offset.
    package var description: String { render(offsetMinutes: offsetMinutes, utcAsZ: false) }

    /// The ledger's own timestamps: UTC with milliseconds and `Z`.
    package var utcDescription: String { render(offsetMinutes: 0, utcAsZ: true, alwaysMilliseconds: true) }

    package static let beijingOffsetMinutes = 8 * 60

    /// The Beijing day on which this instant falls (SPEC §2: days are always Beijing days).
    package var beijingDay: BeijingDay { BeijingDay(epochMilliseconds: epochMilliseconds) }

    /// 23:59:59.999 Beijing time on `day`: what a bare date means as a time argument.
    package static func endOfBeijingDay(_ day: BeijingDay) -> Instant {
        Instant(epochMilliseconds: day.endOfDayEpochMilliseconds, offsetMinutes: beijingOffsetMinutes)
    }

    // Built byte by byte: every append renders two instants, and string interpolation of
    // padded numbers cost more than hashing the event.
    private func render(offsetMinutes: Int, utcAsZ: Bool, alwaysMilliseconds: Bool = false) -> String {
        let local = epochMilliseconds + Int64(offsetMinutes) * 60_000
        let (days, msOfDay) = local.floorDivided(by: 86_400_000)
        let date = BeijingDay(dayNumber: days)  // just the civil date of the local day
        let seconds = Int(msOfDay / 1000), millis = Int(msOfDay % 1000)
        var out: [UInt8] = []
        out.reserveCapacity(29)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(48 + rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(date.year, 4); out.append(0x2D); digits(date.month, 2); out.append(0x2D); digits(date.day, 2)
        out.append(0x54)
        digits(seconds / 3600, 2); out.append(0x3A); digits(seconds / 60 % 60, 2); out.append(0x3A); digits(seconds % 60, 2)
        if millis != 0 || alwaysMilliseconds { out.append(0x2E); digits(millis, 3) }
        if utcAsZ && offsetMinutes == 0 {
            out.append(0x5A)
        } else {
            out.append(offsetMinutes < 0 ? 0x2D : 0x2B)
            let magnitude = abs(offsetMinutes)
            digits(magnitude / 60, 2); out.append(0x3A); digits(magnitude % 60, 2)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.f{1,3}]](Z|±HH:MM)`; a failure with a reason when it is not that.
    package static func parse(_ text: String) -> Result<Instant, InstantFormatError> {
        let b = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<start + count {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        func at(_ i: Int, _ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue! }
        guard b.count >= 16, let year = digits(0, 4), at(4, "-"), let month = digits(5, 2), at(7, "-"),
              let day = digits(8, 2), at(10, "T"), let hour = digits(11, 2), at(13, ":"),
              let minute = digits(14, 2) else {
            return .failure(.init("is not an ISO 8601 instant like 2021-09-20T10:00:00+08:00"))
        }
        // Seconds may be left out (ISO 8601's reduced precision, 2026-12-01T10:00+08:00): :00.
        var second = 0
        var i = 16
        if at(16, ":") {
            guard let given = digits(17, 2) else { return .failure(.init("is not an ISO 8601 instant like 2021-09-20T10:00:00+08:00")) }
            second = given
            i = 19
        }
        var millis = 0
        if at(i, ".") {
            var count = 0
            i += 1
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                count += 1
                guard count <= 3 else { return .failure(.init("has more than 3 fractional digits of a second")) }
                millis = millis * 10 + Int(b[i] - 48)
                i += 1
            }
            guard count > 0 else { return .failure(.init("has a decimal point with no digits after it")) }
            for _ in count..<3 { millis *= 10 }
        }
        var offset = 0
        if at(i, "Z") {
            i += 1
        } else if at(i, "+") || at(i, "-") {
            let negative = at(i, "-")
            guard let oh = digits(i + 1, 2), at(i + 3, ":"), let om = digits(i + 4, 2), oh <= 18, om < 60 else {
                return .failure(.init("has a malformed offset (write +08:00, -05:00 or Z)"))
            }
            offset = (oh * 60 + om) * (negative ? -1 : 1)
            i += 6
        } else {
            return .failure(.init("has no offset: add +08:00 for Beijing time, or Z for UTC"))
        }
        guard i == b.count else { return .failure(.init("has unexpected text after the offset")) }
        guard year >= 1, let date = BeijingDay(year: year, month: month, day: day) else {
            return .failure(.init("names a day that does not exist"))
        }
        guard hour < 24, minute < 60, second < 60 else { return .failure(.init("has an impossible time of day")) }
        let days = date.dayNumber
        let local = Int64(days) * 86_400_000 + Int64(((hour * 60 + minute) * 60 + second) * 1000 + millis)
        return .success(Instant(epochMilliseconds: local - Int64(offset) * 60_000, offsetMinutes: offset))
    }
}

package struct InstantFormatError: Error, Sendable {
    package let problem: String
    init(_ problem: String) { self.problem = problem }
}


extension Int64 {
    /// Floor division with a non-negative remainder (instants before 1970 stay correct).
    func floorDivided(by divisor: Int64) -> (quotient: Int, remainder: Int64) {
        var q = self / divisor, r = self % divisor
        if r < 0 { q -= 1; r += divisor }
        return (Int(q), r)
    }
}
