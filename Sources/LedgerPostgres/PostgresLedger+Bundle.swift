import Foundation
import LedgerCalendar
package import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// `export` on PostgreSQL: the audit bundle of one log (format listledger-audit-bundle/1, the
/// same bytes layout as the SQLite store's `exportBundle`), proved against one of its signed
/// checkpoints and signed by that log's key. Events stream a page at a time; each page's
/// proofs read their stored hashes in one query, so memory stays bounded.
extension PostgresLedger {
    /// Writes the bundle of `selection` against `checkpoint` to `path` (beside it first, then
    /// renamed into place). Returns the number of events and of bytes written.
    package func exportBundle(of log: Log, to path: String, selection: BundleSelection,
                              checkpoint: SignedCheckpoint) async throws -> (events: Int64, bytes: Int64) {
        let size = checkpoint.size
        guard try await head(of: log).size >= size else {
            throw PostgresLedgerError.integrity("the checkpoint covers \(size) events but the log holds fewer: events were removed")
        }
        if let refusal = Merkle.refusalOfCheckpoint(size: size, signedRoot: checkpoint.root, storedRoot: try await treeHash(of: log, size: size)) {
            throw PostgresLedgerError.integrity(refusal)
        }
        var headHash = RecordedEvent.genesisHash
        if size > 0 {
            let rows = try await client.query("SELECT hash FROM events WHERE log_id = \(log.id) AND seq = \(size)", logger: logger).collect()
            guard let row = rows.first else { throw PostgresLedgerError.integrity("seq \(size) is missing from \(log.title)") }
            headHash = try row.decode(ByteBuffer.self).bytes
        }
        let engine = try await engine(of: log)
        let profile: JSONValue, calendar: JSONValue
        do {
            profile = try JSONParser.parse(Array(engine.profile.jsonText().utf8))
            calendar = try JSONParser.parse(engine.calendar.json)
        } catch {
            throw PostgresLedgerError.integrity("the profile or calendar of \(log.title) does not read back as JSON: \(error)")
        }
        let header = AuditBundle(origin: log.origin, verifierKey: try await verifierKey(of: log).description, checkpoint: checkpoint.note,
                                 treeSize: size, root: checkpoint.root, head: headHash, selection: selection,
                                 profile: profile, calendar: calendar, events: [])
        var entry: String?
        var days: ClosedRange<Int64>?
        switch selection {
        case .all: break
        case .entry(let name): entry = name
        case let .range(from, to):
            days = (Instant.endOfBeijingDay(from.adding(days: -1)).epochMilliseconds + 1)...Instant.endOfBeijingDay(to).epochMilliseconds
        }

        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let file = FileHandle(forWritingAtPath: temporary) else {
            throw PostgresLedgerError.input("--bundle: cannot write \(temporary)")
        }
        do {
            var bytes = Int64(0)
            func write(_ chunk: [UInt8]) throws {
                try file.write(contentsOf: chunk)
                bytes += Int64(chunk.count)
            }
            try write(header.headerBytes)
            var count: Int64 = 0
            try await forEachPage(of: log, entry: entry, atMilliseconds: days, upTo: size, pageSize: 1_000) { page in
                let hashes = try await storedHashes(of: log, page.flatMap { Merkle.inclusionProofIndexes(leaf: $0.seq - 1, size: size) })
                var chunk: [UInt8] = []
                for recorded in page {
                    let event = BundleEvent(seq: recorded.seq, canonical: recorded.canonical, hash: recorded.hash, prevHash: recorded.prevHash,
                                            proof: try Merkle.inclusionProof(leaf: recorded.seq - 1, size: size, reader: hashes),
                                            personal: recorded.secrets)
                    if count > 0 { chunk.append(contentsOf: ",\n".utf8) }
                    CanonicalJSON.write(event.json, into: &chunk)
                    count += 1
                }
                try write(chunk)
            }
            try write(Array("\n]}\n".utf8))
            try file.synchronize()
            try file.close()
            guard rename(temporary, path) == 0 else {
                throw PostgresLedgerError.input("--bundle: cannot move the bundle into place at \(path): \(String(cString: strerror(errno)))")
            }
            return (count, bytes)
        } catch {
            try? file.close()
            unlink(temporary)
            if let error = error as? PostgresLedgerError { throw error }
            throw PostgresLedgerError.input("--bundle: writing \(path) failed: \(error) (disk full?)")
        }
    }
}
