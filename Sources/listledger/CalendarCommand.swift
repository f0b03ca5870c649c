import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import LedgerStore

extension ListLedger {
    struct CalendarCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calendar",
            abstract: "The official calendar: due days of legal periods, and loading a newer calendar.",
            subcommands: [Due.self, Status.self, Show.self, Load.self]
        )

        struct Due: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the due day of a period (SPEC §2), or exit 1 naming a year the calendar lacks.",
                discussion: """
                Calendar days: the trigger day is not counted; a period ending on a rest day ends on the next working day. Working days: the N-th working day after the trigger (make-up working weekends count). Uses the ledger's calendar when --db names an existing ledger, else the built-in one. Instead of --days, --period names a period of a policy profile (e.g. --period correction_review --profile spc-2017; the ledger's profile, else baisha-2018, when --profile is not given), and the answer cites its clause.
                """
            )
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions
            @Option(help: "The trigger day, YYYY-MM-DD (or an instant: its Beijing day).") var from: String
            @Option(help: "The number of days.") var days: Int?
            @Flag(help: "Count working days instead of calendar days.") var working = false
            @Option(help: "A period of a policy profile instead of --days: \(PolicyProfile.baisha2018.periods.map(\.key).joined(separator: ", ")).")
            var period: String?
            @Option(help: "The profile --period comes from: \(PolicyProfile.builtInNames.joined(separator: ", ")).") var profile: String?

            /// `--days [--working]`, or a profile's `--period` with the clause it comes from.
            func chosenPeriod() throws -> (Period, String?) {
                if let period {
                    guard days == nil, !working else {
                        throw Failure.input(InputError(field: "--period", "give either --period or --days [--working], not both"))
                    }
                    let chosen: PolicyProfile
                    if let profile {
                        guard let named = PolicyProfile.named(profile) else {
                            throw Failure.input(InputError(field: "--profile", "\"\(profile)\" is not a profile; accepted: \(PolicyProfile.builtInNames.joined(separator: ", "))"))
                        }
                        chosen = named
                    } else if let url = try ledger.postgres() {
                        chosen = try postgresProfile(url)
                    } else if FileManager.default.fileExists(atPath: ledger.path) {
                        chosen = try ledger.open(readOnly: true).profile()
                    } else {
                        chosen = .default
                    }
                    guard let found = chosen.period(period) else {
                        throw Failure.input(InputError(field: "--period", "\"\(period)\" is not a period of \(chosen.name); its periods: \(chosen.periods.map(\.key).joined(separator: ", "))"))
                    }
                    return (found.period, "\(chosen.name): \(found.clause)")
                }
                guard let days else { throw Failure.input(InputError(field: "--days", "is required (or name a profile's --period)")) }
                guard profile == nil else { throw Failure.input(InputError(field: "--profile", "goes with --period")) }
                return (working ? .workingDays(days) : .calendarDays(days), nil)
            }

            /// The profile of the database's log (the ledger's profile, as on SQLite); with
            /// several logs, which one is for --profile to say.
            func postgresProfile(_ url: PostgresURL) throws -> PolicyProfile {
                let names = try onPostgres(url) { try await $0.logs().map(\.profile) }
                guard names.count == 1 else {
                    throw Failure.input(InputError(field: "--profile", "the database holds \(names.count) logs: name the profile their period comes from with --profile"))
                }
                guard let profile = PolicyProfile.named(names[0]) else {
                    throw Failure.input(InputError(field: "--profile", "the log's profile \"\(names[0])\" is not known to this build"))
                }
                return profile
            }

            func run() throws {
                try reportingFailures {
                    let trigger: BeijingDay
                    if let day = BeijingDay(iso: from) { trigger = day } else { trigger = try parseTimeArgument(from, option: "--from").beijingDay }
                    let calendar = try ledgerCalendar(ledger)
                    let (period, clause) = try chosenPeriod()
                    let due: BeijingDay
                    do { due = try calendar.due(from: trigger, period: period) } catch {
                        throw Failure.input(InputError(field: "--from", "\(error)"))
                    }
                    if output.json {
                        let (count, kind): (Int, String) = switch period {
                        case .calendarDays(let n): (n, "calendar")
                        case .workingDays(let n): (n, "working")
                        }
                        printJSON(.object([("from", .string(trigger.description)), ("days", .integer(Int64(count))),
                                           ("kind", .string(kind)), ("due", .string(due.description)),
                                           ("calendar", .string(calendar.identity)), ("clause", .optional(clause))]))
                    } else {
                        print(due.description)
                        if let clause { print("(\(period), \(clause))") }
                    }
                }
            }
        }

        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The calendar in force, its coverage, and how many days remain until it ends (SPEC §5).",
                discussion: "A due day past the coverage is unknown (never guessed): load the next State Council notice with `calendar load` before the coverage ends (README, \"The official calendar\")."
            )
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions
            @Option(name: .customLong("as-of"), help: "Count the days from this instant or date (default: now).") var asOf: String?
            func run() throws {
                try reportingFailures {
                    let calendar = try ledgerCalendar(ledger)
                    let today = try (asOf.map { try parseTimeArgument($0, option: "--as-of") } ?? Clock.now()).beijingDay
                    let status = CalendarStatus(calendar: calendar, today: today)
                    if output.json {
                        printJSON(.object([("calendar", .string(calendar.identity)), ("covers_from", .string(status.first.description)),
                                           ("covers_to", .string(status.last.description)), ("ends_in_days", .integer(Int64(status.endsInDays))),
                                           ("last_notice", .string(calendar.years[calendar.coveredYears.upperBound]?.notice ?? "")),
                                           ("warning", status.warning.map(JSONValue.string) ?? .null)]))
                    } else {
                        print("\(calendar.identity): covers \(status.first) to \(status.last) (last notice \(calendar.years[calendar.coveredYears.upperBound]?.notice ?? "?"))")
                        print(status.endsInDays >= 0 ? "ends in \(status.endsInDays) day\(status.endsInDays == 1 ? "" : "s") (as of \(today), Beijing)"
                                                    : "ended \(-status.endsInDays) days ago (as of \(today), Beijing): due days after \(status.last) are unknown")
                        if let warning = status.warning { printError(warning) }
                    }
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show the calendar in use: version, sources, covered years and notices.")
            @OptionGroup var ledger: LedgerOptions
            func run() throws {
                try reportingFailures {
                    let calendar = try ledgerCalendar(ledger)
                    print("\(calendar.identity): years \(calendar.coveredYears.lowerBound)–\(calendar.coveredYears.upperBound)")
                    for (name, source) in calendar.sources.sorted(by: { $0.key < $1.key }) { print("  \(name): \(source)") }
                    for year in calendar.years.keys.sorted() { print("  \(year): \(calendar.years[year]!.notice)") }
                }
            }
        }

        struct Load: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Load a newer official calendar file into the ledger and re-evaluate every obligation with it."
            )
            @OptionGroup var ledger: LedgerOptions
            @Argument(help: "A calendar file in the Fixtures/calendars format.") var file: String
            func run() throws {
                try reportingFailures {
                    guard let data = FileManager.default.contents(atPath: file) else { throw Failure.other("cannot read \(file)") }
                    let calendar: OfficialCalendar
                    do { calendar = try OfficialCalendar(json: Array(data)) } catch { throw Failure.input(InputError(field: file, "\(error)")) }
                    if let url = try self.ledger.postgres() {
                        // One calendar per database: every log's obligations are derived again.
                        _ = try onPostgres(url) { try await $0.loadCalendar(calendar) }
                    } else {
                        try self.ledger.open().loadCalendar(calendar, now: Clock.now())
                    }
                    print("loaded \(calendar.identity) (years \(calendar.coveredYears.lowerBound)–\(calendar.coveredYears.upperBound)); obligations re-evaluated")
                }
            }
        }
    }
}

/// The calendar of the ledger at --db when one exists there, else the built-in calendar (on
/// PostgreSQL: the database's loaded calendar, else the built-in one).
func ledgerCalendar(_ options: LedgerOptions) throws -> OfficialCalendar {
    if let url = try options.postgres() { return try onPostgres(url) { try await $0.calendar() } }
    guard FileManager.default.fileExists(atPath: options.path) else { return .embedded }
    return try options.open(readOnly: true).calendar()
}
