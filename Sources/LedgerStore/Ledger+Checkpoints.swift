import LedgerCrypto
package import LedgerDomain
package import LedgerMerkle

/// A signed checkpoint as the `checkpoints` table keeps it.
package struct StoredCheckpoint: Sendable, Equatable {
    package var size: Int64
    package var root: [UInt8]
    /// The C2SP signed note text.
    package var note: String
    package var createdMilliseconds: Int64

    /// Also made from the PostgreSQL engine's checkpoints, for the server's routes.
    package init(size: Int64, root: [UInt8], note: String, createdMilliseconds: Int64) {
        self.size = size
        self.root = root
        self.note = note
        self.createdMilliseconds = createdMilliseconds
    }
}

/// Whether the log extends an auditor's saved checkpoint (`verify --against`).
package struct ExtensionReport: Sendable {
    package var ok: Bool { reason == nil }
    package var checkpointSize: Int64
    package var logSize: Int64
    /// The consistency proof from the checkpoint's tree to the current one (empty when not reached).
    package var proof: [[UInt8]]
    package var reason: String?

    package init(checkpointSize: Int64, logSize: Int64, proof: [[UInt8]], reason: String?) {
        self.checkpointSize = checkpointSize
        self.logSize = logSize
        self.proof = proof
        self.reason = reason
    }

    /// What is decided before any proof, for either engine: the report when the log (of
    /// `events` events, verified `ok` with tree `root`, its log named `origin`) cannot extend
    /// `checkpoint`, or trivially does (the empty tree); nil when the consistency proof from
    /// `checkpoint.size` to `events` decides (`judge`).
    package static func prejudge(_ checkpoint: Checkpoint, origin: String?, ok: Bool, events: Int64, root: [UInt8]?,
                                 firstBadSeq: Int64?) -> ExtensionReport? {
        var out = ExtensionReport(checkpointSize: checkpoint.size, logSize: events, proof: [], reason: nil)
        guard ok, root != nil else {
            out.reason = "the log does not verify on its own (seq \(firstBadSeq.map(String.init) ?? "?"))"
            return out
        }
        if let origin, origin != checkpoint.origin {
            out.reason = "the checkpoint is of log \(String(reflecting: checkpoint.origin)), this ledger is \(String(reflecting: origin))"
            return out
        }
        guard checkpoint.size <= events else {
            out.reason = "the checkpoint covers \(checkpoint.size) events but the log holds only \(events): events were removed"
            return out
        }
        if checkpoint.size == 0 {
            if checkpoint.rootHash != Merkle.emptyTreeHash { out.reason = "a checkpoint of the empty log must carry the empty tree's root" }
            return out
        }
        return nil
    }

    /// The report once the stored tree gave `proof`, from `checkpoint.size` to `events` (root `root`).
    package static func judge(_ checkpoint: Checkpoint, events: Int64, root: [UInt8], proof: [[UInt8]]) -> ExtensionReport {
        var out = ExtensionReport(checkpointSize: checkpoint.size, logSize: events, proof: proof, reason: nil)
        if !Merkle.verifyConsistency(oldSize: checkpoint.size, newSize: events, proof: proof, oldRoot: checkpoint.rootHash, newRoot: root) {
            out.reason = "the log of \(events) events does not extend the checkpoint of \(checkpoint.size) events (root \(StrictBase64.encode(checkpoint.rootHash))): the consistency proof fails, so events up to seq \(checkpoint.size) were changed after it was signed"
        }
        return out
    }
}

extension Ledger {
    private static let checkpointColumns = "SELECT size, root, note, created_ms FROM checkpoints"

    private func readCheckpoint(_ sql: String, _ arguments: [SQLValue] = []) throws -> StoredCheckpoint? {
        let statement = try connection.statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return StoredCheckpoint(size: statement.int(0), root: statement.blob(1), note: statement.text(2) ?? "", createdMilliseconds: statement.int(3))
    }

    /// The stored checkpoint of the largest tree, if any.
    package func latestCheckpoint() throws -> StoredCheckpoint? {
        try readCheckpoint(Self.checkpointColumns + " ORDER BY size DESC LIMIT 1")
    }

    /// The stored checkpoint of a tree of exactly `size` events, if any.
    package func storedCheckpoint(size: Int64) throws -> StoredCheckpoint? {
        try readCheckpoint(Self.checkpointColumns + " WHERE size = ?", [.int(size)])
    }

    /// Every stored checkpoint, smallest tree first.
    package func allCheckpoints() throws -> [StoredCheckpoint] {
        let statement = try connection.statement(Self.checkpointColumns + " ORDER BY size")
        var out: [StoredCheckpoint] = []
        while try statement.step() {
            out.append(StoredCheckpoint(size: statement.int(0), root: statement.blob(1), note: statement.text(2) ?? "", createdMilliseconds: statement.int(3)))
        }
        return out
    }

    /// The RFC 6962 root of the first `size` events, from O(log n) stored hashes.
    package func treeRoot(size: Int64) throws -> [UInt8] {
        try Merkle.treeHash(size: size, reader: TreeStore(connection: connection))
    }

    /// The canonical bytes of event `seq` and its audit path in the tree of `treeSize` events.
    package func inclusionProof(seq: Int64, treeSize: Int64) throws -> (canonical: [UInt8], proof: [[UInt8]]) {
        try connection.readTransaction {
            let size = try head().size
            guard seq >= 1, seq <= treeSize, treeSize <= size else {
                throw LedgerError.input(InputError(field: "seq", "seq \(seq) is not in a tree of \(treeSize) events (the log holds \(size))"))
            }
            guard let canonical = try eventBytes(seq: seq) else {
                throw LedgerError.integrity("event \(seq) is missing from the log; run `listledger verify`")
            }
            let proof = try Merkle.inclusionProof(leaf: seq - 1, size: treeSize, reader: TreeStore(connection: connection))
            return (canonical, proof)
        }
    }

    /// The canonical bytes of one event.
    package func eventBytes(seq: Int64) throws -> [UInt8]? {
        let statement = try connection.statement("SELECT canonical FROM events WHERE seq = ?")
        defer { statement.reset() }
        try statement.bind([.int(seq)])
        return try statement.step() ? statement.blob(0) : nil
    }

    /// The chain hash of one event.
    package func eventHash(seq: Int64) throws -> [UInt8]? {
        let statement = try connection.statement("SELECT hash FROM events WHERE seq = ?")
        defer { statement.reset() }
        try statement.bind([.int(seq)])
        return try statement.step() ? statement.blob(0) : nil
    }

    /// The RFC 6962 consistency proof from the tree of `oldSize` events to that of `newSize`.
    package func consistencyProof(oldSize: Int64, newSize: Int64) throws -> [[UInt8]] {
        let size = try head().size
        guard oldSize >= 1, oldSize <= newSize, newSize <= size else {
            throw LedgerError.input(InputError(field: "old size", "a consistency proof needs 1 ≤ from ≤ to ≤ \(size) (the log's size); got \(oldSize) → \(newSize)"))
        }
        return try Merkle.consistencyProof(oldSize: oldSize, newSize: newSize, reader: TreeStore(connection: connection))
    }

    /// Re-verifies the whole log, checks that it still extends every checkpoint signed before,
    /// then signs (size, root) of the verified log as a C2SP checkpoint and stores it. An
    /// existing checkpoint of the same tree is returned as it is (`created` false).
    package func makeCheckpoint(signer: NoteSigner, now: Instant) throws -> (checkpoint: StoredCheckpoint, created: Bool) {
        try makeCheckpoint(signer: signer, now: now, verified: nil)
    }

    /// `makeCheckpoint`, signing the log as `verified` found it (`nil`: verify now). Tests pass
    /// an older report to stand for appends and checkpoints made between verify and signing.
    package func makeCheckpoint(signer: NoteSigner, now: Instant, verified: VerifyReport?) throws -> (checkpoint: StoredCheckpoint, created: Bool) {
        guard let identity = try identity() else {
            throw LedgerError.input(InputError(field: "key", "this ledger has no signing key yet; run `listledger keys init`"))
        }
        guard signer.verifierKey == identity.verifierKey else {
            throw LedgerError.input(InputError(field: "key file", "the key file holds key \(signer.verifierKey.description), not this ledger's key \(identity.verifierKey.description)"))
        }
        let report = try verified ?? verify()
        guard report.ok, let root = report.root else {
            throw LedgerError.integrity("the log does not verify (seq \(report.firstBadSeq.map(String.init) ?? "?"): \(report.reason ?? "")); no checkpoint was signed")
        }
        let size = report.events
        return try connection.writeTransaction {
            // Other processes may have appended, and signed a larger checkpoint, since the
            // verified snapshot: compare against the log as it is now, inside this transaction.
            let current = try head().size
            if let later = try readCheckpoint(Self.checkpointColumns + " WHERE size > ? ORDER BY size DESC LIMIT 1", [.int(current)]) {
                throw LedgerError.integrity("a checkpoint of \(later.size) events was signed, but the log now holds \(current): events were removed since")
            }
            if size > 0, let later = try readCheckpoint(Self.checkpointColumns + " WHERE size > ? ORDER BY size LIMIT 1", [.int(size)]) {
                // Signed meanwhile by a concurrent `checkpoint`: ours must be a prefix of it.
                let proof = try Merkle.consistencyProof(oldSize: size, newSize: later.size, reader: TreeStore(connection: connection))
                guard Merkle.verifyConsistency(oldSize: size, newSize: later.size, proof: proof, oldRoot: root, newRoot: later.root) else {
                    throw LedgerError.integrity("the checkpoint of \(later.size) events signed meanwhile does not extend the verified log of \(size) events; no checkpoint was signed")
                }
            }
            if let same = try storedCheckpoint(size: size) {
                guard same.root == root else {
                    throw LedgerError.integrity("the checkpoint of \(size) events has root \(StrictBase64.encode(same.root)), the log's root is now \(StrictBase64.encode(root)): the log was rewritten")
                }
                return (same, false)
            }
            if let earlier = try readCheckpoint(Self.checkpointColumns + " WHERE size < ? ORDER BY size DESC LIMIT 1", [.int(size)]), earlier.size > 0 {
                let proof = try Merkle.consistencyProof(oldSize: earlier.size, newSize: size, reader: TreeStore(connection: connection))
                guard Merkle.verifyConsistency(oldSize: earlier.size, newSize: size, proof: proof, oldRoot: earlier.root, newRoot: root) else {
                    throw LedgerError.integrity("the log no longer extends the checkpoint of \(earlier.size) events signed before: it was rewritten; no checkpoint was signed")
                }
            }
            let body = try Checkpoint(origin: identity.origin, size: size, rootHash: root)
            let note = try body.signed(by: [signer])
            let stored = StoredCheckpoint(size: size, root: root, note: note, createdMilliseconds: now.epochMilliseconds)
            try connection.run("INSERT INTO checkpoints(size, root, note, created_ms) VALUES (?, ?, ?, ?)",
                               [.int(size), .blob(root), .text(note), .int(now.epochMilliseconds)])
            return (stored, true)
        }
    }

    /// Proves from the stored tree that the log, re-verified, extends `checkpoint` (already
    /// opened with a trusted key): a log rewritten and re-hashed after it was signed fails.
    package func checkExtends(_ checkpoint: Checkpoint, verified report: VerifyReport) throws -> ExtensionReport {
        if let decided = ExtensionReport.prejudge(checkpoint, origin: try identity()?.origin, ok: report.ok, events: report.events,
                                                  root: report.root, firstBadSeq: report.firstBadSeq) {
            return decided
        }
        let proof = try Merkle.consistencyProof(oldSize: checkpoint.size, newSize: report.events, reader: TreeStore(connection: connection))
        return ExtensionReport.judge(checkpoint, events: report.events, root: report.root ?? [], proof: proof)
    }
}
