package import LedgerCalendar
import LedgerCrypto
import LedgerMerkle

// The offline audit bundle of docs/design.md ("Audit bundle"), format
// `listledger-audit-bundle/1`: one JSON object holding a signed checkpoint, the selected events
// with their canonical bytes, chain hashes and inclusion proofs, and the profile and calendar
// the ledger computes deadlines with. Read here; written by LedgerStore's exporter with the
// same field names (``AuditBundle/Field``).

/// Which events a bundle holds.
package enum BundleSelection: Sendable, Equatable {
    /// The whole log, seq 1 … tree size.
    case all
    /// Every event naming this entry (complaints about it included), up to the tree size.
    case entry(String)
    /// Every event whose `at` falls on a Beijing day in from … to (inclusive).
    case range(from: BeijingDay, to: BeijingDay)

    /// The `selection` object of the bundle.
    package var json: JSONValue {
        switch self {
        case .all: .object([("kind", .string("all"))])
        case .entry(let entry): .object([("kind", .string("entry")), ("entry", .string(entry))])
        case let .range(from, to): .object([("kind", .string("range")), ("from", .string(from.description)), ("to", .string(to.description))])
        }
    }

    package var summary: String {
        switch self {
        case .all: "all"
        case .entry(let entry): "entry \(entry)"
        case let .range(from, to): "range \(from)..\(to)"
        }
    }
}

/// One event of a bundle, as the bundle states it (nothing checked yet).
package struct BundleEvent: Sendable {
    package var seq: Int64
    package var canonical: [UInt8]
    package var hash: [UInt8]
    package var prevHash: [UInt8]
    package var proof: [[UInt8]]
    /// Encoding v2: the values and salts the exporter disclosed (the court's own export for
    /// itself or an auditor), by path; empty once erased. Not covered by the signature: each
    /// is checked against its commitment, which is.
    package var personal: [String: PersonalSecret]

    package init(seq: Int64, canonical: [UInt8], hash: [UInt8], prevHash: [UInt8], proof: [[UInt8]], personal: [String: PersonalSecret] = [:]) {
        self.personal = personal
        self.seq = seq
        self.canonical = canonical
        self.hash = hash
        self.prevHash = prevHash
        self.proof = proof
    }

    /// The bundle's JSON of this event.
    package var json: JSONValue {
        .object([
            ("seq", .integer(seq)), ("canonical", .string(StrictBase64.encode(canonical))),
            ("hash", .string(Hex.encode(hash))), ("prev_hash", .string(Hex.encode(prevHash))),
            ("proof", .array(proof.map { .string(StrictBase64.encode($0)) })),
        ] + (personal.isEmpty ? [] : [("personal", personalJSON)]))
    }

    /// `{"<path>":{"salt":"<hex>","value":"…"}}`, the form of the store's personal_data rows.
    var personalJSON: JSONValue {
        .object(personal.map { path, secret in
            (path, .object([("salt", .string(Hex.encode(secret.salt))), ("value", .string(secret.value))]))
        })
    }
}

/// Why a bundle cannot be read at all (exit 1): the message names the field.
package struct BundleReadError: Error, Sendable, CustomStringConvertible {
    package let field: String
    package let problem: String
    package init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }
    package var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}

/// A decoded audit bundle. Decoding checks shapes only; ``BundleAudit`` checks the content.
package struct AuditBundle: Sendable {
    package static let format = "listledger-audit-bundle/1"

    package var origin: String
    /// Informational: the auditor supplies the key they trust.
    package var verifierKey: String
    package var checkpoint: String
    package var treeSize: Int64
    package var root: [UInt8]
    package var head: [UInt8]
    package var selection: BundleSelection
    package var profile: JSONValue
    package var calendar: JSONValue
    package var events: [BundleEvent]

    package init(origin: String, verifierKey: String, checkpoint: String, treeSize: Int64, root: [UInt8], head: [UInt8],
                 selection: BundleSelection, profile: JSONValue, calendar: JSONValue, events: [BundleEvent]) {
        self.origin = origin
        self.verifierKey = verifierKey
        self.checkpoint = checkpoint
        self.treeSize = treeSize
        self.root = root
        self.head = head
        self.selection = selection
        self.profile = profile
        self.calendar = calendar
        self.events = events
    }

    /// The bundle's members before `events`, in the order the exporter writes them.
    package var headerMembers: [(String, JSONValue)] {
        [
            ("format", .string(Self.format)), ("origin", .string(origin)), ("verifier_key", .string(verifierKey)),
            ("checkpoint", .string(checkpoint)), ("tree_size", .integer(treeSize)), ("root", .string(StrictBase64.encode(root))),
            ("head", .string(Hex.encode(head))), ("selection", selection.json), ("profile", profile), ("calendar", calendar),
        ]
    }

    /// The bundle file's bytes before its first event, as every exporter writes them: `{`, each
    /// header member on its own line, then `"events":[` (events follow one a line, joined by
    /// `,\n`, and the file ends `\n]}\n`).
    package var headerBytes: [UInt8] {
        var bytes = Array("{".utf8)
        for (name, value) in headerMembers {
            CanonicalJSON.writeString(name, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            CanonicalJSON.write(value, into: &bytes)
            bytes.append(contentsOf: ",\n".utf8)
        }
        bytes.append(contentsOf: "\"events\":[\n".utf8)
        return bytes
    }

    /// Reads a bundle from its JSON bytes.
    package init(json bytes: [UInt8]) throws(BundleReadError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw BundleReadError("bundle", "not JSON (\(error))") }
        guard case .object(let members) = value else { throw BundleReadError("bundle", "expected a JSON object, found \(value.kindName)") }
        let top = Fields(members: members, prefix: "")
        let format = try top.string("format")
        guard format == Self.format else {
            throw BundleReadError("format", "\"\(format)\" is not \"\(Self.format)\", the only format this build reads")
        }
        origin = try top.string("origin")
        verifierKey = try top.string("verifier_key")
        checkpoint = try top.string("checkpoint")
        treeSize = try top.integer("tree_size")
        guard treeSize >= 0 else { throw BundleReadError("tree_size", "is negative") }
        root = try top.base64Hash("root")
        head = try top.hexHash("head")
        let selectionFields = Fields(members: try top.object("selection"), prefix: "selection.")
        switch try selectionFields.string("kind") {
        case "all": selection = .all
        case "entry": selection = .entry(try selectionFields.string("entry"))
        case "range":
            selection = .range(from: try selectionFields.day("from"), to: try selectionFields.day("to"))
        case let other:
            throw BundleReadError("selection.kind", "\"\(other)\" is not all, entry or range")
        }
        profile = .object(try top.object("profile"))
        calendar = .object(try top.object("calendar"))
        var events: [BundleEvent] = []
        for (index, item) in try top.array("events").enumerated() {
            let prefix = "events[\(index)]."
            guard case .object(let eventMembers) = item else { throw BundleReadError("events[\(index)]", "expected an object") }
            let fields = Fields(members: eventMembers, prefix: prefix)
            let proof = try fields.array("proof").enumerated().map { (position, hash) throws(BundleReadError) -> [UInt8] in
                try Fields.base64Hash(hash, field: "\(prefix)proof[\(position)]")
            }
            guard case .string(let canonicalText) = try fields.value("canonical"),
                  let canonical = StrictBase64.decode(canonicalText) else {
                throw BundleReadError(prefix + "canonical", "expected standard base64 text")
            }
            var personal: [String: PersonalSecret] = [:]
            if let disclosed = eventMembers.first(where: { $0.0 == "personal" })?.1 {
                guard let secrets = PersonalData.secrets(fromStorage: CanonicalJSON.encode(disclosed)) else {
                    throw BundleReadError(prefix + "personal", "expected {\"<path>\":{\"salt\":\"<hex>\",\"value\":\"…\"}}")
                }
                personal = secrets
            }
            events.append(BundleEvent(seq: try fields.integer("seq"), canonical: canonical, hash: try fields.hexHash("hash"),
                                      prevHash: try fields.hexHash("prev_hash"), proof: proof, personal: personal))
        }
        self.events = events
    }
}

/// Typed access to an object's members, with errors that name the field.
private struct Fields {
    let members: [(String, JSONValue)]
    let prefix: String

    func value(_ name: String) throws(BundleReadError) -> JSONValue {
        guard let found = members.first(where: { $0.0 == name }) else { throw BundleReadError(prefix + name, "missing field") }
        return found.1
    }

    func string(_ name: String) throws(BundleReadError) -> String {
        guard case .string(let text) = try value(name) else { throw BundleReadError(prefix + name, "expected a string") }
        return text
    }

    func integer(_ name: String) throws(BundleReadError) -> Int64 {
        guard case .integer(let number) = try value(name) else { throw BundleReadError(prefix + name, "expected an integer") }
        return number
    }

    func object(_ name: String) throws(BundleReadError) -> [(String, JSONValue)] {
        guard case .object(let members) = try value(name) else { throw BundleReadError(prefix + name, "expected an object") }
        return members
    }

    func array(_ name: String) throws(BundleReadError) -> [JSONValue] {
        guard case .array(let items) = try value(name) else { throw BundleReadError(prefix + name, "expected a list") }
        return items
    }

    func day(_ name: String) throws(BundleReadError) -> BeijingDay {
        let text = try string(name)
        guard let day = BeijingDay(iso: text) else { throw BundleReadError(prefix + name, "\"\(text)\" is not a date YYYY-MM-DD") }
        return day
    }

    func base64Hash(_ name: String) throws(BundleReadError) -> [UInt8] {
        try Self.base64Hash(try value(name), field: prefix + name)
    }

    static func base64Hash(_ value: JSONValue, field: String) throws(BundleReadError) -> [UInt8] {
        guard case .string(let text) = value, let bytes = StrictBase64.decode(text) else {
            throw BundleReadError(field, "expected standard base64 text")
        }
        guard bytes.count == Merkle.hashSize else { throw BundleReadError(field, "a SHA-256 hash is 32 bytes, this is \(bytes.count)") }
        return bytes
    }

    func hexHash(_ name: String) throws(BundleReadError) -> [UInt8] {
        guard case .string(let text) = try value(name), text.utf8.count == 64, let bytes = Hex.decode(text) else {
            throw BundleReadError(prefix + name, "expected 64 hex digits (a SHA-256 hash)")
        }
        return bytes
    }
}
