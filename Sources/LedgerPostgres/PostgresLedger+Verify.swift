import LedgerDomain
import LedgerMerkle
import PostgresNIO

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

    ///
    /// Safe while sequencers append (the drill "verify and checkpoint under load" on
    /// PostgreSQL): the head is read first and the events up to it are verified — a sequencer
    /// writes events and head in one transaction, so every event up to a committed head is
    /// there, whatever is appended meanwhile. Events beyond the head are then looked for in one
    /// statement (one snapshot) against the head as it is by then.
    package func verify(log: Log) async throws -> VerifyReport {
        var previous = RecordedEvent.genesisHash
        var expectedSeq: Int64 = 1
        var tree = MemoryHashStore()
        var failure: (Int64, String)?
        let head = try await head(of: log)
        try await forEachPage(of: log, upTo: head.size) { page in for recorded in page {
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
        } }
        let verified = expectedSeq - 1
        if failure == nil, head.size != verified {
            failure = (verified + 1, "the head says \(head.size) events, the log holds \(verified)")
        } else if failure == nil, head.hash != previous {
            failure = (verified, "the head's hash is not the last event's")
        }
        if failure == nil {
            let rows = try await client.query("""
                SELECT h.size, (SELECT min(e.seq) FROM events e WHERE e.log_id = h.log_id AND e.seq > h.size)
                FROM heads h WHERE h.log_id = \(log.id)
                """, logger: logger).collect()
            if let row = rows.first, case let (size, beyond?) = try row.decode((Int64, Int64?).self) {
                failure = (beyond, "events after the recorded head (\(size) events): seq \(beyond) is stored beyond it")
            }
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
