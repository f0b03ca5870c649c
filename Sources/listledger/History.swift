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
        @Option(help: "The entry.") var entry: String

        func run() throws {
            try reportingFailures {
                let ledger = try self.ledger.open(readOnly: true)
                let events = try ledger.events(ofEntry: entry)
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
}
