import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerService
import LedgerStore

extension ListLedger {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an entry's events in order, with their seqs and hashes.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(help: "The entry.") var entry: String

        func run() throws {
            try reportingFailures {
                if let url = try ledger.postgres() { return try runOnPostgres(url, court: log.court) }
                let ledger = try self.ledger.open(readOnly: true)
                try show(try ledger.events(ofEntry: entry))
            }
        }

        /// Prints the entry's events (the same on either engine).
        func show(_ events: [RecordedEvent]) throws {
            if events.isEmpty { throw Failure.input(InputError(field: "--entry", "no entry \"\(entry)\" in this ledger")) }
            if output.json {
                printJSON(LedgerJSON.history(entry: entry, events: events))
            } else {
                printTable(["seq", "at", "recorded_at", "type", "actor", "details"], events.map { recorded in
                    let details: String
                    if case .object(let members) = recorded.event.inputObject {
                        details = members.filter { !["type", "entry", "at", "actor"].contains($0.0) }
                            .map { "\($0.0)=\(String(decoding: CanonicalJSON.encode($0.1), as: UTF8.self))" }.joined(separator: " ")
                    } else { details = "" }
                    return [String(recorded.seq), recorded.event.at.description, recorded.recordedAt.utcDescription,
                            recorded.event.type.rawValue, recorded.event.actor, details]
                })
            }
        }
    }
}
