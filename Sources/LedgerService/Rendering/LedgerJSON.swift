import LedgerCrypto
import LedgerDomain
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
    package static func history(entry: String, events: [RecordedEvent]) -> JSONValue {
        .object([("entry", .string(entry)), ("events", .array(events.map { recordedEvent($0) }))])
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
