import LedgerCrypto

/// Encoding v2 (SPEC §7, docs/design.md "Personal data"): the debtor's personal values enter
/// the canonical bytes only as salted commitments, so that the log, every proof and every
/// checkpoint can outlive the values themselves.
///
/// A personal value at path P is written in the canonical object as
/// `{"commitment":"<64 lowercase hex>"}` where the hex is `SHA-256(salt || UTF-8 value)` and
/// `salt` is 32 random bytes drawn for that one value. Paths: `debtor.name`,
/// `debtor.id_number`, `debtor.legal_representative` (in `risk_notice_issued` and
/// `inclusion_decided`) and `corrections.debtor.name`, `corrections.debtor.id_number`,
/// `corrections.debtor.legal_representative` (in `entry_corrected`). Everything else,
/// `debtor.kind` and `corrections.case` included, stays in clear.
package enum PersonalData {
    package static let saltByteCount = 32
    static let debtorFields: Set<String> = ["name", "id_number", "legal_representative"]
    static let correctionFields: Set<String> = ["debtor.name", "debtor.id_number", "debtor.legal_representative"]

    /// `SHA-256(salt || UTF-8 value)`.
    package static func commitment(salt: [UInt8], value: String) -> [UInt8] {
        SHA256.hash(parts: [salt, Array(value.utf8)])
    }

    /// The canonical form of one committed value.
    package static func commitmentObject(_ commitment: [UInt8]) -> JSONValue {
        .object([("commitment", .string(Hex.encode(commitment)))])
    }

    /// What a decoded event carries in place of a value the store no longer holds (erased)
    /// or the reader was not given: the commitment itself, never a made-up value.
    package static func withheld(_ commitment: [UInt8]) -> String { "sha256:" + Hex.encode(commitment) }

    /// Rewrites every personal position of an event object (an envelope or just its fields):
    /// `transform(path, value)` returns what stands there instead.
    package static func map<E: Error>(_ object: JSONValue, _ transform: (String, JSONValue) throws(E) -> JSONValue) throws(E) -> JSONValue {
        guard case .object(let members) = object else { return object }
        var out: [(String, JSONValue)] = []
        out.reserveCapacity(members.count)
        for (key, value) in members {
            switch (key, value) {
            case ("debtor", .object(let inner)):
                var rewritten: [(String, JSONValue)] = []
                for (field, item) in inner {
                    rewritten.append((field, debtorFields.contains(field) ? try transform("debtor." + field, item) : item))
                }
                out.append((key, .object(rewritten)))
            case ("corrections", .object(let inner)):
                var rewritten: [(String, JSONValue)] = []
                for (field, item) in inner {
                    rewritten.append((field, correctionFields.contains(field) ? try transform("corrections." + field, item) : item))
                }
                out.append((key, .object(rewritten)))
            default:
                out.append((key, value))
            }
        }
        return .object(out)
    }

    /// The personal values an event states, by path, in the order they appear.
    package static func values(of event: Event) -> [(path: String, value: String)] {
        var found: [(path: String, value: String)] = []
        _ = map(.object(event.body.fieldMembers)) { (path, value) -> JSONValue in
            if case .string(let text) = value { found.append((path, text)) }
            return value
        }
        return found
    }

    /// Reads `{"commitment":"<hex>"}`; nil when `value` is anything else.
    static func readCommitment(_ value: JSONValue) -> [UInt8]? {
        guard case .object(let members) = value, members.count == 1, members[0].0 == "commitment",
              case .string(let hex) = members[0].1, hex.utf8.count == 64,
              hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let bytes = Hex.decode(hex) else { return nil }
        return bytes
    }
}

/// The secret half of one committed value, kept beside the log (table `personal_data`) and
/// deleted by `erase`.
package struct PersonalSecret: Sendable, Equatable {
    package var salt: [UInt8]
    package var value: String
    package init(salt: [UInt8], value: String) {
        self.salt = salt
        self.value = value
    }

    package var commitment: [UInt8] { PersonalData.commitment(salt: salt, value: value) }
}

extension Event {
    /// The encoding new events get (SPEC §7).
    package static let sealedEncodingVersion: Int64 = 2
    package static let knownEncodingVersions: ClosedRange<Int64> = 1...2

    /// The v2 canonical object: the v1 shape with `"v":2` and each personal value replaced by
    /// its commitment. `commitments` must hold one for every personal path of the event.
    package func sealedCanonicalObject(seq: Int64, recordedAt: Instant, commitments: [String: [UInt8]]) -> JSONValue {
        PersonalData.map(canonicalObject(seq: seq, recordedAt: recordedAt, version: Self.sealedEncodingVersion)) { (path, value) -> JSONValue in
            guard let commitment = commitments[path] else { preconditionFailure("no commitment for personal value \(path)") }
            return PersonalData.commitmentObject(commitment)
        }
    }
}

extension PersonalData {
    /// The stored form of one event's secrets (table `personal_data`, column `data`):
    /// `{"<path>":{"salt":"<hex>","value":"<value>"},…}` in canonical JSON.
    package static func storageText(_ secrets: [String: PersonalSecret]) -> [UInt8] {
        CanonicalJSON.encode(.object(secrets.map { path, secret in
            (path, .object([("salt", .string(Hex.encode(secret.salt))), ("value", .string(secret.value))]))
        }))
    }

    package static func secrets(fromStorage bytes: [UInt8]) -> [String: PersonalSecret]? {
        guard case .object(let members)? = try? JSONParser.parse(bytes) else { return nil }
        var secrets: [String: PersonalSecret] = [:]
        for (path, item) in members {
            guard case .object(let fields) = item,
                  case .string(let saltHex)? = fields.first(where: { $0.0 == "salt" })?.1, let salt = Hex.decode(saltHex),
                  case .string(let value)? = fields.first(where: { $0.0 == "value" })?.1 else { return nil }
            secrets[path] = PersonalSecret(salt: salt, value: value)
        }
        return secrets
    }
}
