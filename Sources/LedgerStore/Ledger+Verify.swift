import LedgerCrypto
import LedgerDomain
import LedgerMerkle

/// The result of re-reading the whole log (SPEC §5 `verify --json`).
package struct VerifyReport: Sendable {
    package var ok: Bool { firstBadSeq == nil && reason == nil }
    package var events: Int64
    package var head: [UInt8]
    package var firstBadSeq: Int64?
    package var reason: String?
    package var root: [UInt8]?
}

extension Ledger {
    /// Re-hashes the chain and the Merkle tree in one streaming pass (constant memory), checks
    /// that seqs run gaplessly from 1 and that the stored head matches, and names the first bad seq.
    package func verify(progress: ((Int64, Int64) -> Void)? = nil) throws -> VerifyReport {
        try connection.readTransaction {
            let stored = try head()
            let statement = try connection.statement("SELECT seq, canonical, prev_hash, hash FROM events ORDER BY seq")
            // The tree's stored nodes, read in step with the events: appending leaf n wrote the
            // leaf and each subtree it completed, in that order, so one sequential cursor checks
            // every node (not only the O(log n) a root computation reads).
            let nodes = try connection.statement("SELECT idx, node FROM tree ORDER BY idx")
            var nextNode: Int64 = 0
            var expected: Int64 = 1
            var previous = RecordedEvent.genesisHash
            var tree = StreamingRoot()
            func fail(_ seq: Int64, _ reason: String) -> VerifyReport {
                VerifyReport(events: expected - 1, head: previous, firstBadSeq: seq, reason: reason)
            }
            while try statement.step() {
                let seq = statement.int(0)
                guard seq == expected else {
                    return seq > expected
                        ? fail(expected, "event \(expected) is missing (the next stored seq is \(seq))")
                        : fail(seq, "seq \(seq) is out of order")
                }
                let canonical = statement.blob(1)
                guard CanonicalSeq.read(canonical) == seq else {
                    return fail(seq, "the stored event's own seq is \(CanonicalSeq.read(canonical).map(String.init) ?? "unreadable"), not \(seq): rows were moved or edited")
                }
                let prevHash = statement.blob(2)
                guard prevHash == previous else { return fail(seq, "prev_hash does not match the hash of event \(seq - 1)") }
                let hash = RecordedEvent.chainHash(prevHash: prevHash, canonical: canonical)
                guard statement.blob(3) == hash else {
                    return fail(seq, "the stored hash does not match SHA-256(prev_hash || canonical bytes): the event or its hash was altered")
                }
                for node in tree.append(Merkle.leafHash(canonical: canonical)) {
                    guard try nodes.step(), nodes.int(0) == nextNode, nodes.blob(1) == node else {
                        return fail(seq, "the stored Merkle tree node \(nextNode), written with seq \(seq), does not match the events")
                    }
                    nextNode += 1
                }
                previous = hash
                expected += 1
                if let progress, seq % 100_000 == 0 { progress(seq, stored.size) }
            }
            let count = expected - 1
            if try nodes.step() {
                return VerifyReport(events: count, head: previous, firstBadSeq: count + 1,
                                    reason: "the Merkle tree holds nodes beyond the \(count) events: events after seq \(count) were removed")
            }
            if count < stored.size {
                return VerifyReport(events: count, head: previous, firstBadSeq: count + 1,
                                    reason: "the log ends at seq \(count) but the head records \(stored.size) events: the tail was cut off")
            }
            if count > stored.size {
                return VerifyReport(events: count, head: previous, firstBadSeq: stored.size + 1,
                                    reason: "events after the recorded head (\(stored.size)) were added outside the ledger")
            }
            if stored.hash != previous && count > 0 {
                return VerifyReport(events: count, head: previous, firstBadSeq: count, reason: "the recorded head hash does not match the last event's hash")
            }
            let root = tree.root
            return VerifyReport(events: count, head: previous, firstBadSeq: nil, reason: nil, root: root)
        }
    }
}

/// The RFC 6962 root of a stream of leaves, keeping only O(log n) subtree hashes.
struct StreamingRoot {
    private var stack: [(size: Int64, hash: [UInt8])] = []

    /// Adds a leaf; returns the nodes it creates (the leaf, then each subtree it completes),
    /// which is what the store wrote for it.
    @discardableResult
    mutating func append(_ leaf: [UInt8]) -> [[UInt8]] {
        var node: (size: Int64, hash: [UInt8]) = (1, leaf)
        var created = [leaf]
        while let last = stack.last, last.size == node.size {
            stack.removeLast()
            node = (last.size * 2, Merkle.nodeHash(last.hash, node.hash))
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

/// Reads `"seq":N` from canonical bytes without decoding the whole event (verify's hot path).
/// In canonical JSON every quote inside a string is escaped, so the first `"seq":` is the key.
enum CanonicalSeq {
    private static let key = Array(#""seq":"#.utf8)

    static func read(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count > key.count else { return nil }
        var i = 0
        outer: while i + key.count < bytes.count {
            for j in 0..<key.count where bytes[i + j] != key[j] {
                i += 1
                continue outer
            }
            var value: Int64 = 0
            var k = i + key.count
            var digits = 0
            while k < bytes.count, bytes[k] >= 0x30, bytes[k] <= 0x39, digits < 19 {
                value = value * 10 + Int64(bytes[k] - 0x30)
                k += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        return nil
    }
}
