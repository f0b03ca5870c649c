import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerStore
import TestSupport
import Testing

/// The SQLite ledger's tree as tiles (schema 6, docs/design.md "Merkle tiles"): the bytes of the
/// tables against hashes computed here from the stored events, the append-only triggers, proofs
/// and roots against RFC 6962 written out, and verify's answer on edited tiles.
@Suite("Merkle tiles in the SQLite ledger")
struct TileStoreTests {
    static let count = 256 * 3 + 5

    /// 773 events, appended in batches that end inside and on tile boundaries.
    func ledger(in temp: TempLedger) throws -> Ledger {
        let ledger = try temp.create()
        let lines = (1...Self.count).map { notice("TL\($0)") }
        var start = 0
        for end in [1, 255, 256, 300, 512, 700, Self.count] {
            _ = try ledger.append(try events(Array(lines[start..<end])), clock: { clock("2025-01-02T00:00:00Z") })
            start = end
        }
        return ledger
    }

    /// SHA-256(0x00 || canonical) of every stored event, computed here.
    func leafHashes(_ ledger: Ledger) throws -> [[UInt8]] {
        try (1...Int64(Self.count)).map { seq in SHA256.hash([0x00] + (try #require(try ledger.eventBytes(seq: seq)))) }
    }

    /// RFC 6962 MTH written out (the split at the largest power of two below n).
    func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return SHA256.hash([UInt8]()) }
        if leaves.count == 1 { return leaves.first! }
        var k = 1
        while k << 1 < leaves.count { k <<= 1 }
        let mid = leaves.startIndex + k
        return SHA256.hash([0x01] + mth(leaves[..<mid]) + mth(leaves[mid...]))
    }

    @Test("the tables hold exactly the level-0 and level-8 hashes of the events, as tiles")
    func tableBytes() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledger(in: temp)
        let leaves = try leafHashes(ledger)
        let c = ledger.connection
        #expect(try c.scalarInt("SELECT count(*) FROM tiles") == 3)
        for index in 0..<3 {
            #expect(try c.scalarBlob("SELECT hashes FROM tiles WHERE level = 0 AND idx = ?", [.int(Int64(index))]) == leaves[(256 * index)..<(256 * index + 256)].flatMap { $0 })
        }
        #expect(try c.scalarInt("SELECT count(*) FROM tile_edge") == 2)
        #expect(try c.scalarInt("SELECT idx FROM tile_edge WHERE level = 0") == 3)
        #expect(try c.scalarBlob("SELECT hashes FROM tile_edge WHERE level = 0") == leaves[768...].flatMap { $0 })
        #expect(try c.scalarInt("SELECT idx FROM tile_edge WHERE level = 1") == 0)
        #expect(try c.scalarBlob("SELECT hashes FROM tile_edge WHERE level = 1") == [mth(leaves[0..<256]), mth(leaves[256..<512]), mth(leaves[512..<768])].flatMap { $0 })
        #expect(try c.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'tree'") == 0)
    }

    @Test("roots and proofs read through the tiles are RFC 6962's")
    func proofs() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledger(in: temp)
        let leaves = try leafHashes(ledger)
        for size in [1, 2, 255, 256, 257, 511, 512, 513, 700, Self.count] {
            #expect(try ledger.treeRoot(size: Int64(size)) == mth(leaves[0..<size]), "size \(size)")
        }
        let root = mth(leaves[...])
        for seq in [1, 2, 256, 257, 300, 512, 513, 768, 769, Self.count] {
            let (_, proof) = try ledger.inclusionProof(seq: Int64(seq), treeSize: Int64(Self.count))
            #expect(Merkle.verifyInclusion(index: Int64(seq - 1), size: Int64(Self.count), leafHash: leaves[seq - 1], proof: proof, root: root), "seq \(seq)")
        }
        for old in [1, 100, 256, 257, 512, 600] {
            let proof = try ledger.consistencyProof(oldSize: Int64(old), newSize: Int64(Self.count))
            #expect(Merkle.verifyConsistency(oldSize: Int64(old), newSize: Int64(Self.count), proof: proof, oldRoot: mth(leaves[0..<old]), newRoot: root), "old \(old)")
        }
        let report = try ledger.verify()
        #expect(report.ok && report.root == root, "\(report.reason ?? "")")
    }

    @Test("full tiles refuse UPDATE and DELETE; the edge only grows")
    func triggers() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledger(in: temp)
        for sql in ["UPDATE tiles SET hashes = zeroblob(8192) WHERE level = 0 AND idx = 1", "DELETE FROM tiles WHERE idx = 2",
                    "UPDATE tile_edge SET idx = 4 WHERE level = 0", "UPDATE tile_edge SET hashes = substr(hashes, 1, 64) WHERE level = 1",
                    "DELETE FROM tile_edge WHERE level = 1", "UPDATE tile_edge SET level = 5 WHERE level = 1"] {
            #expect(throws: SQLiteError.self, "\(sql)") { try ledger.connection.execute(sql) }
        }
        #expect(try ledger.verify().ok)
    }

    @Test("an edited tile names the seq its hash was written with, in every cut", arguments: [
        // Hash 10 of the full level-0 tile 1: the leaf of seq 256 + 11.
        ("UPDATE tiles SET hashes = CAST(substr(hashes, 1, 320) || zeroblob(32) || substr(hashes, 353) AS BLOB) WHERE level = 0 AND idx = 1", Int64(267)),
        // Hash 1 of the level-1 edge: the root of leaves 256–511, written with seq 512.
        ("UPDATE tile_edge SET hashes = CAST(substr(hashes, 1, 32) || zeroblob(32) || substr(hashes, 65) AS BLOB) WHERE level = 1", 512),
        // The last leaf hash cut off the level-0 edge.
        ("UPDATE tile_edge SET hashes = substr(hashes, 1, 128) WHERE level = 0", 773),
        // A whole full tile gone: its first hash, seq 513, is missing.
        ("DELETE FROM tiles WHERE level = 0 AND idx = 2", 513),
        // A level-8 hash wrong and an event later in the log edited: the earlier wins.
        ("UPDATE tile_edge SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 1; UPDATE events SET hash = zeroblob(32) WHERE seq = 600", 256),
        // A leaf in an edge and an earlier event edited: the event wins.
        ("UPDATE tile_edge SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0; UPDATE events SET hash = zeroblob(32) WHERE seq = 700", 700),
    ])
    func editedTile(sql: String, firstBadSeq: Int64) throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try ledger(in: temp)
        try ledger.connection.execute("""
            DROP TRIGGER events_no_update; DROP TRIGGER tiles_no_update; DROP TRIGGER tiles_no_delete;
            DROP TRIGGER tile_edge_grows; DROP TRIGGER tile_edge_no_delete;
            """ + sql)
        for segments in 1...4 {
            let report = try ledger.verify(segments: segments)
            #expect(!report.ok && report.firstBadSeq == firstBadSeq, "\(segments) segments: \(report.firstBadSeq ?? 0) \(report.reason ?? "")")
            #expect(report.events == firstBadSeq - 1)
            if firstBadSeq != 700 {
                #expect(report.reason?.contains("Merkle tree node") == true, "\(report.reason ?? "")")
            }
        }
    }
}
