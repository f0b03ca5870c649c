import ArgumentParser
import LedgerCalendar
import LedgerDomain
import LedgerStorage
import LedgerStore

extension ListLedger {
    struct AccessLog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "access-log",
            abstract: "Who read which entry's personal data through the server, when, from which address.")
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only reads by this party.") var party: String?
        @Option(help: "Only reads of this entry.") var entry: String?
        @Option(help: "Only reads at or after this instant or date.") var from: String?
        @OptionGroup var log: CourtOption

        /// When a read happened, as the people who audit reads write it: Beijing time, with
        /// its offset (`2026-12-02T09:30:00.125+08:00`), in the table and in `--json` alike.
        private func beijingTime(_ milliseconds: Int64) -> String {
            Instant(epochMilliseconds: milliseconds, offsetMinutes: Instant.beijingOffsetMinutes).description
        }

        func run() async throws {
            try await reportingFailuresAsync {
                // A bare date means the start of that Beijing day here: "from" includes the day.
                let fromMilliseconds: Int64? = try from.map { text in
                    if let day = BeijingDay(iso: text) { return day.startOfDayEpochMilliseconds }
                    return try parseTimeArgument(text, option: "--from").epochMilliseconds
                }
                let (party, entry) = (self.party, self.entry)
                let records = try await self.ledger.withStorage(readOnly: true, log: log) { storage in
                    try await storage.accessLog(party: party, entry: entry, fromMilliseconds: fromMilliseconds)
                }
                if output.json {
                    printJSON(.object([("reads", .array(records.map { record in
                        .object([("at", .string(beijingTime(record.atMilliseconds))),
                                 ("credential", .string(record.credential)), ("party", .string(record.party)),
                                 ("entry", .string(record.entry)), ("address", .string(record.address)), ("route", .string(record.route))])
                    }))]))
                } else {
                    printTable(["at", "party", "credential", "entry", "address", "route"], records.map {
                        [beijingTime($0.atMilliseconds), $0.party, $0.credential, $0.entry, $0.address, $0.route]
                    })
                    print("\(records.count) read\(records.count == 1 ? "" : "s")")
                }
            }
        }
    }
}
