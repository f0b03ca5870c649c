import LedgerCrypto

/// An event as the log holds it: its place in the chain and the bytes that were hashed.
package struct RecordedEvent: Sendable {
    package let seq: Int64
    package let recordedAt: Instant
    package let event: Event
    package let canonical: [UInt8]
    package let prevHash: [UInt8]
    package let hash: [UInt8]

    package static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// Seals `event` as the next link after `prevHash`.
    package init(event: Event, seq: Int64, recordedAt: Instant, prevHash: [UInt8]) {
        self.seq = seq
        self.recordedAt = recordedAt
        self.event = event
        self.prevHash = prevHash
        canonical = event.canonicalBytes(seq: seq, recordedAt: recordedAt)
        hash = Self.chainHash(prevHash: prevHash, canonical: canonical)
    }

    /// Rebuilds a stored event from its canonical bytes (for replay and audit).
    package init(canonical: [UInt8], prevHash: [UInt8], hash: [UInt8]) throws(InputError) {
        let value: JSONValue
        do { value = try JSONParser.parse(canonical) } catch { throw InputError("stored event is not JSON: \(error)") }
        let decoded = try Event.decode(value, source: .canonical)
        guard let seq = decoded.seq, let recordedAt = decoded.recordedAt else { throw InputError("stored event lacks seq or recorded_at") }
        self.seq = seq
        self.recordedAt = recordedAt
        self.event = decoded.event
        self.canonical = canonical
        self.prevHash = prevHash
        self.hash = hash
    }

    /// `SHA-256(prev_hash || canonical)`.
    package static func chainHash(prevHash: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256.Hasher()
        hasher.update(prevHash)
        hasher.update(canonical)
        return hasher.finalize()
    }
}
