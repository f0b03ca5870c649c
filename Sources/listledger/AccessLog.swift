import ArgumentParser
import LedgerCalendar
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct AccessLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "access-log",
            abstract: "Who read which entry's personal data through the server, when, from which address.")
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only reads by this party.") var party: String?
        @Option(help: "Only reads of this entry.") var entry: String?
        @Option(help: "Only reads at or after this instant or date.") var from: String?

        func run() throws {
            try reportingFailures {
                // A bare date means the start of that Beijing day here: "from" includes the day.
                let fromMilliseconds: Int64? = try from.map { text in
                    if let day = BeijingDay(iso: text) { return day.startOfDayEpochMilliseconds }
                    return try parseTimeArgument(text, option: "--from").epochMilliseconds
                }
                let ledger = try self.ledger.open(readOnly: true)
                let records = try ledger.accessLog(party: party, entry: entry, fromMilliseconds: fromMilliseconds)
                if output.json {
                    printJSON(.object([("reads", .array(records.map { record in
                        .object([("at", .string(Instant(epochMilliseconds: record.atMilliseconds).utcDescription)),
                                 ("credential", .string(record.credential)), ("party", .string(record.party)),
                                 ("entry", .string(record.entry)), ("address", .string(record.address)), ("route", .string(record.route))])
                    }))]))
                } else {
                    printTable(["at", "party", "credential", "entry", "address", "route"], records.map {
                        [Instant(epochMilliseconds: $0.atMilliseconds).utcDescription, $0.party, $0.credential, $0.entry, $0.address, $0.route]
                    })
                    print("\(records.count) read\(records.count == 1 ? "" : "s")")
                }
            }
        }
    }
}
