import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash the whole chain and Merkle tree; name the first bad seq (exit 4 if any).",
            discussion: "Streams the log in one pass with constant memory; shows progress on a terminal."
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingFailures {
                let ledger = try self.ledger.open(readOnly: true)
                let showProgress = standardErrorIsTerminal && !output.json
                let report = try ledger.verify(progress: showProgress ? { done, total in
                    printError("\u{1B}[2K\rverifying: \(done) of \(total) events", newline: false)
                } : nil)
                if showProgress { printError("\u{1B}[2K\r", newline: false) }
                if output.json {
                    printJSON(.object([
                        ("ok", .bool(report.ok)), ("events", .integer(report.events)), ("head", .string(Hex.encode(report.head))),
                        ("first_bad_seq", report.firstBadSeq.map(JSONValue.integer) ?? .null), ("reason", .optional(report.reason)),
                        ("root", report.root.map { .string(Hex.encode($0)) } ?? .null),
                    ]))
                } else if report.ok {
                    print("ok: \(report.events) events, chain and Merkle tree verified; head \(Hex.encode(report.head))")
                } else {
                    print("FAILED at seq \(report.firstBadSeq ?? 0): \(report.reason ?? "")")
                }
                if !report.ok { throw ExitCode(4) }
            }
        }
    }
}
