import Dispatch
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The result of re-reading the whole log (SPEC §5 `verify --json`).
package struct VerifyReport: Sendable {
    package var ok: Bool { firstBadSeq == nil && reason == nil }
    package var events: Int64
    package var head: [UInt8]
    package var firstBadSeq: Int64?
    package var reason: String?
    package var root: [UInt8]?
    /// The head row's size and hash, whatever the verification found.
    package var storedEvents: Int64 = 0
    package var storedHead: [UInt8] = []
}

extension Ledger {
    /// Below this many events, one pass; above, the log is cut into four segments per core.
    static let parallelVerifyThreshold: Int64 = 200_000

    /// Re-hashes the chain and the Merkle tree, checks that seqs run gaplessly from 1, that every
    /// stored tree node matches the events and that the stored head matches, and names the
    /// first bad seq. Each segment streams its rows (constant memory); segments run in parallel
    /// on their own read connections and are joined at their boundaries.
    /// `segments` overrides how many segments the log is cut into (tests use it to check that
    /// every cut gives the same answer).
    package func verify(segments: Int? = nil, progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> VerifyReport {
        // The head, and whatever lies beyond it, read in ONE snapshot: another process may
        // commit between two read transactions, and rows it added after the head we read are
        // not tampering. The segments below then verify exactly the prefix 1…size; they read
        // in later snapshots on their own connections, which hold the same rows for that
        // prefix because the log and the tree are append-only (triggers refuse the rest).
        let flat = TreeStore(connection: connection).flat
        let (stored, eventsBeyond, nodesBeyond) = try connection.readTransaction { () throws -> (Head, Bool, Bool) in
            let stored = try head()
            let events = try connection.scalarInt("SELECT EXISTS(SELECT 1 FROM events WHERE seq > ?)", [.int(stored.size)]) ?? 0
            let nodes = flat
                ? try connection.scalarInt("SELECT EXISTS(SELECT 1 FROM tree WHERE idx >= ?)", [.int(Merkle.storedHashCount(stored.size))]) ?? 0
                // A full tile the size does not reach, or an edge wider than the size gives.
                : try connection.scalarInt("""
                    SELECT EXISTS(SELECT 1 FROM tiles WHERE idx >= (?1 >> (8 * level + 8)))
                        OR EXISTS(SELECT 1 FROM tile_edge WHERE idx * 256 + length(hashes) / 32 > (?1 >> (8 * level)))
                    """, [.int(stored.size)]) ?? 0
            return (stored, events != 0, nodes != 0)
        }
        let size = stored.size
        // What the ledger claims (its stored head), beside what was verified: on a tampered log
        // `events`/`head` say how far the chain held, `stored_*` what the head row says.
        func withStored(_ report: VerifyReport) -> VerifyReport {
            var report = report
            report.storedEvents = stored.size
            report.storedHead = stored.hash
            return report
        }
        if size == 0 && nodesBeyond {
            return withStored(VerifyReport(events: 0, head: RecordedEvent.genesisHash, firstBadSeq: 1, reason: "the Merkle tree holds nodes but the log has no events"))
        }
        let cores = Int64(max(1, min(4, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        // Four segments per core: on a shared machine a thread descheduled for a while then
        // holds up only a quarter of its core's share, not the end of the whole verify.
        let parts: Int64 = segments.map { Int64(max(1, $0)) } ?? (size >= Self.parallelVerifyThreshold ? cores * 4 : 1)
        var cuts: [(Int64, Int64)] = []
        for part in 0..<parts {
            let low: Int64 = size * part / parts + 1
            let high: Int64 = size * (part + 1) / parts
            cuts.append((low, high))
        }
        let bounds = cuts
        let done = Mutex<Int64>(0)
        let results = Mutex<[Int: Result<SegmentResult, any Error>]>([:])
        let path = self.path
        let report: (@Sendable (Int64) -> Void)? = progress.map { progress in
            { @Sendable added in
                let total = done.withLock { value -> Int64 in value += added; return value }
                progress(total, size)
            }
        }
        DispatchQueue.concurrentPerform(iterations: bounds.count) { part in
            let (low, high) = bounds[part]
            let outcome = Result { () throws -> SegmentResult in
                let connection = try Connection(path: path, create: false, readOnly: true)
                return try connection.readTransaction {
                    flat ? try verifyFlatSegment(connection: connection, low: low, high: high, last: part == bounds.count - 1, progress: report)
                         : try verifyTileSegment(connection: connection, low: low, high: high, last: part == bounds.count - 1, progress: report)
                }
            }
            results.withLock { $0[part] = outcome }
        }
        let segments = try results.withLock { all in try (0..<bounds.count).map { try all[$0]!.get() } }

        // Join: the first failure in seq order wins; then the links between segments.
        var previous = RecordedEvent.genesisHash
        var count: Int64 = 0
        for segment in segments {
            if let failure = segment.failure {
                // The head of the verified prefix is event seq − 1's hash (checked equal to the
                // one recomputed), not the segment's starting point.
                var head = previous
                if segment.count > 0, let verified = try? connection.scalarBlob("SELECT hash FROM events WHERE seq = ?", [.int(failure.seq - 1)]) { head = verified }
                return withStored(VerifyReport(events: failure.seq - 1, head: head, firstBadSeq: failure.seq, reason: failure.reason))
            }
            if segment.count > 0 {
                guard segment.firstPrevHash == previous else {
                    return withStored(VerifyReport(events: count, head: previous, firstBadSeq: count + 1, reason: "prev_hash does not match the hash of event \(count)"))
                }
                previous = segment.lastHash
            }
            count += segment.count
        }
        if nodesBeyond {
            return withStored(VerifyReport(events: count, head: previous, firstBadSeq: size + 1,
                                reason: "the Merkle tree holds nodes beyond the \(size) events: events after seq \(size) were removed"))
        }
        if eventsBeyond {
            return withStored(VerifyReport(events: count, head: previous, firstBadSeq: size + 1,
                                reason: "events after the recorded head (\(size)) were added outside the ledger"))
        }
        if stored.hash != previous && count > 0 {
            return withStored(VerifyReport(events: count, head: previous, firstBadSeq: count, reason: "the recorded head hash does not match the last event's hash"))
        }
        return withStored(VerifyReport(events: count, head: previous, firstBadSeq: nil, reason: nil, root: segments.last?.root ?? Merkle.emptyTreeHash))
    }
}

/// What one segment of the log showed.
struct SegmentResult: Sendable {
    var count: Int64 = 0
    var firstPrevHash: [UInt8] = []
    var lastHash: [UInt8] = []
    var root: [UInt8]?
    var failure: (seq: Int64, reason: String)?
}

/// Verifies events `low…high` of a ledger of an older schema (the flat `tree` table, opened
/// read-only): each row's seq, its own canonical seq, its chain hash, the link
/// to the row before it (within the segment), and every tree node written with it. The tree
/// state before `low` is read from the stored nodes of the segment before, which that segment
/// checks. Nothing beyond the head is looked at here: `verify` checks that in the head's snapshot.
func verifyFlatSegment(connection: Connection, low: Int64, high: Int64, last: Bool,
                   progress: (@Sendable (Int64) -> Void)?) throws -> SegmentResult {
    var result = SegmentResult()
    guard low <= high else {
        result.root = Merkle.emptyTreeHash
        return result
    }
    let statement = try connection.statement("SELECT seq, canonical, prev_hash, hash FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq")
    try statement.bind([.int(low), .int(high)])
    let nodes = try connection.statement("SELECT idx, node FROM tree WHERE idx >= ? ORDER BY idx")
    var nextNode = Merkle.storedHashCount(low - 1)
    try nodes.bind([.int(nextNode)])
    var tree = try StreamingRoot(frontierOf: low - 1, reader: TreeStore(connection: connection))
    var expected = low
    // One SHA-256 context for the whole segment, and the chain hash computed into one of two
    // buffers swapped per event (no context or array made per hash).
    let sha = SHA256.Context()
    var previous = [UInt8](repeating: 0, count: 32)
    var hash = [UInt8](repeating: 0, count: 32)
    var unreported: Int64 = 0
    while try statement.step() {
        let seq = statement.int(0)
        guard seq == expected else {
            result.failure = seq > expected ? (expected, "event \(expected) is missing (the next stored seq is \(seq))") : (seq, "seq \(seq) is out of order")
            return result
        }
        let leaf: [UInt8]? = statement.withBlob(1) { canonical -> [UInt8]? in
            guard CanonicalSeq.read(canonical) == seq else {
                result.failure = (seq, "the stored event's own seq is \(CanonicalSeq.read(canonical).map(String.init) ?? "unreadable"), not \(seq): rows were moved or edited")
                return nil
            }
            return statement.withBlob(2) { prevHash -> [UInt8]? in
                if seq == low {
                    result.firstPrevHash = Array(prevHash)
                } else if !same(prevHash, previous) {
                    result.failure = (seq, "prev_hash does not match the hash of event \(seq - 1)")
                    return nil
                }
                sha.start()
                sha.update(prevHash)
                sha.update(canonical)
                hash.withUnsafeMutableBytes { sha.finish(into: $0.baseAddress!) }
                let matches = statement.withBlob(3) { same($0, hash) }
                guard matches else {
                    result.failure = (seq, "the stored hash does not match SHA-256(prev_hash || canonical bytes): the event or its hash was altered")
                    return nil
                }
                sha.start()
                sha.update(byte: 0x00)
                sha.update(canonical)
                return sha.finish()
            }
        }
        guard let leaf else { return result }
        for node in tree.append(leaf, using: sha) {
            guard try nodes.step(), nodes.int(0) == nextNode, nodes.withBlob(1, { same($0, node) }) else {
                result.failure = (seq, "the stored Merkle tree node \(nextNode), written with seq \(seq), does not match the events")
                return result
            }
            nextNode += 1
        }
        swap(&previous, &hash)
        result.count += 1
        expected += 1
        unreported += 1
        if unreported == 100_000, let progress { progress(unreported); unreported = 0 }
    }
    if expected <= high {
        result.failure = (expected, "the log ends at seq \(expected - 1) but the head records \(high) events: the tail was cut off")
        return result
    }
    result.lastHash = previous
    if last { result.root = tree.root }
    return result
}

/// Byte equality by memcmp (the generic `elementsEqual` was a visible share of verify).
@inline(__always)
func same(_ stored: UnsafeRawBufferPointer, _ bytes: [UInt8]) -> Bool {
    guard stored.count == bytes.count else { return false }
    guard let storedBase = stored.baseAddress else { return bytes.isEmpty }
    return bytes.withUnsafeBytes { memcmp(storedBase, $0.baseAddress!, bytes.count) == 0 }
}

/// The RFC 6962 root of a stream of leaves, keeping only O(log n) subtree hashes.
struct StreamingRoot {
    private var stack: [(size: Int64, hash: [UInt8])] = []

    init() {}

    /// The state after `size` leaves, from the stored roots of its perfect subtrees.
    init(frontierOf size: Int64, reader: some HashReader) throws {
        var start: Int64 = 0
        for level in stride(from: 62, through: 0, by: -1) where size & (Int64(1) << level) != 0 {
            let hash = try reader.readHashes([Merkle.storedHashIndex(level: level, n: start >> level)])[0]
            stack.append((Int64(1) << level, hash))
            start += Int64(1) << level
        }
    }

    /// Adds a leaf; returns the nodes it creates (the leaf, then each subtree it completes),
    /// which is what the store wrote for it.
    @discardableResult
    mutating func append(_ leaf: [UInt8], using sha: SHA256.Context? = nil) -> [[UInt8]] {
        var node: (size: Int64, hash: [UInt8]) = (1, leaf)
        var created = [leaf]
        while let last = stack.last, last.size == node.size {
            stack.removeLast()
            let parent: [UInt8]
            if let sha {
                sha.start()
                sha.update(byte: 0x01)
                sha.update(last.hash)
                sha.update(node.hash)
                parent = sha.finish()
            } else {
                parent = Merkle.nodeHash(last.hash, node.hash)
            }
            node = (last.size * 2, parent)
            created.append(node.hash)
        }
        stack.append(node)
        return created
    }

    var root: [UInt8] {
        guard var hash = stack.last?.hash else { return Merkle.emptyTreeHash }
        for node in stack.dropLast().reversed() { hash = Merkle.nodeHash(node.hash, hash) }
        return hash
    }
}
