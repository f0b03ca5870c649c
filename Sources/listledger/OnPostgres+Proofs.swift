import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerService

// `history`, `prove` and `export` on a PostgreSQL database (SPEC §8). The output is the SQLite
// commands' own (the same printing functions); each log signs with the key the database holds
// for it, so `--key-file` has no meaning here, and a checkpoint is signed when none covers what
// is asked for (as SQLite does when its key file is at hand).

extension ListLedger.History {
    func runOnPostgres(_ url: PostgresURL, court: String?) throws {
        let source = try log.readSource(primary: url)
        let entry = self.entry
        try show(try onPostgres(source.url, migrate: source.migrate) { ledger in
            try await ledger.events(of: try await ledger.log(court: court), entry: entry)
        })
    }
}

extension PostgresLedger {
    /// The latest checkpoint of `log`, first signing one when none covers `size` events.
    func checkpoint(of log: Log, covering size: Int64) async throws -> SignedCheckpoint {
        let latest = try await latestCheckpoint(of: log)
        if let latest, !CheckpointPolicy.needsSigning(latestSize: latest.size, toCover: size) { return latest }
        return try await checkpoint(log: log)
    }
}

extension ListLedger.Prove {
    func proveInclusionOnPostgres(_ url: PostgresURL, seq: Int64) throws {
        let court = log.court
        let (checkpoint, canonical, proof) = try onPostgres(url) { ledger in
            let log = try await ledger.log(court: court)
            let size = try await ledger.head(of: log).size
            guard seq >= 1, seq <= size else {
                throw Failure.input(InputError(field: "--seq", "the log holds seq 1 to \(size); there is no event \(seq)"))
            }
            let checkpoint = try await ledger.checkpoint(of: log, covering: seq)
            let (canonical, proof) = try await ledger.checkedInclusionProof(of: log, seq: seq, checkpoint: checkpoint)
            return (checkpoint, canonical, proof)
        }
        showInclusion(seq: seq, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, canonical: canonical, proof: proof)
    }

    func proveConsistencyOnPostgres(_ url: PostgresURL, from: Int64) throws {
        let (court, to) = (log.court, self.to)
        let (newSize, proof, old, new) = try onPostgres(url) { ledger in
            let log = try await ledger.log(court: court)
            let newSize: Int64
            if let to { newSize = to } else if let latest = try await ledger.latestCheckpoint(of: log) { newSize = latest.size } else {
                newSize = try await ledger.head(of: log).size
            }
            let proof: [[UInt8]]
            do { proof = try await ledger.consistencyProof(of: log, oldSize: from, newSize: newSize) } catch PostgresLedgerError.input(let text) {
                throw Failure.input(InputError(field: "--from", text))
            }
            return (newSize, proof, try await ledger.storedCheckpoint(of: log, size: from)?.note,
                    try await ledger.storedCheckpoint(of: log, size: newSize)?.note)
        }
        showConsistency(from: from, to: newSize, proof: proof, oldNote: old, newNote: new)
    }
}

extension ListLedger.Export {
    func runOnPostgres(_ url: PostgresURL, selection: BundleSelection) throws {
        try log.refuseReadOptions()
        if keyFile != nil { throw Failure.input(InputError(field: "--key-file", "on PostgreSQL each log's key is in the database; leave --key-file out")) }
        let (court, path) = (log.court, bundle)
        let (checkpoint, written) = try onPostgres(url) { ledger in
            let log = try await ledger.log(court: court)
            if case .entry(let entry) = selection, try await !ledger.hasEntry(entry, in: log) {
                throw Failure.input(InputError(field: "--entry", "no entry \"\(entry)\" in this ledger"))
            }
            let checkpoint = try await ledger.checkpoint(of: log, covering: try await ledger.head(of: log).size)
            return (checkpoint, try await ledger.exportBundle(of: log, to: path, selection: selection, checkpoint: checkpoint))
        }
        show(events: written.events, treeSize: checkpoint.size, root: checkpoint.root, bytes: written.bytes, selection: selection)
    }
}
