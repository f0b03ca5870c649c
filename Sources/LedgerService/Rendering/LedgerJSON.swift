import LedgerCalendar
import LedgerCrypto
package import LedgerDomain
import LedgerStore

/// The JSON documents of `state`, `history` and `obligations` (SPEC §5), built in one place so
/// that the command line's `--json` output and the server's responses are the same bytes.
package enum LedgerJSON {
    /// One JSON value as the command line prints it: keys sorted, compact, no newline.
    package static func encode(_ value: JSONValue) -> [UInt8] {
        CanonicalJSON.encode(value)
    }

    /// `state --json`: the ledger's profile and each entry's state.
    package static func state(profile: String, states: [EntryState]) -> JSONValue {
        .object([("profile", .string(profile)), ("entries", .array(states.map(\.json)))])
    }

    /// `history --json`: the entry's events in seq order with their hashes.
    /// With `maskIdentity` a person's resident ID number shows as the public list masks it
    /// (first 10, `****`, last 4; see `Visibility.needsFullIdentity`).
    package static func history(entry: String, events: [RecordedEvent], maskIdentity: Bool = false) -> JSONValue {
        .object([("entry", .string(entry)), ("events", .array(events.map { maskIdentity ? masked(recordedEvent($0)) : recordedEvent($0) }))])
    }

    /// Masks every resident ID number (a person's `id_number`, also in `corrections`) of one
    /// rendered event; unified social credit codes stay in full, as on the public list.
    package static func masked(_ rendered: JSONValue) -> JSONValue {
        guard case .object(var members) = rendered, let index = members.firstIndex(where: { $0.0 == "event" }) else { return rendered }
        var isPerson = true
        if case .object(let event) = members[index].1, case .object(let debtor)? = event.first(where: { $0.0 == "debtor" })?.1,
           case .string(let kind)? = debtor.first(where: { $0.0 == "kind" })?.1 {
            isPerson = kind == DebtorKind.person.rawValue
        }
        members[index].1 = PersonalData.map(members[index].1) { (path, value) -> JSONValue in
            guard path.hasSuffix("id_number"), case .string(let id) = value else { return value }
            // A correction names no kind: a resident ID is 17 digits and a check character.
            let resident = path.hasPrefix("debtor.") ? isPerson : id.count == 18 && id.prefix(17).allSatisfy { $0.isASCII && $0.isNumber }
            return resident ? .string(Masking.residentID(id)) : value
        }
        return .object(members)
    }

    /// One stored event as `history` shows it (also a line of the server's feed). `v` names
    /// its encoding (SPEC §7); with `reveal` the personal values the store holds are joined
    /// back, otherwise (and once erased) each appears as `{"commitment":"<hex>"}`.
    package static func recordedEvent(_ recorded: RecordedEvent) -> JSONValue { recordedEvent(recorded, reveal: true) }

    package static func recordedEvent(_ recorded: RecordedEvent, reveal: Bool) -> JSONValue {
        .object([("seq", .integer(recorded.seq)), ("v", .integer(recorded.version)), ("recorded_at", .string(recorded.recordedAt.utcDescription)),
                 ("hash", .string(Hex.encode(recorded.hash))), ("event", recorded.inputObject(reveal: reveal))])
    }

    /// `obligations --json`.
    package static func obligations(asOf: Instant, profile: String, calendar: String,
                                    found: [(Obligation, ObligationStatus)], flags: [String: Int64]) -> JSONValue {
        .object([("as_of", .string(asOf.description)), ("profile", .string(profile)), ("calendar", .string(calendar)),
                 ("obligations", .array(found.map { $0.0.json(status: $0.1, asOf: asOf, flaggedSeq: flags[$0.0.id]) }))])
    }
}

extension Obligation {
    /// One obligation of `obligations --json`; `met_at` is hidden when it lies after `asOf`.
    package func json(status: ObligationStatus, asOf: Instant, flaggedSeq: Int64?) -> JSONValue {
        .object([
            ("id", .string(id)), ("rule", .string(rule)), ("entry", .string(entry)), ("obligor", .string(obligor)),
            ("trigger_at", .string(triggerAt.description)), ("trigger_seq", .integer(triggerSeq)),
            ("due", due.map { .string($0.description) } ?? .null), ("status", .string(status.rawValue)),
            ("met_at", (metAt.flatMap { $0.epochMilliseconds <= asOf.epochMilliseconds ? $0 : nil }).map { .string($0.description) } ?? .null),
            ("duty", .string(duty)), ("clause", .string(clause)), ("calendar", .string(calendarVersion)),
            ("days_late", daysLate(asOf: asOf).map { .integer(Int64($0)) } ?? .null),
            ("due_problem", dueProblem.map(JSONValue.string) ?? .null),
            ("flagged_seq", flaggedSeq.map(JSONValue.integer) ?? .null),
        ])
    }
}

/// A document whose one array member is too long to hold (`state --json`, `obligations
/// --json` of a whole ledger), written as `LedgerJSON.encode` writes it with the elements given
/// one at a time: the document is encoded once with that array empty and split there, so the
/// bytes are `encode`'s by construction (keys sorted, compact).
///
/// `@unchecked Sendable`: a streamed read calls back on its engine's thread, one element at a
/// time; a writer is used by one caller at a time, never concurrently.
package final class JSONArrayWriter: @unchecked Sendable {
    private let suffix: [UInt8]
    private let write: ([UInt8]) -> Void
    private var first = true

    /// Writes the document up to its array `key`'s first element: `document` holds that
    /// array empty.
    package init(document: JSONValue, array key: String, write: @escaping ([UInt8]) -> Void) {
        let bytes = LedgerJSON.encode(document)
        // `"key":[]` can only be the member: inside a JSON string every `"` is escaped.
        let marker = LedgerJSON.encode(.string(key)) + Array(":[]".utf8)
        guard let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) }) else {
            preconditionFailure("the document has no empty array \(key)")
        }
        let split = start + marker.count - 1
        suffix = Array(bytes[split...])
        self.write = write
        write(Array(bytes[..<split]))
    }

    /// Writes one element of the array.
    package func append(_ element: JSONValue) {
        write((first ? [] : [UInt8(ascii: ",")]) + LedgerJSON.encode(element))
        first = false
    }

    /// Writes the rest of the document.
    package func finish() { write(suffix) }
}
