import ArgumentParser
import LedgerDomain

// Option values checked by the argument parser itself: a malformed value is a malformed
// command line (exit 64, SPEC §5), refused before any ledger is opened, with the parser's
// message naming the option and what it accepts.

/// `report --format`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case md, json, html
}

/// `obligations --status`: one status, or `all`.
struct StatusFilter: ExpressibleByArgument {
    /// nil for `all`.
    let status: ObligationStatus?

    init(status: ObligationStatus?) { self.status = status }

    init?(argument: String) {
        if argument == "all" { status = nil; return }
        guard let status = ObligationStatus(rawValue: argument) else { return nil }
        self.status = status
    }

    static var allValueStrings: [String] { ObligationStatus.allCases.map(\.rawValue) + ["all"] }
    var defaultValueDescription: String { status?.rawValue ?? "all" }
}

/// A number of days written `Nd` (`alerts --due-within 3d`), N ≥ 0.
struct DayCount: ExpressibleByArgument {
    let days: Int

    init(days: Int) { self.days = days }

    init?(argument: String) {
        guard argument.hasSuffix("d"), argument.count <= 7, let days = Int(argument.dropLast()), days >= 0 else { return nil }
        self.days = days
    }

    var defaultValueDescription: String { "\(days)d" }
}

/// A duration written `Ns`, `Nm` or `Nh` (`alerts --interval 15m`), N ≥ 1.
struct Interval: ExpressibleByArgument {
    let seconds: Int

    init(seconds: Int) { self.seconds = seconds }

    init?(argument: String) {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        // At most 6 digits: a year of hours fits, an overflow does not.
        guard let unit = argument.last, let factor = units[unit], argument.count <= 7,
              let count = Int(argument.dropLast()), count > 0 else { return nil }
        seconds = count * factor
    }

    var defaultValueDescription: String {
        seconds % 3600 == 0 ? "\(seconds / 3600)h" : seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
    }
}

/// A whole number ≥ 1 (`append --batch-size`).
struct PositiveCount: ExpressibleByArgument {
    let value: Int

    init?(argument: String) {
        guard let value = Int(argument), value >= 1 else { return nil }
        self.value = value
    }
}
