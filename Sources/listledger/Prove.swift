import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerService
import LedgerStore

extension ListLedger {
    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an inclusion proof of one event, or a consistency proof between two tree sizes.",
            discussion: """
            --seq N: the event's canonical bytes, its RFC 6962 audit path and the signed checkpoint it is relative to (the latest stored checkpoint, which must cover N; when none does and the key file is at hand, a new checkpoint is signed). JSON: {"index","tree_size","leaf","proof","checkpoint"}. --from M --to N: the consistency proof that the tree of N events extends the tree of M (N defaults to the latest checkpoint's size). JSON: {"old_size","new_size","proof"}, with "old_checkpoint" and "new_checkpoint" when checkpoints of those sizes are stored. Proofs read O(log n) stored hashes; check them offline with `listledger verify-proof`.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(help: "The event to prove included.") var seq: Int64?
        @Option(help: "The older tree size of a consistency proof.") var from: Int64?
        @Option(help: "The newer tree size of a consistency proof.") var to: Int64?
        @Option(help: ArgumentHelp("The private key file, to sign a checkpoint when none covers the event (default: the ledger's path + .key).", valueName: "path"))
        var keyFile: String?

        func run() throws {
            try reportingFailures(options: ["seq": "--seq", "old size": "--from", "key file": "--key-file"]) {
                let postgres = try ledger.postgres()
                if postgres != nil {
                    try log.refuseReadOptions()
                    if keyFile != nil { throw Failure.input(InputError(field: "--key-file", "on PostgreSQL each log's key is in the database; leave --key-file out")) }
                }
                switch (seq, from) {
                case let (seq?, nil):
                    guard to == nil else { throw Failure.input(InputError(field: "--to", "goes with --from, not --seq")) }
                    if let postgres { return try proveInclusionOnPostgres(postgres, seq: seq) }
                    try proveInclusion(seq)
                case let (nil, from?):
                    if let postgres { return try proveConsistencyOnPostgres(postgres, from: from) }
                    try proveConsistency(from)
                default:
                    throw Failure.input(InputError(field: "--seq", "give either --seq N (inclusion) or --from M [--to N] (consistency)"))
                }
            }
        }

        func proveInclusion(_ seq: Int64) throws {
            let ledger = try self.ledger.open(readOnly: true)
            let size = try ledger.head().size
            guard seq >= 1, seq <= size else {
                throw Failure.input(InputError(field: "--seq", "the log holds seq 1 to \(size); there is no event \(seq)"))
            }
            var checkpoint = try ledger.latestCheckpoint()
            if CheckpointPolicy.needsSigning(latestSize: checkpoint?.size, toCover: seq) {
                guard let signer = try loadSigner(keyFile, ledger: self.ledger, required: keyFile != nil) else {
                    throw Failure.other("no signed checkpoint covers seq \(seq)\(checkpoint.map { " (the latest covers \($0.size) events)" } ?? ""); run `listledger checkpoint` first, or give --key-file")
                }
                checkpoint = try self.ledger.open().makeCheckpoint(signer: signer, now: Clock.now()).checkpoint
            }
            guard let checkpoint else { return }
            let canonical: [UInt8], proof: [[UInt8]]
            do { (canonical, proof) = try ledger.checkedInclusionProof(seq: seq, checkpoint: checkpoint) } catch ProofCheckError.failed(let reason) {
                throw Failure.integrity(reason)
            }
            showInclusion(seq: seq, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, canonical: canonical, proof: proof)
        }

        /// Prints an inclusion proof (the same on either engine).
        func showInclusion(seq: Int64, size: Int64, root: [UInt8], note: String, canonical: [UInt8], proof: [[UInt8]]) {
            if output.json {
                printJSON(ProofJSON.inclusion(seq: seq, treeSize: size, note: note, canonical: canonical, proof: proof))
            } else {
                print("event seq \(seq) is leaf \(seq - 1) of the tree of \(size) events, root \(StrictBase64.encode(root))")
                print("leaf hash \(Hex.encode(Merkle.leafHash(canonical: canonical)))")
                print("audit path (\(proof.count) hashes):")
                for hash in proof { print("  \(StrictBase64.encode(hash))") }
                print("checkpoint:")
                print(note, terminator: "")
            }
        }

        func proveConsistency(_ from: Int64) throws {
            let ledger = try self.ledger.open(readOnly: true)
            let newSize = try to ?? ledger.latestCheckpoint()?.size ?? ledger.head().size
            let proof = try ledger.consistencyProof(oldSize: from, newSize: newSize)
            let oldCheckpoint = try ledger.storedCheckpoint(size: from)
            let newCheckpoint = try ledger.storedCheckpoint(size: newSize)
            showConsistency(from: from, to: newSize, proof: proof, oldNote: oldCheckpoint?.note, newNote: newCheckpoint?.note)
        }

        /// Prints a consistency proof (the same on either engine).
        func showConsistency(from: Int64, to newSize: Int64, proof: [[UInt8]], oldNote: String?, newNote: String?) {
            if output.json {
                printJSON(ProofJSON.consistency(from: from, to: newSize, proof: proof, oldNote: oldNote, newNote: newNote))
            } else {
                print("the tree of \(newSize) events extends the tree of \(from); consistency proof (\(proof.count) hashes):")
                for hash in proof { print("  \(StrictBase64.encode(hash))") }
                if oldNote == nil || newNote == nil {
                    print("(no stored checkpoint of size \(oldNote == nil ? from : newSize): the auditor checks the proof against checkpoints they hold)")
                }
            }
        }
    }
}
