import ArgumentParser
import LedgerDomain
import LedgerService
import LedgerStorage

extension ListLedger {
    struct State: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the list: each entry's status, court, publicity and the units holding it.",
            discussion: """
            Without time options, reads the projection kept up to date by every append. With --as-of T, replays the log counting only facts effective by T; with --known-at T, only facts recorded by T (so a fact recorded late shows as unknown before it was recorded). A bare date means the end of that Beijing day.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(help: "Only this entry.") var entry: String?
        @Option(name: .customLong("as-of"), help: "Facts effective by this instant or date.") var asOf: String?
        @Option(name: .customLong("known-at"), help: "Facts recorded by this instant or date.") var knownAt: String?

        func run() async throws {
            try await reportingFailuresAsync {
                let query = StateQuery(entry: entry, asOf: try asOf.map { try parseTimeArgument($0, option: "--as-of") },
                                       knownAt: try knownAt.map { try parseTimeArgument($0, option: "--known-at") })
                let (states, profile) = try await self.ledger.withStorage(readOnly: true, log: log) { storage in
                    (try await storage.entryStates(query), try await storage.profileName())
                }
                if let entry, states.isEmpty {
                    throw Failure.input(InputError(field: "--entry", "no entry \"\(entry)\" in this ledger\(query.replays ? " at that time" : "")"))
                }
                if output.json {
                    printJSON(LedgerJSON.state(profile: profile, states: states))
                } else {
                    printTable(["entry", "status", "court", "public", "debtor", "units"], states.map { state in
                        [state.entry, state.status.rawValue, state.court,
                         state.isPublic.map { $0 ? "yes" : "no (employer)" } ?? "-", state.debtor,
                         state.holders.joined(separator: " ")]
                    })
                    print("\(states.count) entr\(states.count == 1 ? "y" : "ies") (profile \(profile))")
                }
            }
        }
    }
}
