import ArgumentParser
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new ledger file.",
            discussion: "Refuses to touch an existing file. The policy profile fixes the legal periods; see `listledger profile show`."
        )

        @OptionGroup var ledger: LedgerOptions

        @Option(help: ArgumentHelp("The policy profile: \(PolicyProfiles.names.joined(separator: " or ")).", valueName: "name"))
        var profile = PolicyProfiles.defaultName

        @Option(help: ArgumentHelp("The court that keeps this ledger (court:CODE); names its log and signing key.", valueName: "court"))
        var court: String?

        func run() throws {
            try reportingFailures {
                if let url = try ledger.postgres() { return try runOnPostgres(url) }
                guard PolicyProfiles.names.contains(profile) else {
                    throw Failure.input(InputError(field: "--profile", "\"\(profile)\" is not a profile; accepted: \(PolicyProfiles.names.joined(separator: ", "))"))
                }
                if let court, Party.kind(of: court) != "court" {
                    throw Failure.input(InputError(field: "--court", "\"\(court)\" is not court:CODE"))
                }
                _ = try Ledger.create(path: ledger.path, profile: profile, court: court, now: Clock.now())
                print("created ledger \(ledger.path) (profile \(profile))")
            }
        }
    }
}
