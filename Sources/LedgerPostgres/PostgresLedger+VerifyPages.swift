import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// The pages `verify` reads, and the checks of a row that need no other row, run on every core.
/// A profile of the one-task verify (docs/performance.md "Session 8, verify") put most of its
/// time in decoding and re-encoding each event and in postgres-nio's decoding of the rows, all
/// on one thread while the other core waited for the next page: these parts are independent
/// per row, so they are split across cores, and the next page is fetched meanwhile.
extension PostgresLedger {
    /// What verify found out about one row on its own: its leaf hash, or its problems in the
    /// order the SQLite verify checks them: its own seq (read from the bytes) before the link
    /// to the row before (which `verify` follows in order), then its stored hash; then the
    /// decoding and re-encoding checks that only this engine makes.
    struct RowCheck: Sendable {
        var seq: Int64
        var prevHash: ByteBuffer
        var hash: ByteBuffer
        var leaf: [UInt8]
        /// Checked before the link to the row before.
        var ownSeqProblem: String?
        /// Checked after it.
        var problem: String?
    }

    /// Rows `after+1 … upTo` of `log`, at most `limit`, in seq order, as the server sent them
    /// (decoded later, in parallel). Only the events table: verify checks the chain and the tree,
    /// not the personal values (`erase` removes those; `verify-value` opens one).
    func verifyPageRows(of log: Log, after: Int64, upTo: Int64, limit: Int) async throws -> [PostgresRow] {
        try await client.query("""
            SELECT seq, canonical, prev_hash, hash FROM events
            WHERE log_id = \(log.id) AND seq > \(after) AND seq <= \(upTo) ORDER BY seq LIMIT \(Int64(limit))
            """, logger: logger).collect()
    }

    /// Checks each row of `rows` on its own, in `parts` slices run as child tasks (one SHA-256
    /// context each); the results keep the rows' order.
    static func checkRows(_ rows: [PostgresRow], parts: Int) async throws -> [RowCheck] {
        let parts = max(1, min(parts, rows.count))
        let slices = (0..<parts).map { part in (rows.count * part / parts)..<(rows.count * (part + 1) / parts) }
        return try await withThrowingTaskGroup(of: (Int, [RowCheck]).self) { group in
            for (part, range) in slices.enumerated() {
                group.addTask {
                    let sha = SHA256.Context()
                    return (part, try range.map { try Self.checkRow(rows[$0], sha: sha) })
                }
            }
            var done = [[RowCheck]](repeating: [], count: parts)
            for try await (part, checks) in group { done[part] = checks }
            return done.flatMap { $0 }
        }
    }

    /// The row's own seq, its chain hash, its decoding and its canonical encoding, in that
    /// order; the leaf hash when all hold. The messages are the SQLite verify's where it makes the same check.
    static func checkRow(_ row: PostgresRow, sha: SHA256.Context) throws -> RowCheck {
        let (seq, canonical, prevHash, hash) = try row.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer).self)
        var check = RowCheck(seq: seq, prevHash: prevHash, hash: hash, leaf: [])
        let ownSeq = canonical.withUnsafeReadableBytes { CanonicalSeq.read($0) }
        guard ownSeq == seq else {
            check.ownSeqProblem = "the stored event's own seq is \(ownSeq.map(String.init) ?? "unreadable"), not \(seq): rows were moved or edited"
            return check
        }
        var computed = [UInt8](repeating: 0, count: SHA256.byteCount)
        sha.start()
        prevHash.withUnsafeReadableBytes { sha.update($0) }
        canonical.withUnsafeReadableBytes { sha.update($0) }
        computed.withUnsafeMutableBytes { sha.finish(into: $0.baseAddress!) }
        guard hash.readableBytesView.elementsEqual(computed) else {
            check.problem = "the stored hash does not match SHA-256(prev_hash || canonical bytes): the event or its hash was altered"
            return check
        }
        let bytes = Array(canonical.readableBytesView)
        let recorded: RecordedEvent
        do {
            recorded = try RecordedEvent(canonical: bytes, prevHash: [], hash: [])
        } catch {
            check.problem = "the stored event does not decode (\(error)), though its hash matches: it was written so"
            return check
        }
        guard recorded.seq == seq else {
            check.problem = "the stored event decodes to seq \(recorded.seq), not \(seq), though its hash matches: it was written so"
            return check
        }
        guard recorded.reencoded == bytes else {
            check.problem = "canonical bytes are not the canonical encoding of the event they hold"
            return check
        }
        sha.start()
        sha.update(byte: 0x00)
        sha.update(bytes)
        check.leaf = sha.finish()
        return check
    }

    /// How many slices a page is checked in: a few per core, so that a core taken by another
    /// process for a while holds up only a slice, and the read-ahead's task gets turns between.
    static var verifyParts: Int { 4 * max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)) }
}
