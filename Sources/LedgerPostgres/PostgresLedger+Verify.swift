import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// `verify` on PostgreSQL: re-hashes one log's chain and tree from its stored rows (SPEC §4),
/// naming the first bad seq in the words of the SQLite verify.
extension PostgresLedger {
    package struct VerifyReport: Sendable, Equatable {
        package var ok: Bool
        /// The verified prefix: on a failure, the events before the first bad seq.
        package var events: Int64
        package var head: [UInt8]
        /// Empty when the log does not verify (a broken tree has no root; SQLite's is nil).
        package var root: [UInt8]
        package var firstBadSeq: Int64?
        package var reason: String?
        /// The head row's size and hash, whatever the verification found (as on SQLite).
        package var storedEvents: Int64 = 0
        package var storedHead: [UInt8] = []
    }

    /// Verifies the events up to the head read first (appends that land meanwhile extend a
    /// prefix that cannot change, and are not counted), recomputing the tiles from the leaves
    /// and comparing each with the stored one: full tiles a page at a time, the partial edges at
    /// the end (the stored edge may have grown since; it must start with the computed one). The
    /// first bad seq is the earlier of a broken chain and of a stored hash that does not match
    /// (named by its flat index and the seq it was written with, as on SQLite); an event that no
    /// longer decodes is a bad seq like any other (its hash no longer matches, or it was hashed
    /// so), not an error.
    ///
    /// `pageSize` rows a query. The next page is fetched while this one is checked, and each
    /// page's rows are decoded, hashed and re-encoded on every core (`checkRows`); the chain's
    /// links and the tiles are then followed in seq order on one task, as before. Memory stays
    /// bounded: two pages of rows and the tiles a page completed. The first failure stops the
    /// reading: no later page can hold an earlier bad seq (a tile is compared when it completes,
    /// the partial ones at the stop, and every hash of a page's tiles was written by a seq up to
    /// that page's last).
    ///
    /// Safe while sequencers append (the drill "verify and checkpoint under load" on
    /// PostgreSQL): the head is read first and the events up to it are verified — a sequencer
    /// writes events and head in one transaction, so every event up to a committed head is
    /// there, whatever is appended meanwhile. Events beyond the head are then looked for in one
    /// statement (one snapshot) against the head as it is by then.
    package func verify(log: Log, pageSize: Int = 5_000) async throws -> VerifyReport {
        let head = try await head(of: log)
        let pageSize = max(1, pageSize)
        var previous = ByteBuffer(bytes: RecordedEvent.genesisHash)
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
        let upTo = head.size
        func fetch(after: Int64) -> Task<[PostgresRow], any Error> {
            Task { try await self.verifyPageRows(of: log, after: after, upTo: upTo, limit: pageSize) }
        }
        var next: Task<[PostgresRow], any Error>? = head.size > 0 ? fetch(after: 0) : nil
        do {
            while let pending = next {
                let rows = try await pending.value
                next = nil
                guard let last = rows.last else { break }
                let lastSeq = try last.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer).self).0
                if rows.count == pageSize, lastSeq < head.size { next = fetch(after: lastSeq) }
                let checks = try await Self.checkRows(rows, parts: Self.verifyParts)
                var completed: [(level: Int, index: Int64, hashes: [UInt8])] = []
                for check in checks {
                    if check.seq != expectedSeq {
                        failure = (expectedSeq, "event \(expectedSeq) is missing (the next stored seq is \(check.seq))")
                    } else if let problem = check.ownSeqProblem {
                        failure = (check.seq, problem)
                    } else if check.prevHash != previous {
                        failure = (check.seq, "prev_hash does not match the hash of event \(check.seq - 1)")
                    } else if let problem = check.problem {
                        failure = (check.seq, problem)
                    }
                    if failure != nil { break }
                    tiles.append(leafHash: check.leaf) { completed.append(($0, $1, $2)) }
                    previous = check.hash
                    expectedSeq += 1
                }
                try await compare(completed)
                if failure != nil || treeFailure != nil { break }
            }
        } catch {
            next?.cancel()
            _ = await next?.result
            throw error
        }
        next?.cancel()
        _ = await next?.result

        let verified = expectedSeq - 1
        if failure == nil, treeFailure == nil {
            if head.size != verified {
                failure = (verified + 1, "the log ends at seq \(verified) but the head records \(head.size) events: the tail was cut off")
            } else if head.hash != Array(previous.readableBytesView) {
                failure = (verified, "the recorded head hash does not match the last event's hash")
            } else {
                let rows = try await client.query("""
                    SELECT h.size, (SELECT min(e.seq) FROM events e WHERE e.log_id = h.log_id AND e.seq > h.size)
                    FROM heads h WHERE h.log_id = \(log.id)
                    """, logger: logger).collect()
                if let row = rows.first, case let (size, beyond?) = try row.decode((Int64, Int64?).self) {
                    failure = (beyond, "events after the recorded head (\(size)) were added outside the ledger: seq \(beyond) is stored beyond it")
                }
            }
        }
        // The partial tiles of the verified prefix.
        try await compare(tiles.edges.enumerated().compactMap { level, edge in
            edge.isEmpty ? nil : (level, verified >> (Merkle.tileHeight * level + Merkle.tileHeight), edge)
        })
        var events = verified
        var headHash = Array(previous.readableBytesView)
        if let bad = treeFailure, bad.seq <= failure?.0 ?? .max {
            failure = (bad.seq, "the stored Merkle tree node \(bad.node), written with seq \(bad.seq), does not match the events")
            // As on SQLite, the verified prefix ends before the first bad seq; its hash was
            // checked (the chain held up to `verified` ≥ bad.seq).
            if bad.seq - 1 < verified {
                events = bad.seq - 1
                headHash = try await eventHash(of: log, seq: events)
            }
        }
        return VerifyReport(ok: failure == nil, events: events, head: headHash, root: failure == nil ? tiles.rootHash() : [],
                            firstBadSeq: failure?.0, reason: failure?.1, storedEvents: head.size, storedHead: head.hash)
    }

    /// The stored chain hash of `seq` (the genesis hash for 0).
    private func eventHash(of log: Log, seq: Int64) async throws -> [UInt8] {
        guard seq > 0 else { return RecordedEvent.genesisHash }
        let rows = try await client.query("SELECT hash FROM events WHERE log_id = \(log.id) AND seq = \(seq)", logger: logger).collect()
        return try rows.first.map { try $0.decode(ByteBuffer.self).bytes } ?? []
    }
}
