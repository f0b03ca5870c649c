import LedgerDomain
import LedgerMerkle

/// `verify` on PostgreSQL: re-hashes one log's chain and tree from its stored rows (SPEC §4),
/// naming the first bad seq.
extension PostgresLedger {
    package struct VerifyReport: Sendable, Equatable {
        package var ok: Bool
        package var events: Int64
        package var head: [UInt8]
        package var root: [UInt8]
        package var firstBadSeq: Int64?
        package var reason: String?
    }

    package func verify(log: Log) async throws -> VerifyReport {
        var previous = RecordedEvent.genesisHash
        var expectedSeq: Int64 = 1
        var tree = MemoryHashStore()
        var failure: (Int64, String)?
        try await forEachEvent(of: log) { recorded in
            guard failure == nil else { return }
            if recorded.seq != expectedSeq {
                failure = (expectedSeq, "seq \(expectedSeq) is missing (next stored is \(recorded.seq))")
            } else if recorded.prevHash != previous {
                failure = (recorded.seq, "prev_hash is not the hash of seq \(recorded.seq - 1)")
            } else if RecordedEvent.chainHash(prevHash: previous, canonical: recorded.canonical) != recorded.hash {
                failure = (recorded.seq, "hash is not SHA-256(prev_hash || canonical)")
            } else if recorded.reencoded != recorded.canonical {
                failure = (recorded.seq, "canonical bytes are not the canonical encoding of the event they hold")
            } else {
                try tree.append(leafHash: Merkle.leafHash(canonical: recorded.canonical))
                previous = recorded.hash
                expectedSeq += 1
            }
        }
        let head = try await head(of: log)
        let verified = expectedSeq - 1
        if failure == nil, head.size != verified {
            failure = (verified + 1, "the head says \(head.size) events, the log holds \(verified)")
        } else if failure == nil, head.hash != previous {
            failure = (verified, "the head's hash is not the last event's")
        }
        let computedRoot = try Merkle.treeHash(size: verified, reader: tree)
        if failure == nil {
            let storedRoot = try await treeHash(of: log, size: verified)
            if storedRoot != computedRoot { failure = (verified, "the stored Merkle tree's root differs from the events' tree") }
        }
        return VerifyReport(ok: failure == nil, events: verified, head: previous, root: computedRoot,
                            firstBadSeq: failure?.0, reason: failure?.1)
    }
}
