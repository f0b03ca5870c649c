import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerService

extension ListLedger {
    struct VerifyProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-proof",
            abstract: "Check a proof from `prove --json` offline, with the trusted verifier key alone (no ledger).",
            discussion: """
            An inclusion proof: the checkpoint's signature, that it signs the proof's tree size, the leaf (the event's canonical bytes, whose seq must be index + 1) and its audit path to the signed root. A consistency proof: the two signed checkpoints (--old and --new, or those the proof JSON carries), their sizes, and the path from the old root to the new one. Exit 0 the proof holds; 4 it does not (the message names the failed check); 1 unreadable input.
            """
        )

        @Argument(help: ArgumentHelp("The proof JSON (or - for standard input).", valueName: "proof.json"))
        var proofFile: String
        @Option(help: ArgumentHelp("The trusted verifier key NAME+KEYHASH+BASE64, or a file holding it.", valueName: "key"))
        var key: String
        @Option(help: ArgumentHelp("Consistency: the older signed checkpoint (a file).", valueName: "checkpoint"))
        var old: String?
        @Option(help: ArgumentHelp("Consistency: the newer signed checkpoint (a file).", valueName: "checkpoint"))
        var new: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingFailures {
                let trusted = try readTrustedKey(key)
                let text = try readInputText(proofFile, what: "proof")
                do {
                    let fields = try ProofFields(parsing: text)
                    let summary: String
                    if fields.has("index") || fields.has("leaf") {
                        summary = try ProofCheck.inclusion(fields, key: trusted)
                    } else if fields.has("old_size") {
                        summary = try ProofCheck.consistency(fields, key: trusted,
                                                             oldNote: { try note(old, fields, "old_checkpoint", "--old") },
                                                             newNote: { try note(new, fields, "new_checkpoint", "--new") })
                    } else {
                        throw Failure.other("proof: neither an inclusion proof (index, tree_size, leaf, proof, checkpoint) nor a consistency proof (old_size, new_size, proof)")
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

        /// The checkpoint file given with `option`; nil when the proof carries `field` instead.
        func note(_ file: String?, _ fields: ProofFields, _ field: String, _ option: String) throws -> String? {
            if let file { return try readInputText(file, what: option) }
            if fields.has(field) { return nil }
            throw Failure.other("\(option): a consistency proof is checked against two signed checkpoints; give \(option) FILE (the proof carries no \(field))")
        }
    }
}
