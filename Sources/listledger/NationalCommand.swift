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
            abstract: "The national log of logs (PostgreSQL): publish a round, prove a court's head or a consistency, check a proof offline; witnesses cosign.",
            subcommands: [Publish.self, Prove.self, VerifyProof.self, Key.self, CheckpointCommand.self,
                          WitnessKey.self, Cosign.self, AddCosignature.self]
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
                abstract: "A court's latest leaf under the latest national checkpoint, with its inclusion proof (JSON); or, with --from, a consistency proof between two national checkpoints.",
                discussion: """
                --court C: check it offline with `listledger national verify-proof FILE --key NATIONAL_KEY --court-key COURT_KEY [--witness W]`; its checkpoint carries the witnesses' cosignatures collected so far.
                --from N [--to M]: the consistency proof from the national checkpoint of N leaves to that of M (default: the latest), as `prove --from` prints it for a court's log; check it offline with `listledger verify-proof FILE --key NATIONAL_KEY`. With --witness-request it is printed as the body of a C2SP tlog-witness add-checkpoint request instead (--from 0 for a witness's first one), which `national cosign` takes.
                """
            )
            @OptionGroup var ledger: LedgerOptions
            @Option(help: ArgumentHelp("The court whose head to prove.", valueName: "court"))
            var court: String?
            @Option(help: ArgumentHelp("A consistency proof from the national checkpoint of this size.", valueName: "size"))
            var from: Int64?
            @Option(help: ArgumentHelp("With --from: to the national checkpoint of this size (default: the latest).", valueName: "size"))
            var to: Int64?
            @Flag(help: "With --from: print a tlog-witness add-checkpoint request body instead of JSON.")
            var witnessRequest = false

            func run() throws {
                try reportingFailures {
                    let url = try nationalDatabase(ledger)
                    if let from {
                        if court != nil { throw Failure.input(InputError(field: "--court", "give either --court (inclusion) or --from (consistency)")) }
                        try proveConsistency(url, from: from)
                        return
                    }
                    if to != nil || witnessRequest {
                        throw Failure.input(InputError(field: to != nil ? "--to" : "--witness-request", "only with --from"))
                    }
                    guard let court else { throw Failure.input(InputError(field: "--court", "name the court whose head to prove (or --from N for a consistency proof)")) }
                    // The checkpoint with the cosignatures collected for it: a reader that
                    // trusts witnesses checks them offline (verify-proof --witness).
                    let (proof, checkpoint) = try onPostgres(url) { ledger in
                        let proof = try await ledger.nationalProof(court: court)
                        return (proof, try await ledger.cosignedNationalCheckpoint(size: proof.treeSize))
                    }
                    printJSON(.object([
                        ("type", .string("national_inclusion")), ("court", .string(proof.leaf.court)),
                        ("index", .integer(proof.leaf.index)), ("tree_size", .integer(proof.treeSize)),
                        ("leaf", .string(StrictBase64.encode(proof.leaf.canonical))),
                        ("proof", .array(proof.proof.map { .string(StrictBase64.encode($0)) })),
                        ("checkpoint", .string(checkpoint)),
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
            @Option(help: ArgumentHelp("A witness's cosigner key (NAME+KEYID+BASE64, or a file holding it) whose valid cosignature/v1 the national checkpoint must carry; repeat for a quorum.", valueName: "key"))
            var witness: [String] = []
            @OptionGroup var output: OutputOptions

            func run() throws {
                try reportingFailures {
                    let national = try readTrustedKey(key)
                    let courtVerifier = try readTrustedKey(courtKey)
                    let witnesses = try witness.map(readCosignerKey)
                    let text = try readInputText(proofFile, what: "proof")
                    do {
                        let fields = try ProofFields(parsing: text)
                        var summary = try ProofCheck.nationalInclusion(fields, national: national, court: courtVerifier)
                        if !witnesses.isEmpty {
                            summary += "; " + (try requireCosignatures(on: try fields.string("checkpoint"), national: national, witnesses: witnesses))
                        }
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

func nationalDatabase(_ ledger: LedgerOptions) throws -> PostgresURL {
    guard let url = try ledger.postgres() else {
        throw Failure.input(InputError(field: "--db", "the national log lives beside the courts' logs on PostgreSQL: give --db postgresql://USER@HOST:PORT/DB"))
    }
    return url
}
