import ArgumentParser
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Derive the projection tables (entries, obligations, complaints, flags) again from the log."
        )

        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            try reportingFailures {
                let ledger = try self.ledger.open()
                try ledger.rebuild(progress: standardErrorIsTerminal ? { printError("\u{1B}[2K\rrebuilding: \($0) events", newline: false) } : nil)
                if standardErrorIsTerminal { printError("\u{1B}[2K\r", newline: false) }
                print("rebuilt the projections from \(try ledger.head().size) events")
            }
        }
    }
}
