import LedgerCalendar
import LedgerCrypto
package import LedgerMerkle

/// One check of an audit that did not hold. `check` uses the same names as
/// scripts/verify_bundle.py, so the two verifiers' reports can be compared.
package struct AuditFailure: Sendable, Equatable, CustomStringConvertible {
    /// The event's seq, or nil for a failure of the bundle as a whole.
    package var seq: Int64?
    package var check: String
    package var detail: String

    package init(seq: Int64?, check: String, detail: String) {
        self.seq = seq
        self.check = check
        self.detail = detail
    }

    package var description: String { "\(check) at \(seq.map { "seq \($0)" } ?? "bundle"): \(detail)" }
}

/// What checking a bundle found.
package struct AuditReport: Sendable {
    package var failures: [AuditFailure] = []
    package var warnings: [String] = []
    /// The events that decoded, in bundle order (all of them when `ok`).
    package var events: [RecordedEvent] = []
    package var ok: Bool { failures.isEmpty }

    mutating func fail(_ seq: Int64?, _ check: String, _ detail: String) {
        failures.append(AuditFailure(seq: seq, check: check, detail: detail))
    }
}

/// Checks an audit bundle offline with a trusted verifier key (docs/design.md "Audit bundle").
/// Pure: no files, no clock, no SQLite.
package enum BundleAudit {
    package static func verify(_ bundle: AuditBundle, trustedKey: NoteVerifierKey) -> AuditReport {
        var report = AuditReport()
        if bundle.verifierKey.trimmingWhiteSpace != trustedKey.description {
            report.warnings.append("the bundle names verifier key \(bundle.verifierKey.prefix(120)), not the trusted key \(trustedKey.name)+\(hex8(trustedKey.keyHash)); only the trusted key counts")
        }
        checkCheckpoint(bundle, trustedKey: trustedKey, into: &report)
        checkEvents(bundle, into: &report)
        checkOrder(bundle, into: &report)
        if bundle.selection == .all { checkWholeLog(bundle, into: &report) }
        return report
    }

    // MARK: - The checkpoint

    static func checkCheckpoint(_ bundle: AuditBundle, trustedKey: NoteVerifierKey, into report: inout AuditReport) {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.open(note: bundle.checkpoint, verifiers: [trustedKey]).checkpoint
        } catch let error as NoteError {
            report.fail(nil, "checkpoint_signature", error.description)
            return
        } catch {
            report.fail(nil, "checkpoint_format", "the checkpoint body is not a C2SP checkpoint: \(error)")
            return
        }
        if checkpoint.origin != bundle.origin {
            report.fail(nil, "checkpoint_origin", "checkpoint origin \(String(reflecting: checkpoint.origin)), bundle origin \(String(reflecting: bundle.origin))")
        }
        if checkpoint.size != bundle.treeSize {
            report.fail(nil, "checkpoint_size", "checkpoint tree size \(checkpoint.size), bundle tree_size \(bundle.treeSize)")
        }
        if checkpoint.rootHash != bundle.root {
            report.fail(nil, "checkpoint_root", "checkpoint root \(StrictBase64.encode(checkpoint.rootHash)), bundle root \(StrictBase64.encode(bundle.root))")
        }
        if !checkpoint.extensionLines.isEmpty {
            report.warnings.append("the checkpoint carries \(checkpoint.extensionLines.count) extension line(s), not interpreted")
        }
    }

    // MARK: - Each event on its own

    static func checkEvents(_ bundle: AuditBundle, into report: inout AuditReport) {
        for item in bundle.events {
            let seq = item.seq
            if let recorded = decode(item, into: &report) {
                report.events.append(recorded)
                if case .entry(let entry) = bundle.selection, let named = recorded.event.entry, named != entry {
                    report.fail(seq, "selection", "event of entry \(String(reflecting: named)) in a bundle for entry \(String(reflecting: entry))")
                }
                if case let .range(from, to) = bundle.selection {
                    let days = [recorded.event.at.beijingDay, recorded.recordedAt.beijingDay]
                    if !days.contains(where: { $0 >= from && $0 <= to }) {
                        report.warnings.append("seq \(seq): neither its at nor its recorded_at falls in \(from)..\(to)")
                    }
                }
            }
            let chained = RecordedEvent.chainHash(prevHash: item.prevHash, canonical: item.canonical)
            if chained != item.hash {
                report.fail(seq, "chain_hash", "SHA-256(prev_hash || canonical) is \(Hex.encode(chained)), the bundle says \(Hex.encode(item.hash))")
            }
            if seq < 1 || seq > bundle.treeSize {
                report.fail(seq, "seq_range", "seq \(seq) is outside the checkpoint's tree of size \(bundle.treeSize) (1..\(bundle.treeSize))")
            } else {
                let leaf = Merkle.leafHash(canonical: item.canonical)
                if let implied = Merkle.rootFromInclusionProof(index: seq - 1, size: bundle.treeSize, leafHash: leaf, proof: item.proof) {
                    if implied != bundle.root {
                        report.fail(seq, "inclusion_proof", "the proof leads to root \(StrictBase64.encode(implied)), not \(StrictBase64.encode(bundle.root))")
                    }
                } else {
                    report.fail(seq, "inclusion_proof", "the proof has \(item.proof.count) hashes, the wrong number for leaf \(seq - 1) of a tree of \(bundle.treeSize)")
                }
            }
            if seq == 1 && item.prevHash != RecordedEvent.genesisHash {
                report.fail(seq, "chain_link", "seq 1 must follow 32 zero bytes, its prev_hash is \(Hex.encode(item.prevHash))")
            }
            if seq == bundle.treeSize && item.hash != bundle.head {
                report.fail(seq, "head", "the hash of seq \(seq) (the last in the tree) is \(Hex.encode(item.hash)), the bundle's head is \(Hex.encode(bundle.head))")
            }
        }
    }

    /// The event its canonical bytes hold, checking they are canonical JSON of a v1 event with the stated seq.
    static func decode(_ item: BundleEvent, into report: inout AuditReport) -> RecordedEvent? {
        let seq = item.seq
        let value: JSONValue
        do { value = try JSONParser.parse(item.canonical) } catch {
            report.fail(seq, "canonical_json", "the canonical bytes are not UTF-8 JSON: \(error)")
            return nil
        }
        guard case .object(let members) = value else {
            report.fail(seq, "canonical_json", "the canonical bytes are not a JSON object")
            return nil
        }
        let version = members.first { $0.0 == "v" }?.1
        guard case .integer(let number)? = version, Event.knownEncodingVersions.contains(number) else {
            report.fail(seq, "canonical_version", "encoding version v is \(version.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? "missing"), this build knows v = 1 and 2")
            return nil
        }
        let statedSeq = members.first { $0.0 == "seq" }?.1
        guard statedSeq == .integer(seq) else {
            report.fail(seq, "canonical_seq", "the canonical bytes say seq \(statedSeq.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? "nothing"), the bundle says \(seq)")
            return nil
        }
        guard CanonicalJSON.encode(value) == item.canonical else {
            report.fail(seq, "canonical_form", "the bytes are not in canonical form (RFC 8785)")
            return nil
        }
        let recorded: RecordedEvent
        do {
            recorded = try RecordedEvent(canonical: item.canonical, prevHash: item.prevHash, hash: item.hash, secrets: item.personal)
        } catch {
            report.fail(seq, "event_fields", "the canonical bytes are not a valid event: \(error)")
            return nil
        }
        guard recorded.reencoded == item.canonical else {
            report.fail(seq, "canonical_form", "the event's fields are not in their stored form (docs/design.md \"Canonical bytes\")")
            return nil
        }
        return recorded
    }

    // MARK: - Order and links

    static func checkOrder(_ bundle: AuditBundle, into report: inout AuditReport) {
        for (position, pair) in zip(bundle.events, bundle.events.dropFirst()).enumerated() {
            let (a, c) = pair
            if c.seq <= a.seq {
                report.fail(c.seq, "seq_order", "events[\(position + 1)] has seq \(c.seq) after events[\(position)] with seq \(a.seq): seqs must strictly increase")
            } else if c.seq == a.seq + 1 && c.prevHash != a.hash {
                report.fail(c.seq, "chain_link", "prev_hash \(Hex.encode(c.prevHash)) is not the hash of seq \(a.seq) (\(Hex.encode(a.hash)))")
            }
        }
    }

    // MARK: - The whole log

    static func checkWholeLog(_ bundle: AuditBundle, into report: inout AuditReport) {
        let seqs = bundle.events.map(\.seq)
        let contiguous = Int64(seqs.count) == bundle.treeSize && seqs.enumerated().allSatisfy { Int64($0.offset) + 1 == $0.element }
        if !contiguous {
            let present = Set(seqs)
            var missing: [Int64] = []
            var seq: Int64 = 1
            while seq <= bundle.treeSize && missing.count < 1000 {
                if !present.contains(seq) { missing.append(seq) }
                seq += 1
            }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing seq \(ranges(missing))") }
            var counts: [Int64: Int] = [:]
            for s in seqs { counts[s, default: 0] += 1 }
            let extra = counts.filter { $0.value > 1 || $0.key < 1 || $0.key > bundle.treeSize }.keys.sorted()
            if !extra.isEmpty { parts.append("unexpected or repeated seq \(ranges(extra))") }
            if parts.isEmpty { parts.append("seqs are out of order") }
            report.fail(missing.first, "contiguity", "an 'all' bundle must hold seq 1..\(bundle.treeSize) in order: " + parts.joined(separator: "; "))
            for gap in missing where present.contains(gap + 1) {
                report.fail(gap + 1, "chain_link", "its predecessor seq \(gap) is not in the bundle")
            }
        } else {
            if bundle.treeSize == 0 && bundle.head != RecordedEvent.genesisHash {
                report.fail(nil, "head", "an empty log's head is 32 zero bytes, the bundle says \(Hex.encode(bundle.head))")
            }
            var tree = RootAccumulator()
            for item in bundle.events { tree.append(Merkle.leafHash(canonical: item.canonical)) }
            if tree.root != bundle.root {
                report.fail(nil, "tree_root", "the Merkle root of all \(bundle.events.count) events is \(StrictBase64.encode(tree.root)), not the bundle's root")
            }
        }
        if bundle.treeSize > 0 && !seqs.contains(bundle.treeSize) {
            report.fail(nil, "head", "the last event (seq \(bundle.treeSize)) is missing, so head cannot be checked")
        }
    }

    static func ranges(_ numbers: [Int64]) -> String {
        var out: [String] = []
        var i = 0
        while i < numbers.count {
            var j = i
            while j + 1 < numbers.count && numbers[j + 1] == numbers[j] + 1 { j += 1 }
            out.append(i == j ? "\(numbers[i])" : "\(numbers[i])-\(numbers[j])")
            i = j + 1
        }
        return out.prefix(20).joined(separator: ", ") + (out.count > 20 ? " ..." : "")
    }
}

/// The RFC 6962 root of a stream of leaf hashes, keeping O(log n) subtree hashes.
package struct RootAccumulator: Sendable {
    private var stack: [(size: Int64, hash: [UInt8])] = []

    package init() {}

    package mutating func append(_ leaf: [UInt8]) {
        var node: (size: Int64, hash: [UInt8]) = (1, leaf)
        while let last = stack.last, last.size == node.size {
            stack.removeLast()
            node = (last.size * 2, Merkle.nodeHash(last.hash, node.hash))
        }
        stack.append(node)
    }

    package var root: [UInt8] {
        guard var hash = stack.last?.hash else { return Merkle.emptyTreeHash }
        for node in stack.dropLast().reversed() { hash = Merkle.nodeHash(node.hash, hash) }
        return hash
    }
}

/// A key hash as signed notes print it: 8 lower-case hex digits.
func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

extension String {
    var trimmingWhiteSpace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
