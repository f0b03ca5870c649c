import ArgumentParser
import LedgerDomain
import LedgerPostgres
import LedgerStore

extension ListLedger {
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Derive the projection tables (entries, obligations, complaints, flags) again from the log.",
            discussion: "On PostgreSQL: the projections of one log (--court), entry states, complaints and flags (obligations are derived on read there), in one transaction that holds the log's head."
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var log: CourtOption

        func run() throws {
            try reportingFailures {
                if let url = try self.ledger.postgres() {
                    // The log's projections (entry states, complaints, flags) in one transaction.
                    try log.refuseReadOptions()
                    let court = log.court
                    let terminal = standardErrorIsTerminal
                    let events: Int64 = try onPostgres(url) { database in
                        let log = try await database.log(court: court)
                        return try await database.rebuildProjections(of: log, progress: terminal ? { @Sendable done in
                            printError("\u{1B}[2K\rrebuilding: \(done) events", newline: false)
                        } : nil)
                    }
                    if standardErrorIsTerminal { printError("\u{1B}[2K\r", newline: false) }
                    print("rebuilt the projections from \(events) events")
                    return
                }
                let ledger = try self.ledger.open()
                try ledger.rebuild(progress: standardErrorIsTerminal ? { printError("\u{1B}[2K\rrebuilding: \($0) events", newline: false) } : nil)
                if standardErrorIsTerminal { printError("\u{1B}[2K\r", newline: false) }
                print("rebuilt the projections from \(try ledger.head().size) events")
            }
        }
    }
}
