import ArgumentParser
import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerService
import LedgerStore

extension ListLedger {
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Sign the log's current (tree size, root) as a C2SP checkpoint, or verify a saved one offline.",
            discussion: """
            Signing re-verifies the whole log first, and refuses if the log no longer extends the checkpoints signed before. The note is stored in the ledger and printed: an auditor saves it and later runs `listledger verify --against FILE --key KEY` (or `verify-proof`).

            `checkpoint --verify FILE --key KEY` needs no ledger: it checks the note's signature with the verifier key (the text NAME+KEYHASH+BASE64, or a file holding it). Exit 0 valid, 4 not.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(help: ArgumentHelp("The private key file (default: the ledger's path + .key).", valueName: "path"))
        var keyFile: String?
        @Option(name: .customLong("verify"), help: ArgumentHelp("Verify this saved checkpoint note instead of signing.", valueName: "file"))
        var verifyFile: String?
        @Option(help: ArgumentHelp("With --verify: the trusted verifier key, or a file holding it.", valueName: "key"))
        var key: String?

        func run() throws {
            try reportingFailures(options: ["key file": "--key-file"]) {
                if let verifyFile {
                    guard let key else { throw Failure.input(InputError(field: "--key", "--verify needs the trusted verifier key")) }
                    let trusted = try readTrustedKey(key)
                    let note = try readInputText(verifyFile, what: "--verify")
                    let checkpoint = try openTrustedCheckpoint(note, key: trusted, what: verifyFile)
                    if output.json {
                        printJSON(.object([("ok", .bool(true)), ("origin", .string(checkpoint.origin)), ("size", .integer(checkpoint.size)),
                                           ("root", .string(StrictBase64.encode(checkpoint.rootHash)))]))
                    } else {
                        print("ok: \(verifyFile) is a checkpoint of \(checkpoint.origin), \(checkpoint.size) events, root \(StrictBase64.encode(checkpoint.rootHash)), signed by \(trusted.name)")
                    }
                    return
                }
                if key != nil { throw Failure.input(InputError(field: "--key", "is only used with --verify; signing uses --key-file")) }
                // On PostgreSQL each log's key is kept in the database (SPEC §8).
                if let url = try self.ledger.postgres() { return try runOnPostgres(url, court: log.court) }
                let ledger = try self.ledger.open()
                let signer = try loadSigner(keyFile, ledger: self.ledger, required: true)!
                let (checkpoint, created) = try ledger.makeCheckpoint(signer: signer, now: Clock.now())
                if output.json {
                    printJSON(ProofJSON.checkpoint(checkpoint, created: created))
                } else {
                    print(checkpoint.note, terminator: "")
                    if !created { printError("(the log has not grown since this checkpoint was signed; it is printed again)") }
                }
            }
        }
    }
}

/// Opens a signed checkpoint with the trusted key; an invalid note or signature is an integrity failure (exit 4).
func openTrustedCheckpoint(_ note: String, key: NoteVerifierKey, what: String) throws -> Checkpoint {
    do {
        return try ProofCheck.openTrusted(note, key: key, what: what)
    } catch {
        throw Failure.integrity(error.description)
    }
}

/// `verify --against FILE --key KEY`: proves from the stored tree that the log, which `report`
/// found sound on its own, extends the auditor's saved checkpoint.
func checkAgainst(_ file: String, key: String?, ledger: Ledger, report: VerifyReport) throws -> ExtensionReport {
    guard let key else { throw Failure.input(InputError(field: "--key", "--against needs the trusted verifier key (the text or a file holding it)")) }
    let trusted = try readTrustedKey(key)
    let note = try readInputText(file, what: "--against")
    let checkpoint = try openTrustedCheckpoint(note, key: trusted, what: file)
    return try ledger.checkExtends(checkpoint, verified: report)
}
