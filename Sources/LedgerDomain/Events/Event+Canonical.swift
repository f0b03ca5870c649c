import LedgerCalendar
/// The canonical bytes of docs/design.md: what is hashed, signed and proved.
extension Event {
    package static let encodingVersion: Int64 = 1

    /// The stored envelope as a JSON object (before sorting).
    package func canonicalObject(seq: Int64, recordedAt: Instant, version: Int64 = Event.encodingVersion) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("v", .integer(version)),
            ("seq", .integer(seq)),
            ("type", .string(type.rawValue)),
            ("at", .string(at.description)),
            ("recorded_at", .string(recordedAt.utcDescription)),
            ("actor", .string(actor)),
        ]
        if let entry { members.append(("entry", .string(entry))) }
        if let id { members.append(("id", .string(id))) }
        members.append(contentsOf: body.fieldMembers)
        return .object(members)
    }

    package func canonicalBytes(seq: Int64, recordedAt: Instant) -> [UInt8] {
        CanonicalJSON.encode(canonicalObject(seq: seq, recordedAt: recordedAt))
    }

    /// The event as a user would write it (no seq, no recorded_at, no v): for `history` and
    /// for comparing a repeated idempotency key's content.
    package var inputObject: JSONValue {
        var members: [(String, JSONValue)] = [("type", .string(type.rawValue))]
        if let entry { members.append(("entry", .string(entry))) }
        members.append(("at", .string(at.description)))
        members.append(("actor", .string(actor)))
        if let id { members.append(("id", .string(id))) }
        members.append(contentsOf: body.fieldMembers)
        return .object(members)
    }
}

extension EventBody {
    var fieldMembers: [(String, JSONValue)] {
        switch self {
        case let .riskNoticeIssued(court, caseNumber, debtor):
            return [("court", .string(court)), ("case", .string(caseNumber)), ("debtor", debtor.json)]
        case let .inclusionDecided(court, caseNumber, debtor, grounds, isPublic, termMonths):
            var members: [(String, JSONValue)] = [
                ("court", .string(court)), ("case", .string(caseNumber)), ("debtor", debtor.json),
                ("grounds", .array(grounds.map { .string($0.rawValue) })), ("public", .bool(isPublic)),
            ]
            if let termMonths { members.append(("term_months", .integer(Int64(termMonths)))) }
            return members
        case .exitPublished:
            return []
        case .decisionServed(let method), .rejectionServed(let method):
            // Absent (not the default written out) keeps the bytes of events stored before `method` existed.
            return method.map { [("method", .string($0.rawValue))] } ?? []
        case let .entryCorrected(corrections, reason):
            return [("corrections", .object(corrections.map { ($0.field, .string($0.value)) })), ("reason", .string(reason))]
        case let .termExtended(months, reason):
            return [("months", .integer(Int64(months))), ("reason", .string(reason))]
        case .personalDataErased(let reason):
            return [("reason", .string(reason))]
        case let .recordAnnulled(annuls, reason):
            return [("annuls", .integer(annuls)), ("reason", .string(reason))]
        case .entryPublished(let channels):
            return channels.map { [("channels", .array($0.map(JSONValue.string)))] } ?? []
        case .employerNotified(let unit), .pushedToUnit(let unit), .repostRegistered(let unit),
             .unitNotifiedOfExit(let unit), .repostDeleted(let unit):
            return [("unit", .string(unit))]
        case let .unitAcknowledged(unit, act):
            return [("unit", .string(unit)), ("of", .string(act.rawValue))]
        case let .measureApplied(unit, measure), let .measureLifted(unit, measure):
            return [("unit", .string(unit)), ("measure", .string(measure))]
        case let .measureRetained(unit, measure, legalBasis, until):
            return [("unit", .string(unit)), ("measure", .string(measure)), ("legal_basis", .string(legalBasis)),
                    ("until", .string(until.description))]
        case let .correctionRequested(reason, ground, postedOn):
            var members: [(String, JSONValue)] = []
            if let reason { members.append(("reason", .string(reason))) }
            if let ground { members.append(("ground", .string(ground.rawValue))) }
            if let postedOn { members.append(("posted_on", .string(postedOn.description))) }
            return members
        case .entryShielded(let reason):
            return reason.map { [("reason", .string($0))] } ?? []
        case .correctionDecided(let outcome), .reconsiderationDecided(let outcome):
            return [("outcome", .string(outcome.rawValue))]
        case let .reconsiderationRequested(court, postedOn):
            return [("court", .string(court))] + (postedOn.map { [("posted_on", .string($0.description))] } ?? [])
        case .obligationDischarged(let basis):
            return [("basis", .string(basis.rawValue))]
        case .entryRevoked(let reason):
            return [("reason", .string(reason.rawValue))]
        case let .complaintReceived(complaint, concerns):
            return [("complaint", .string(complaint))] + (concerns.map { [("concerns", .string($0))] } ?? [])
        case let .complaintResolved(complaint, finding, told):
            return [("complaint", .string(complaint)), ("finding", .string(finding))]
                + (told.map { [("complainant_told", .string($0.description))] } ?? [])
        case .breachFlagged(let obligation):
            return [("obligation", .string(obligation))]
        }
    }
}

extension Debtor {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("kind", .string(kind.rawValue)), ("name", .string(name)), ("id_number", .string(idNumber))]
        if let legalRepresentative { members.append(("legal_representative", .string(legalRepresentative))) }
        return .object(members)
    }
}
