import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct CalendarCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calendar",
            abstract: "The official calendar: due days of legal periods, and loading a newer calendar.",
            subcommands: [Due.self, Show.self, Load.self]
        )

        struct Due: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the due day of a period (SPEC §2), or exit 1 naming a year the calendar lacks.",
                discussion: """
                Calendar days: the trigger day is not counted; a period ending on a rest day ends on the next working day. Working days: the N-th working day after the trigger (make-up working weekends count). Uses the ledger's calendar when --db names an existing ledger, else the built-in one.
                """
            )
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions
            @Option(help: "The trigger day, YYYY-MM-DD (or an instant: its Beijing day).") var from: String
            @Option(help: "The number of days.") var days: Int
            @Flag(help: "Count working days instead of calendar days.") var working = false

            func run() throws {
                try reportingFailures {
                    let trigger: BeijingDay
                    if let day = BeijingDay(iso: from) { trigger = day } else { trigger = try parseTimeArgument(from, option: "--from").beijingDay }
                    let calendar = try ledgerCalendar(ledger)
                    let period: Period = working ? .workingDays(days) : .calendarDays(days)
                    let due: BeijingDay
                    do { due = try calendar.due(from: trigger, period: period) } catch {
                        throw Failure.input(InputError(field: "--from", "\(error)"))
                    }
                    if output.json {
                        printJSON(.object([("from", .string(trigger.description)), ("days", .integer(Int64(days))),
                                           ("kind", .string(working ? "working" : "calendar")), ("due", .string(due.description)),
                                           ("calendar", .string(calendar.identity))]))
                    } else {
                        print(due.description)
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
                    let ledger = try self.ledger.open()
                    try ledger.loadCalendar(calendar, now: Clock.now())
                    print("loaded \(calendar.identity) (years \(calendar.coveredYears.lowerBound)–\(calendar.coveredYears.upperBound)); obligations re-evaluated")
                }
            }
        }
    }
}

/// The calendar of the ledger at --db when one exists there, else the built-in calendar.
func ledgerCalendar(_ options: LedgerOptions) throws -> OfficialCalendar {
    guard FileManager.default.fileExists(atPath: options.path) else { return .embedded }
    return try options.open(readOnly: true).calendar()
}
