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
                let json = output.json
                // Streamed (issue 8): one state at a time from the store's snapshot, written as
                // it comes (JSON) or spooled to a temporary file while the widths are measured.
                let found = try await self.ledger.withStorage(readOnly: true, log: log) { storage in
                    let profile = try await storage.profileName()
                    if entry != nil {
                        // At most one state: held, so that a missing entry prints nothing.
                        let states = try await storage.entryStates(query)
                        guard !states.isEmpty else { return false }
                        let out = try StateOutput(json: json, profile: profile)
                        for state in states { try out.add(state) }
                        try out.finish()
                    } else {
                        let out = try StateOutput(json: json, profile: profile)
                        try await storage.forEachEntryState(query) { try out.add($0) }
                        try out.finish()
                    }
                    return true
                }
                if let entry, !found {
                    throw Failure.input(InputError(field: "--entry", "no entry \"\(entry)\" in this ledger\(query.replays ? " at that time" : "")"))
                }
            }
        }
    }
}

/// `state`'s output, one entry at a time (`StreamedListOutput`): `--json` as `LedgerJSON.state`
/// encodes it, or the table and its count line.
final class StateOutput: @unchecked Sendable {
    private let output: StreamedListOutput

    init(json: Bool, profile: String) throws {
        output = try StreamedListOutput(json: json, document: LedgerJSON.state(profile: profile, states: []), array: "entries",
                                        header: ["entry", "status", "court", "public", "debtor", "units"]) { count in
            "\(count) entr\(count == 1 ? "y" : "ies") (profile \(profile))\n"
        }
    }

    func add(_ state: EntryState) throws {
        try output.add(json: state.json) {
            [state.entry, state.status.rawValue, state.court, state.isPublic.map { $0 ? "yes" : "no (employer)" } ?? "-",
             state.debtor, state.holders.joined(separator: " ")]
        }
    }

    func finish() throws { try output.finish() }
}
