import LedgerCalendar
import LedgerCrypto
package import LedgerDomain
import LedgerMerkle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `exportBundle` wrote.
package struct ExportSummary: Sendable {
    package var events: Int64
    package var treeSize: Int64
    package var bytes: Int64
}

extension Ledger {
    /// Writes the audit bundle (docs/design.md) of `selection` against `checkpoint` to `path`.
    ///
    /// Events stream from SQLite to the file one at a time, each with its inclusion proof read
    /// from O(log n) stored hashes, so memory stays bounded whatever the log's size. The file is
    /// written beside `path` and renamed into place when complete.
    package func exportBundle(to path: String, selection: BundleSelection, checkpoint: StoredCheckpoint) throws -> ExportSummary {
        guard let identity = try identity() else {
            throw LedgerError.input(InputError(field: "key", "this ledger has no signing key yet; run `listledger keys init`"))
        }
        let profileJSON: JSONValue
        let calendarJSON: JSONValue
        do {
            profileJSON = try JSONParser.parse(Array(try profile().jsonText().utf8))
            calendarJSON = try JSONParser.parse(try calendar().json)
        } catch {
            throw LedgerError.integrity("the ledger's profile or calendar does not read back as JSON: \(error)")
        }
        let temporary = path + ".partial"
        var file = try BundleFile(path: temporary)
        do {
            let summary: ExportSummary = try connection.readTransaction {
                let size = checkpoint.size
                guard try head().size >= size else {
                    throw LedgerError.integrity("the checkpoint covers \(size) events but the log holds fewer: events were removed")
                }
                if let refusal = Merkle.refusalOfCheckpoint(size: size, signedRoot: checkpoint.root, storedRoot: try treeRoot(size: size)) {
                    throw LedgerError.integrity(refusal)
                }
                let headHash = size == 0 ? RecordedEvent.genesisHash : (try eventHash(seq: size) ?? [])
                let header = AuditBundle(origin: identity.origin, verifierKey: identity.verifierKey.description, checkpoint: checkpoint.note,
                                         treeSize: size, root: checkpoint.root, head: headHash, selection: selection,
                                         profile: profileJSON, calendar: calendarJSON, events: [])
                file.write(header.headerBytes)

                var filter = "seq <= ?"
                var arguments: [SQLValue] = [.int(size)]
                switch selection {
                case .all: break
                case .entry(let entry):
                    filter += " AND entry = ?"
                    arguments.append(.text(entry))
                case let .range(from, to):
                    filter += " AND at_ms BETWEEN ? AND ?"
                    arguments += [.int(Instant.endOfBeijingDay(from.adding(days: -1)).epochMilliseconds + 1),
                                  .int(Instant.endOfBeijingDay(to).epochMilliseconds)]
                }
                // The court exports for itself or an auditor (SPEC §6): the values and salts it
                // still holds travel beside the bytes; an erased entry's do not exist any more.
                let statement = try connection.statement("SELECT seq, canonical, prev_hash, hash, \(try personalDataColumn) FROM events WHERE \(filter) ORDER BY seq")
                try statement.bind(arguments)
                var tree = CachedHashReader(base: TreeStore(connection: connection))
                var count: Int64 = 0
                while try statement.step() {
                    let seq = statement.int(0)
                    let proof = try Merkle.inclusionProof(leaf: seq - 1, size: size, reader: tree)
                    tree.trim()
                    let event = BundleEvent(seq: seq, canonical: statement.blob(1), hash: statement.blob(3), prevHash: statement.blob(2), proof: proof,
                                            personal: try Self.secrets(statement, column: 4))
                    if count > 0 { file.write(",\n") }
                    file.write(CanonicalJSON.encode(event.json))
                    count += 1
                }
                file.write("\n]}\n")
                return ExportSummary(events: count, treeSize: size, bytes: 0)
            }
            let bytes = try file.finish()
            guard rename(temporary, path) == 0 else {
                throw LedgerError.input(InputError(field: "bundle", "cannot move the bundle into place at \(path): \(String(cString: strerror(errno)))"))
            }
            return ExportSummary(events: summary.events, treeSize: summary.treeSize, bytes: bytes)
        } catch {
            file.abandon()
            unlink(temporary)
            throw error
        }
    }
}

/// Stored hashes with a bounded cache: consecutive events' proofs share their upper levels.
private final class HashCache {
    var hashes: [Int64: [UInt8]] = [:]
}

private struct CachedHashReader: HashReader {
    let base: TreeStore
    let cache = HashCache()
    static let limit = 1 << 16

    func readHashes(_ indexes: [Int64]) throws -> [[UInt8]] {
        let missing = indexes.filter { cache.hashes[$0] == nil }
        if !missing.isEmpty {
            for (index, hash) in zip(missing, try base.readHashes(missing)) { cache.hashes[index] = hash }
        }
        return indexes.map { cache.hashes[$0]! }
    }

    /// Keeps memory bounded: forgets everything once the cache is full.
    mutating func trim() {
        if cache.hashes.count > Self.limit { cache.hashes.removeAll(keepingCapacity: true) }
    }
}

/// A buffered output file that reports write errors when finished.
private struct BundleFile {
    private var file: UnsafeMutablePointer<FILE>?
    private var failed = false
    private var written: Int64 = 0
    let path: String

    init(path: String) throws {
        self.path = path
        guard let file = fopen(path, "w") else {
            throw LedgerError.input(InputError(field: "bundle", "cannot write \(path): \(String(cString: strerror(errno)))"))
        }
        self.file = file
    }

    mutating func write(_ text: String) { write(Array(text.utf8)) }

    mutating func write(_ bytes: [UInt8]) {
        guard let file, !bytes.isEmpty else { return }
        if fwrite(bytes, 1, bytes.count, file) != bytes.count { failed = true }
        written += Int64(bytes.count)
    }

    /// Flushes, syncs and closes; throws if any write failed.
    mutating func finish() throws -> Int64 {
        guard let file else { return written }
        self.file = nil
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        let closed = fclose(file) == 0
        guard !failed, flushed, closed else {
            throw LedgerError.input(InputError(field: "bundle", "writing \(path) failed: \(String(cString: strerror(errno))) (disk full?)"))
        }
        return written
    }

    mutating func abandon() {
        if let file { fclose(file) }
        file = nil
    }
}
