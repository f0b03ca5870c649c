import ArgumentParser

@main
struct ListLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listledger",
        abstract: "The system of record for the court list of dishonest judgment debtors (失信被执行人名单).",
        discussion: """
        Every legal fact is an event in an append-only, hash-chained SQLite log. The current list,
        the deadlines of every court and unit, and the proofs an auditor needs are derived from it.
        Exit codes: 0 success; 1 refused (bad input, nothing written); 3 alerts found breaches;
        4 integrity failure; 64 malformed command line.
        """,
        version: "0.1.0",
        subcommands: [
            Init.self, Append.self, Record.self, State.self, History.self, Obligations.self, Verify.self, Rebuild.self,
            CalendarCommand.self,
        ]
    )
}
