import ArgumentParser
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerService

extension ListLedger {
    /// `listledger national …`: the national log of logs on a PostgreSQL database (issue 13
    /// point 5, docs/postgresql.md): one signed checkpoint that commits to every court's head.
    struct National: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The national log of logs (PostgreSQL): publish a round, prove a court's head, check a proof offline.",
            subcommands: [Publish.self, Prove.self, VerifyProof.self, Key.self]
        )

        struct Publish: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Checkpoint every court's log and append a leaf for each court whose head moved; sign the national checkpoint.",
                discussion: "Each court's log is verified first, and a court whose new head does not extend the head the national log holds (fewer events, or another root for the old ones) stops the round with exit 4: nothing of it is written. Prints the signed national checkpoint."
            )
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                try reportingFailures {
                    let url = try nationalDatabase(ledger)
                    let round = try onPostgres(url) { try await $0.publishNational() }
                    if output.json {
                        printJSON(.object([("size", .integer(round.size)), ("root", .string(StrictBase64.encode(round.root))),
                                           ("appended", .array(round.appended.map(JSONValue.string))), ("note", .string(round.note))]))
                    } else {
                        print(round.note, terminator: "")
                        printError(round.appended.isEmpty ? "(no court's head moved since the last round)"
                                                          : "(new leaves for \(round.appended.joined(separator: ", ")))")
                    }
                }
            }
        }

        struct Prove: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "A court's latest leaf under the latest national checkpoint, with its inclusion proof (JSON).",
                discussion: "Check it offline with `listledger national verify-proof FILE --key NATIONAL_KEY --court-key COURT_KEY`."
            )
            @OptionGroup var ledger: LedgerOptions
            @Option(help: ArgumentHelp("The court whose head to prove.", valueName: "court"))
            var court: String

            func run() throws {
                try reportingFailures {
                    let url = try nationalDatabase(ledger)
                    let court = self.court
                    let proof = try onPostgres(url) { try await $0.nationalProof(court: court) }
                    printJSON(.object([
                        ("type", .string("national_inclusion")), ("court", .string(proof.leaf.court)),
                        ("index", .integer(proof.leaf.index)), ("tree_size", .integer(proof.treeSize)),
                        ("leaf", .string(StrictBase64.encode(proof.leaf.canonical))),
                        ("proof", .array(proof.proof.map { .string(StrictBase64.encode($0)) })),
                        ("checkpoint", .string(proof.checkpoint)),
                    ]))
                }
            }
        }

        struct VerifyProof: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "verify-proof",
                abstract: "Check a `national prove` proof offline: the national checkpoint, the leaf's path to it, and the court's own signed checkpoint in the leaf.",
                discussion: "Exit 0 the court's head (size and root) is committed to by the signed national checkpoint; 4 it is not (the message names the failed check); 1 unreadable input."
            )
            @Argument(help: ArgumentHelp("The proof JSON (or - for standard input).", valueName: "proof.json"))
            var proofFile: String
            @Option(help: ArgumentHelp("The trusted national verifier key, or a file holding it.", valueName: "key"))
            var key: String
            @Option(help: ArgumentHelp("The trusted verifier key of the court's log, or a file holding it.", valueName: "key"))
            var courtKey: String
            @OptionGroup var output: OutputOptions

            func run() throws {
                try reportingFailures {
                    let national = try readTrustedKey(key)
                    let courtVerifier = try readTrustedKey(courtKey)
                    let text = try readInputText(proofFile, what: "proof")
                    do {
                        let summary = try ProofCheck.nationalInclusion(try ProofFields(parsing: text), national: national, court: courtVerifier)
                        if output.json { printJSON(.object([("ok", .bool(true)), ("result", .string(summary))])) } else { print("ok: \(summary)") }
                    } catch let error as ProofCheckError {
                        switch error {
                        case .unreadable(let reason): throw Failure.other(reason)
                        case .failed(let reason): throw Failure.integrity(reason)
                        }
                    }
                }
            }
        }

        struct Key: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the national verifier key, or with --court that court log's verifier key (NAME+KEYHASH+BASE64)."
            )
            @OptionGroup var ledger: LedgerOptions
            @Option(help: ArgumentHelp("A court whose log's key to print instead.", valueName: "court"))
            var court: String?

            func run() throws {
                try reportingFailures {
                    let url = try nationalDatabase(ledger)
                    let court = self.court
                    let key = try onPostgres(url) { ledger in
                        if let court { return try await ledger.verifierKey(of: try await ledger.log(court: court)).description }
                        return try await ledger.nationalVerifierKey().description
                    }
                    print(key)
                }
            }
        }
    }
}

private func nationalDatabase(_ ledger: LedgerOptions) throws -> PostgresURL {
    guard let url = try ledger.postgres() else {
        throw Failure.input(InputError(field: "--db", "the national log lives beside the courts' logs on PostgreSQL: give --db postgresql://USER@HOST:PORT/DB"))
    }
    return url
}
