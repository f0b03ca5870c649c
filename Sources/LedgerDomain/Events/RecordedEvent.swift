import LedgerCrypto

/// An event as the log holds it: its place in the chain and the bytes that were hashed.
package struct RecordedEvent: Sendable {
    package let seq: Int64
    package let recordedAt: Instant
    /// The event with its personal values joined back where the store still holds them; a
    /// value it does not hold reads as `PersonalData.withheld(commitment)`.
    package let event: Event
    package let canonical: [UInt8]
    package let prevHash: [UInt8]
    package let hash: [UInt8]
    /// The encoding `v` of `canonical` (1: personal values in clear; 2: committed, SPEC §7).
    package let version: Int64
    /// v2: the commitment at each personal path. Empty for v1.
    package let commitments: [String: [UInt8]]
    /// v2: the value and salt of each path the store holds (all of them for a new event).
    package let secrets: [String: PersonalSecret]

    package static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// Seals `event` as the next link after `prevHash` in encoding v1 (personal values in
    /// clear). Kept for the v1 vectors and for tests of ledgers written before SPEC §7.
    package init(event: Event, seq: Int64, recordedAt: Instant, prevHash: [UInt8]) {
        self.seq = seq
        self.recordedAt = recordedAt
        self.event = event
        self.prevHash = prevHash
        version = Event.encodingVersion
        commitments = [:]
        secrets = [:]
        canonical = event.canonicalBytes(seq: seq, recordedAt: recordedAt)
        hash = Self.chainHash(prevHash: prevHash, canonical: canonical)
    }

    /// Seals `event` in encoding v2: each personal value gets a fresh salt from `salt`
    /// (libcrypto's RAND_bytes unless a test fixes it) and enters the bytes as its commitment.
    package init(sealing event: Event, seq: Int64, recordedAt: Instant, prevHash: [UInt8],
                 salt: (String) -> [UInt8] = { _ in RandomBytes.generate(PersonalData.saltByteCount) }) {
        var secrets: [String: PersonalSecret] = [:]
        var commitments: [String: [UInt8]] = [:]
        for (path, value) in PersonalData.values(of: event) {
            let secret = PersonalSecret(salt: salt(path), value: value)
            secrets[path] = secret
            commitments[path] = secret.commitment
        }
        self.seq = seq
        self.recordedAt = recordedAt
        self.event = event
        self.prevHash = prevHash
        self.version = Event.sealedEncodingVersion
        self.commitments = commitments
        self.secrets = secrets
        canonical = CanonicalJSON.encode(event.sealedCanonicalObject(seq: seq, recordedAt: recordedAt, commitments: commitments))
        hash = Self.chainHash(prevHash: prevHash, canonical: canonical)
    }

    /// Rebuilds a stored event from its canonical bytes (for replay and audit), joining back
    /// the personal values of `secrets` after checking each against its commitment.
    package init(canonical: [UInt8], prevHash: [UInt8], hash: [UInt8], secrets: [String: PersonalSecret] = [:]) throws(InputError) {
        var value: JSONValue
        do { value = try JSONParser.parse(canonical) } catch { throw InputError("stored event is not JSON: \(error)") }
        var version: Int64 = Event.encodingVersion
        var commitments: [String: [UInt8]] = [:]
        if case .object(let members) = value, let v = members.first(where: { $0.0 == "v" })?.1, case .integer(let number) = v {
            version = number
        }
        if version == Event.sealedEncodingVersion {
            value = try PersonalData.map(value) { (path, item) throws(InputError) -> JSONValue in
                guard let commitment = PersonalData.readCommitment(item) else {
                    throw InputError(field: path, "in encoding v2 a personal value is {\"commitment\":\"<64 lowercase hex>\"}, found \(item.displayText)")
                }
                commitments[path] = commitment
                guard let secret = secrets[path] else { return .string(PersonalData.withheld(commitment)) }
                guard secret.commitment == commitment else {
                    throw InputError(field: path, "the stored value and salt do not match the event's commitment")
                }
                return .string(secret.value)
            }
        }
        let decoded = try Event.decode(value, source: .canonical)
        guard let seq = decoded.seq, let recordedAt = decoded.recordedAt else { throw InputError("stored event lacks seq or recorded_at") }
        self.seq = seq
        self.recordedAt = recordedAt
        self.event = decoded.event
        self.canonical = canonical
        self.prevHash = prevHash
        self.hash = hash
        self.version = version
        self.commitments = commitments
        self.secrets = secrets.filter { commitments[$0.key] != nil }
    }

    /// The canonical bytes this event encodes to again (what an audit compares with the stored ones).
    package var reencoded: [UInt8] {
        version == Event.sealedEncodingVersion
            ? CanonicalJSON.encode(event.sealedCanonicalObject(seq: seq, recordedAt: recordedAt, commitments: commitments))
            : event.canonicalBytes(seq: seq, recordedAt: recordedAt)
    }

    /// Personal paths whose value this copy does not hold (erased, or not given to the reader).
    package var withheldPaths: [String] { commitments.keys.filter { secrets[$0] == nil }.sorted() }

    /// The event as a user wrote it, with the values joined back where held (`reveal`) or
    /// every personal value as its commitment object (the public, proofs, other parties).
    package func inputObject(reveal: Bool) -> JSONValue {
        let plain = event.inputObject
        guard version == Event.sealedEncodingVersion else { return plain }
        return PersonalData.map(plain) { (path, value) -> JSONValue in
            guard let commitment = commitments[path] else { return value }
            return reveal && secrets[path] != nil ? value : PersonalData.commitmentObject(commitment)
        }
    }

    /// `SHA-256(prev_hash || canonical)`.
    package static func chainHash(prevHash: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256.Hasher()
        hasher.update(prevHash)
        hasher.update(canonical)
        return hasher.finalize()
    }
}
