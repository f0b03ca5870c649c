import ArgumentParser
import LedgerDomain
import LedgerPostgres
import LedgerServer
import LedgerService
import LedgerStore

extension ListLedger {
    struct Tokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue, list and revoke bearer tokens for programs, each bound to one party (SPEC §6).",
            subcommands: [Issue.self, List.self, Revoke.self]
        )

        struct Issue: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a token; it is printed once, as the last line, and stored only as its SHA-256.")
            @OptionGroup var ledger: LedgerOptions
            @Option(help: ArgumentHelp("The party: court:CODE, unit:CODE, auditor:CODE or system:CODE.", valueName: "party")) var party: String
            @Option(help: ArgumentHelp("Scopes: record, read, audit, admin (comma-separated).", valueName: "scopes")) var scope: String
            @Option(help: ArgumentHelp("Days until it expires (default: never).", valueName: "days")) var expires: Int?

            func run() throws {
                try reportingFailures(options: ["party": "--party", "scope": "--scope", "expires": "--expires"]) {
                    let scopes = try Scope.parseList(scope, field: "--scope")
                    let issued = try Credentials.issueToken(party: party, scopes: scopes, expiresInDays: expires, now: Clock.now())
                    if let url = try self.ledger.postgres() {
                        // The database's credentials: valid on the server of any of its logs.
                        try onPostgres(url) { try await $0.insertToken(issued.stored) }
                    } else {
                        let ledger = try self.ledger.open()
                        try ledger.ensureCredentialTables()
                        try ledger.insertToken(issued.stored)
                    }
                    print("token \(issued.id) for \(party), scopes \(scopes.map(\.rawValue).joined(separator: ","))"
                          + (issued.stored.expiresMilliseconds.map { ", expires \(Instant(epochMilliseconds: $0).utcDescription)" } ?? ""))
                    print("it is shown once; keep it secret:")
                    print(issued.token)
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List tokens: id, party, scopes, state (never the token).")
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                try reportingFailures {
                    let tokens: [StoredCredential]
                    if let url = try self.ledger.postgres() {
                        tokens = try onPostgres(url) { try await $0.allTokens() }
                    } else {
                        let ledger = try self.ledger.open(readOnly: true)
                        tokens = try ledger.hasCredentialTables() ? try ledger.allTokens() : []
                    }
                    let now = Clock.now().epochMilliseconds
                    func state(_ token: StoredCredential) -> String {
                        if token.revokedMilliseconds != nil { return "revoked" }
                        if let expires = token.expiresMilliseconds, expires <= now { return "expired" }
                        return "live"
                    }
                    if output.json {
                        printJSON(.object([("tokens", .array(tokens.map { token in
                            .object([("id", .string(token.id)), ("party", .string(token.party)), ("scopes", .array(token.scopes.map(JSONValue.string))),
                                     ("created_at", .string(Instant(epochMilliseconds: token.createdMilliseconds).utcDescription)),
                                     ("expires_at", .optional(token.expiresMilliseconds.map { Instant(epochMilliseconds: $0).utcDescription })),
                                     ("revoked_at", .optional(token.revokedMilliseconds.map { Instant(epochMilliseconds: $0).utcDescription })),
                                     ("state", .string(state(token)))])
                        }))]))
                    } else {
                        printTable(["id", "party", "scopes", "created", "state"], tokens.map { token in
                            [token.id, token.party, token.scopes.joined(separator: ","),
                             Instant(epochMilliseconds: token.createdMilliseconds).utcDescription, state(token)]
                        })
                    }
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token: it fails at once, on an open feed too.")
            @OptionGroup var ledger: LedgerOptions
            @Argument(help: ArgumentHelp("The token's id (from `tokens list`).", valueName: "id")) var id: String

            func run() throws {
                try reportingFailures {
                    let now = Clock.now().epochMilliseconds, id = self.id
                    let revoked: Bool
                    if let url = try self.ledger.postgres() {
                        revoked = try onPostgres(url) { try await $0.revokeToken(id: id, at: now) }
                    } else {
                        let ledger = try self.ledger.open()
                        try ledger.ensureCredentialTables()
                        revoked = try ledger.revokeToken(id: id, at: now)
                    }
                    guard revoked else {
                        throw Failure.input(InputError(field: "id", "no live token \"\(id)\"; see `listledger tokens list`"))
                    }
                    print("revoked token \(id)")
                }
            }
        }
    }
}
