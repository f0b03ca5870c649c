import ArgumentParser
import LedgerCalendar
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerService
import LedgerStore

extension ListLedger {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an offline audit bundle: events, chain hashes, inclusion proofs, the signed checkpoint, profile and calendar.",
            discussion: """
            The bundle (format listledger-audit-bundle/1, docs/design.md) is one JSON file an auditor checks on another machine with `listledger audit BUNDLE --key KEY` or scripts/verify_bundle.py, holding only the verifier key. Proofs are against the latest signed checkpoint; when the log has grown past it and the key file is at hand, a new checkpoint is signed first. --entry takes every event of one entry; --from/--to every event whose `at` falls on those Beijing days; --all the whole log.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(help: ArgumentHelp("The bundle file to write.", valueName: "file")) var bundle: String
        @Option(help: "Every event of this entry.") var entry: String?
        @Option(help: ArgumentHelp("Events effective from this Beijing day …", valueName: "YYYY-MM-DD")) var from: String?
        @Option(help: ArgumentHelp("… to this one (inclusive).", valueName: "YYYY-MM-DD")) var to: String?
        @Flag(help: "The whole log.") var all = false
        @Option(help: ArgumentHelp("The private key file, to sign a checkpoint of the current log (default: the ledger's path + .key).", valueName: "path"))
        var keyFile: String?

        func run() throws {
            try reportingFailures(options: ["key file": "--key-file", "bundle": "--bundle"]) {
                let selection = try self.selection()
                if let url = try self.ledger.postgres() { return try runOnPostgres(url, selection: selection) }
                let ledger = try self.ledger.open(readOnly: true)
                let size = try ledger.head().size
                if case .entry(let entry) = selection,
                   try !ledger.hasEntry(entry) {
                    throw Failure.input(InputError(field: "--entry", "no entry \"\(entry)\" in this ledger"))
                }
                var checkpoint = try ledger.latestCheckpoint()
                if CheckpointPolicy.needsSigning(latestSize: checkpoint?.size, toCover: size),
                   let signer = try loadSigner(keyFile, ledger: self.ledger, required: keyFile != nil) {
                    checkpoint = try self.ledger.open().makeCheckpoint(signer: signer, now: Clock.now()).checkpoint
                }
                guard let checkpoint else {
                    throw Failure.other("the ledger has no signed checkpoint to prove against; run `listledger checkpoint` first (or give --key-file)")
                }
                if checkpoint.size < size {
                    printError("note: the latest checkpoint covers \(checkpoint.size) of \(size) events; later events are not in the bundle (sign a new one with `listledger checkpoint`)")
                }
                let summary = try ledger.exportBundle(to: bundle, selection: selection, checkpoint: checkpoint)
                show(events: summary.events, treeSize: summary.treeSize, root: checkpoint.root, bytes: summary.bytes, selection: selection)
            }
        }

        /// Prints what was written (the same on either engine).
        func show(events: Int64, treeSize: Int64, root: [UInt8], bytes: Int64, selection: BundleSelection) {
            if output.json {
                printJSON(.object([("bundle", .string(bundle)), ("events", .integer(events)), ("tree_size", .integer(treeSize)),
                                   ("root", .string(StrictBase64.encode(root))), ("selection", selection.json), ("bytes", .integer(bytes))]))
            } else {
                print("wrote \(bundle): \(events) event\(events == 1 ? "" : "s") (\(selection.summary)), proved against the checkpoint of \(treeSize) events, root \(StrictBase64.encode(root))")
            }
        }

        func selection() throws -> BundleSelection {
            let chosen = [all, entry != nil, from != nil || to != nil].filter { $0 }.count
            guard chosen == 1 else {
                throw Failure.input(InputError(field: "--all", "choose exactly one of --all, --entry ID, or --from DATE --to DATE"))
            }
            if all { return .all }
            if let entry { return .entry(entry) }
            guard let from, let to else { throw Failure.input(InputError(field: from == nil ? "--from" : "--to", "a range needs both --from and --to")) }
            guard let first = BeijingDay(iso: from) else { throw Failure.input(InputError(field: "--from", "\"\(from)\" is not a date YYYY-MM-DD")) }
            guard let last = BeijingDay(iso: to) else { throw Failure.input(InputError(field: "--to", "\"\(to)\" is not a date YYYY-MM-DD")) }
            guard first <= last else { throw Failure.input(InputError(field: "--to", "\(to) is before --from \(from)")) }
            return .range(from: first, to: last)
        }
    }
}
