import ArgumentParser
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerServer
import LedgerService
import LedgerStore

extension ListLedger {
    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add, list and disable users (people), each bound to one party, passwords stored with bcrypt.",
            subcommands: [Add.self, List.self, Disable.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a user; the password is read from standard input (first line) or $LISTLEDGER_PASSWORD.")
            @OptionGroup var ledger: LedgerOptions
            @Argument(help: ArgumentHelp("The user name (a-z 0-9 - _ .).", valueName: "name")) var name: String
            @Option(help: ArgumentHelp("The party: court:CODE, unit:CODE, auditor:CODE or system:CODE.", valueName: "party")) var party: String
            @Option(help: ArgumentHelp("Scopes: record, read, audit, admin (comma-separated).", valueName: "scopes")) var scope: String

            func run() throws {
                try reportingFailures(options: ["party": "--party", "scope": "--scope"]) {
                    let scopes = try Scope.parseList(scope, field: "--scope")
                    let password = ProcessInfo.processInfo.environment["LISTLEDGER_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
                    let user = try Credentials.makeUser(name: name, party: party, scopes: scopes, password: password, now: Clock.now())
                    let taken = Failure.input(InputError(field: "name", "a user \"\(name)\" already exists"))
                    if let url = try self.ledger.postgres() {
                        guard try onPostgres(url, { try await $0.insertUser(user) }) else { throw taken }
                    } else {
                        let ledger = try self.ledger.open()
                        try ledger.ensureCredentialTables()
                        if try ledger.user(name: name) != nil { throw taken }
                        try ledger.insertUser(user)
                    }
                    print("added user \(name) for \(party), scopes \(scopes.map(\.rawValue).joined(separator: ","))")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List users: name, party, scopes, state.")
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                try reportingFailures {
                    let users: [StoredCredential]
                    if let url = try self.ledger.postgres() {
                        users = try onPostgres(url) { try await $0.allUsers() }
                    } else {
                        let ledger = try self.ledger.open(readOnly: true)
                        users = try ledger.hasCredentialTables() ? try ledger.allUsers() : []
                    }
                    if output.json {
                        printJSON(.object([("users", .array(users.map { user in
                            .object([("name", .string(user.id)), ("party", .string(user.party)), ("scopes", .array(user.scopes.map(JSONValue.string))),
                                     ("disabled", .bool(user.revokedMilliseconds != nil))])
                        }))]))
                    } else {
                        printTable(["name", "party", "scopes", "state"], users.map {
                            [$0.id, $0.party, $0.scopes.joined(separator: ","), $0.revokedMilliseconds == nil ? "active" : "disabled"]
                        })
                    }
                }
            }
        }

        struct Disable: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Disable a user: their next request fails.")
            @OptionGroup var ledger: LedgerOptions
            @Argument(help: ArgumentHelp("The user name.", valueName: "name")) var name: String

            func run() throws {
                try reportingFailures {
                    let now = Clock.now().epochMilliseconds, name = self.name
                    let disabled: Bool
                    if let url = try self.ledger.postgres() {
                        disabled = try onPostgres(url) { try await $0.disableUser(name: name, at: now) }
                    } else {
                        let ledger = try self.ledger.open()
                        try ledger.ensureCredentialTables()
                        disabled = try ledger.disableUser(name: name, at: now)
                    }
                    guard disabled else {
                        throw Failure.input(InputError(field: "name", "no active user \"\(name)\"; see `listledger users list`"))
                    }
                    print("disabled user \(name)")
                }
            }
        }
    }
}
