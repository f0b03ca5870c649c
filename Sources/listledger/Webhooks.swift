import ArgumentParser
import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerPostgres
import LedgerStore

extension ListLedger {
    struct Webhooks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register, list and remove the alert runner's webhook receivers, one secret each.",
            discussion: """
            A receiver belongs to one unit or court and receives only that party's breaches. Each POST carries \
            X-ListLedger-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the receiver's secret>, \
            X-ListLedger-Timestamp, X-ListLedger-Ledger (the log's origin) and X-ListLedger-Court.
            """,
            subcommands: [Add.self, List.self, Remove.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a receiver; its secret is printed once, as the last line (hex), and kept beside the log.")
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var log: CourtOption
            @Option(help: ArgumentHelp("Whose breaches it receives: unit:CODE or court:CODE.", valueName: "party")) var party: String
            @Option(help: ArgumentHelp("Where they are POSTed: an http or https URL.", valueName: "url")) var url: String

            func run() throws {
                try reportingFailures {
                    guard let kind = Party.kind(of: party), kind == "unit" || kind == "court" else {
                        throw Failure.input(InputError(field: "--party", "\"\(party)\" is not unit:CODE or court:CODE"))
                    }
                    guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host?.isEmpty == false else {
                        throw Failure.input(InputError(field: "--url", "\"\(url)\" is not an http(s) URL"))
                    }
                    let receiver = WebhookReceiver(id: "wh_" + Hex.encode(RandomBytes.generate(6)), party: party, url: url,
                                                   secret: RandomBytes.generate(32), createdMilliseconds: Clock.now().epochMilliseconds)
                    if let postgres = try ledger.postgres() {
                        let court = log.court
                        try log.refuseReadOptions()
                        try onPostgres(postgres) { try await $0.addReceiver(receiver, to: try await $0.log(court: court)) }
                    } else {
                        try self.ledger.open().addReceiver(receiver)
                    }
                    print("receiver \(receiver.id) for \(party) at \(url)")
                    print("its secret is shown once; give it to the receiver, who checks X-ListLedger-Signature with it:")
                    print(Hex.encode(receiver.secret))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List receivers: id, party, URL (never the secret).")
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var log: CourtOption
            @OptionGroup var output: OutputOptions

            func run() throws {
                try reportingFailures {
                    let receivers: [WebhookReceiver]
                    if let postgres = try ledger.postgres() {
                        let court = log.court
                        let source = try log.readSource(primary: postgres)
                        receivers = try onPostgres(source.url, migrate: source.migrate) { try await $0.receivers(of: try await $0.log(court: court)) }
                    } else {
                        receivers = try self.ledger.open(readOnly: true).receivers()
                    }
                    if output.json {
                        printJSON(.object([("receivers", .array(receivers.map { receiver in
                            .object([("id", .string(receiver.id)), ("party", .string(receiver.party)), ("url", .string(receiver.url)),
                                     ("created_at", .string(Instant(epochMilliseconds: receiver.createdMilliseconds).utcDescription))])
                        }))]))
                    } else {
                        printTable(["id", "party", "url", "created"], receivers.map { receiver in
                            [receiver.id, receiver.party, receiver.url, Instant(epochMilliseconds: receiver.createdMilliseconds).utcDescription]
                        })
                    }
                }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a receiver: it is sent nothing more, its secret is forgotten.")
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var log: CourtOption
            @Argument(help: ArgumentHelp("The receiver's id (from `webhooks list`).", valueName: "id")) var id: String

            func run() throws {
                try reportingFailures {
                    let removed: Bool
                    if let postgres = try ledger.postgres() {
                        let (court, id) = (log.court, self.id)
                        try log.refuseReadOptions()
                        removed = try onPostgres(postgres) { try await $0.removeReceiver(id: id, of: try await $0.log(court: court)) }
                    } else {
                        removed = try self.ledger.open().removeReceiver(id: id)
                    }
                    guard removed else {
                        throw Failure.input(InputError(field: "id", "no receiver \"\(id)\"; see `listledger webhooks list`"))
                    }
                    print("removed receiver \(id)")
                }
            }
        }
    }
}
