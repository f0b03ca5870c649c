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

    /// Verifies the events up to the head read first (appends that land meanwhile extend a
    /// prefix that cannot change, and are not counted), recomputing the tiles from the leaves
    /// and comparing each with the stored one: full tiles a page at a time, the partial edges at
    /// the end (the stored edge may have grown since; it must start with the computed one). The
    /// first bad seq is the earlier of a broken chain and of a stored hash that does not match
    /// (named by its flat index and the seq it was written with, as on SQLite). Memory stays
    /// bounded: a page of events and the tiles it completed.
    ///
    /// Safe while sequencers append (the drill "verify and checkpoint under load" on
    /// PostgreSQL): the head is read first and the events up to it are verified — a sequencer
    /// writes events and head in one transaction, so every event up to a committed head is
    /// there, whatever is appended meanwhile. Events beyond the head are then looked for in one
    /// statement (one snapshot) against the head as it is by then.
    package func verify(log: Log) async throws -> VerifyReport {
        let head = try await head(of: log)
        var previous = RecordedEvent.genesisHash
        var expectedSeq: Int64 = 1
        var tiles = TileBuilder()
        var failure: (Int64, String)?
        var treeFailure: (seq: Int64, node: Int64)?
        func compare(_ computed: [(level: Int, index: Int64, hashes: [UInt8])]) async throws {
            let stored = try await storedTiles(of: log, computed.map { ($0.level, $0.index) }, connection: nil)
            for tile in computed {
                if let bad = Merkle.firstMismatch(tileLevel: tile.level, index: tile.index, computed: tile.hashes,
                                                  stored: stored[TileKey(level: tile.level, index: tile.index)] ?? []),
                   bad.seq < treeFailure?.seq ?? .max {
                    treeFailure = bad
                }
            }
        }
        try await forEachPage(of: log, upTo: head.size) { page in
            var completed: [(level: Int, index: Int64, hashes: [UInt8])] = []
            for recorded in page {
                guard failure == nil else { break }
                if recorded.seq != expectedSeq {
                    failure = (expectedSeq, "seq \(expectedSeq) is missing (next stored is \(recorded.seq))")
                } else if recorded.prevHash != previous {
                    failure = (recorded.seq, "prev_hash is not the hash of seq \(recorded.seq - 1)")
                } else if RecordedEvent.chainHash(prevHash: previous, canonical: recorded.canonical) != recorded.hash {
                    failure = (recorded.seq, "hash is not SHA-256(prev_hash || canonical)")
                } else if recorded.reencoded != recorded.canonical {
                    failure = (recorded.seq, "canonical bytes are not the canonical encoding of the event they hold")
                } else {
                    tiles.append(leafHash: Merkle.leafHash(canonical: recorded.canonical)) { completed.append(($0, $1, $2)) }
                    previous = recorded.hash
                    expectedSeq += 1
                }
            }
            try await compare(completed)
        }
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
        // The partial tiles of the verified prefix.
        try await compare(tiles.edges.enumerated().compactMap { level, edge in
            edge.isEmpty ? nil : (level, verified >> (Merkle.tileHeight * level + Merkle.tileHeight), edge)
        })
        if let bad = treeFailure, bad.seq <= failure?.0 ?? .max {
            failure = (bad.seq, "the stored Merkle tree node \(bad.node), written with seq \(bad.seq), does not match the events")
        }
        return VerifyReport(ok: failure == nil, events: verified, head: previous, root: tiles.rootHash(),
                            firstBadSeq: failure?.0, reason: failure?.1)
    }
}
