import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash the whole chain and Merkle tree; name the first bad seq (exit 4 if any).",
            discussion: """
            Streams the log in one pass with constant memory; shows progress on a terminal. With --against CHECKPOINT --key KEY, also proves from the stored tree (RFC 6962 consistency proof) that the log extends a checkpoint an auditor saved earlier: a log rewritten and re-hashed since fails (exit 4) even though its own chain verifies.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(help: ArgumentHelp("A signed checkpoint saved earlier (a file): prove the log extends it.", valueName: "checkpoint"))
        var against: String?
        @Option(help: ArgumentHelp("With --against: the trusted verifier key, or a file holding it.", valueName: "key"))
        var key: String?

        func run() throws {
            try reportingFailures {
                if let url = try self.ledger.postgres() {
                    return try runOnPostgres(url, court: log.court)
                }
                let ledger = try self.ledger.open(readOnly: true)
                let showProgress = standardErrorIsTerminal && !output.json
                let progress: (@Sendable (Int64, Int64) -> Void)? = showProgress ? { @Sendable done, total in
                    printError("\u{1B}[2K\rverifying: \(done) of \(total) events", newline: false)
                } : nil
                let report = try ledger.verify(progress: progress)
                if showProgress { printError("\u{1B}[2K\r", newline: false) }
                let extends = try against.map { try checkAgainst($0, key: key, ledger: ledger, report: report) }
                let ok = report.ok && (extends?.ok ?? true)
                if output.json {
                    var members: [(String, JSONValue)] = [
                        ("ok", .bool(ok)), ("events", .integer(report.events)), ("head", .string(Hex.encode(report.head))),
                        ("first_bad_seq", report.firstBadSeq.map(JSONValue.integer) ?? .null), ("reason", .optional(report.reason ?? extends?.reason)),
                        ("root", report.root.map { .string(Hex.encode($0)) } ?? .null),
                    ]
                    if !report.ok {
                        // `events` and `head` are the verified prefix; the head row's claim beside them.
                        members.append(("verified_events", .integer(report.events)))
                        members.append(("stored_events", .integer(report.storedEvents)))
                        members.append(("stored_head", .string(Hex.encode(report.storedHead))))
                    }
                    if let extends {
                        members.append(("against", .object([("ok", .bool(extends.ok)), ("checkpoint_size", .integer(extends.checkpointSize)),
                                                            ("reason", .optional(extends.reason))])))
                    }
                    printJSON(.object(members))
                } else if report.ok {
                    print("ok: \(report.events) events, chain and Merkle tree verified; head \(Hex.encode(report.head))")
                    if let extends {
                        print(extends.ok ? "ok: the log extends the checkpoint of \(extends.checkpointSize) events (consistency proof of \(extends.proof.count) hashes)"
                                         : "FAILED against the checkpoint: \(extends.reason ?? "")")
                    }
                } else {
                    print("FAILED at seq \(report.firstBadSeq ?? 0): \(report.reason ?? "")")
                    print("the chain holds for events 1…\(report.events) of the \(report.storedEvents) the head records")
                }
                if !ok { throw ExitCode(4) }
            }
        }
    }
}
