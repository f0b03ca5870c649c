import Foundation
import ArgumentParser

@main
struct ListLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listledger",
        abstract: "The system of record for the court list of dishonest judgment debtors (失信被执行人名单).",
        discussion: """
        Every legal fact is an event in an append-only, hash-chained SQLite log. The current list, the deadlines of every court and unit, and the proofs an auditor needs are derived from it.

        Exit codes: 0 success; 1 refused (bad input, nothing written); 3 alerts found breaches; 4 integrity failure; 64 malformed command line.
        """,
        version: "0.1.0",
        subcommands: [
            Init.self, Append.self, Record.self, State.self, History.self, Obligations.self, Alerts.self, Report.self, Verify.self, Rebuild.self,
            CalendarCommand.self, ProfileCommand.self, Keys.self, CheckpointCommand.self, Prove.self, VerifyProof.self, Export.self, Audit.self,
            Serve.self, Users.self, Tokens.self, AccessLog.self, Erase.self, VerifyValue.self, Webhooks.self, Pg.self, National.self,
        ]
    )

    /// `listledger --db PATH COMMAND …` means `listledger COMMAND --db PATH …`: scripts put the
    /// ledger first, so the leading form is accepted and passed on as $LISTLEDGER_DB.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        while let first = arguments.first, first == "--db" || first.hasPrefix("--db=") {
            if first == "--db" {
                guard arguments.count >= 2 else { break }
                setenv("LISTLEDGER_DB", arguments[1], 1)
                arguments.removeFirst(2)
            } else {
                setenv("LISTLEDGER_DB", String(first.dropFirst("--db=".count)), 1)
                arguments.removeFirst()
            }
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
