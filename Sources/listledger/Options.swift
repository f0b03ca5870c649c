import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerStore

/// `--db` (or `LISTLEDGER_DB`): the ledger file every command works on.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger's SQLite file (default: $LISTLEDGER_DB, else ./listledger.sqlite).", valueName: "path"))
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["LISTLEDGER_DB"] ?? "listledger.sqlite" }

    func open(readOnly: Bool = false) throws -> Ledger {
        try Ledger.open(path: path, readOnly: readOnly)
    }
}

/// `--json` for machine output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for machines instead of a table for people.")
    var json = false
}

/// The ledger's clock: the only place the command line reads the time.
enum Clock {
    static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(epochMilliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}

/// A time argument: an ISO 8601 instant, or a bare date meaning the end of that Beijing day.
func parseTimeArgument(_ text: String, option: String) throws -> Instant {
    if let day = BeijingDay(iso: text) { return Instant.endOfBeijingDay(day) }
    switch Instant.parse(text) {
    case .success(let instant): return instant
    case .failure(let failure):
        throw Failure.input(InputError(field: option, "\"\(text)\" \(failure.problem); or give a date YYYY-MM-DD (the end of that Beijing day)"))
    }
}
