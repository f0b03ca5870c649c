import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerStorage
import LedgerStore

extension ListLedger {
    struct ProfileCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profile",
            abstract: "The policy profiles: every legal period and the clause it comes from.",
            subcommands: [Show.self]
        )

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show the ledger's profile (or --name a built-in one) with its periods and clauses."
            )
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions
            @Option(help: "A built-in profile: \(PolicyProfile.builtInNames.joined(separator: ", ")).") var name: String?
            @OptionGroup var log: CourtOption

            func run() async throws {
                try await reportingFailuresAsync {
                    let profile: PolicyProfile
                    if let name {
                        guard let named = PolicyProfile.named(name) else {
                            throw Failure.input(.init(field: "--name", "\"\(name)\" is not a profile; accepted: \(PolicyProfile.builtInNames.joined(separator: ", "))"))
                        }
                        profile = named
                    } else if ledger.isPostgres || FileManager.default.fileExists(atPath: ledger.path) {
                        let stored = try await ledger.withStorage(readOnly: true, log: log) { try await $0.profileName() }
                        guard let named = PolicyProfile.named(stored) else {
                            throw Failure.other("error: the ledger's profile \"\(stored)\" is unknown to this build (it knows \(PolicyProfile.builtInNames.joined(separator: ", ")))")
                        }
                        profile = named
                    } else {
                        profile = .default
                    }
                    if output.json { print(profile.jsonText()); return }
                    print("\(profile.name): \(profile.description)\nsource: \(profile.source)\n")
                    printTable(["period", "length", "counted from", "clause"], profile.periods.map { key, period in
                        [key, "\(period.days) \(period.kind == .working ? "working days" : "days")",
                         period.countedFrom?.rawValue ?? "trigger", period.clause]
                    })
                    if let term = profile.inclusionTermMonths {
                        print("\ninclusion term: \(term.months) months\(term.appliesToGrounds.map { " for grounds " + $0.joined(separator: ", ") } ?? "") — \(term.clause)")
                    }
                }
            }
        }
    }
}
