package import LedgerCalendar

/// One legal fact as a user states it: the common envelope fields and the type's own fields.
package struct Event: Sendable, Equatable {
    package var entry: String?
    package var at: Instant
    package var actor: String
    package var id: String?
    package var body: EventBody

    package var type: EventType { body.type }

    package init(entry: String?, at: Instant, actor: String, id: String? = nil, body: EventBody) {
        self.entry = entry
        self.at = at
        self.actor = actor
        self.id = id
        self.body = body
    }
}

/// The type-specific content of an event, typed per SPEC §3.
package enum EventBody: Sendable, Equatable {
    case riskNoticeIssued(court: String, caseNumber: String, debtor: Debtor)
    case inclusionDecided(court: String, caseNumber: String, debtor: Debtor, grounds: [Ground], isPublic: Bool, termMonths: Int?)
    case decisionServed(method: ServiceMethod?)
    case entryPublished(channels: [String]?)
    case employerNotified(unit: String)
    case pushedToUnit(unit: String)
    case measureApplied(unit: String, measure: String)
    case repostRegistered(unit: String)
    case correctionRequested(reason: String?, ground: CorrectionGround?, postedOn: BeijingDay?)
    case correctionDecided(outcome: Outcome)
    case rejectionServed(method: ServiceMethod?)
    case entryCorrected(corrections: [Correction], reason: String)
    case reconsiderationRequested(court: String, postedOn: BeijingDay?)
    case reconsiderationDecided(outcome: Outcome)
    case obligationDischarged(basis: DischargeBasis)
    case termExtended(months: Int, reason: String)
    case entryShielded(reason: String?)
    case entryRevoked(reason: RevocationReason)
    case exitPublished
    case unitNotifiedOfExit(unit: String)
    case unitAcknowledged(unit: String, of: AcknowledgedAct)
    case measureLifted(unit: String, measure: String)
    case measureRetained(unit: String, measure: String, legalBasis: String, until: BeijingDay)
    case repostDeleted(unit: String)
    case complaintReceived(complaint: String, concerns: String?)
    case complaintResolved(complaint: String, finding: String, complainantTold: BeijingDay?)
    case breachFlagged(obligation: String)
    case recordAnnulled(annuls: Int64, reason: String)
    /// SPEC §7: the entry's personal values and salts were deleted from the store.
    case personalDataErased(reason: String)

    package var type: EventType {
        switch self {
        case .riskNoticeIssued: .riskNoticeIssued
        case .inclusionDecided: .inclusionDecided
        case .decisionServed: .decisionServed
        case .entryPublished: .entryPublished
        case .employerNotified: .employerNotified
        case .pushedToUnit: .pushedToUnit
        case .measureApplied: .measureApplied
        case .repostRegistered: .repostRegistered
        case .correctionRequested: .correctionRequested
        case .correctionDecided: .correctionDecided
        case .rejectionServed: .rejectionServed
        case .entryCorrected: .entryCorrected
        case .reconsiderationRequested: .reconsiderationRequested
        case .reconsiderationDecided: .reconsiderationDecided
        case .obligationDischarged: .obligationDischarged
        case .termExtended: .termExtended
        case .entryShielded: .entryShielded
        case .entryRevoked: .entryRevoked
        case .exitPublished: .exitPublished
        case .unitNotifiedOfExit: .unitNotifiedOfExit
        case .unitAcknowledged: .unitAcknowledged
        case .measureLifted: .measureLifted
        case .measureRetained: .measureRetained
        case .repostDeleted: .repostDeleted
        case .complaintReceived: .complaintReceived
        case .complaintResolved: .complaintResolved
        case .breachFlagged: .breachFlagged
        case .recordAnnulled: .recordAnnulled
        case .personalDataErased: .personalDataErased
        }
    }

    /// The unit a unit-scoped event names, if any.
    package var unit: String? {
        switch self {
        case .employerNotified(let unit), .pushedToUnit(let unit), .repostRegistered(let unit),
             .unitNotifiedOfExit(let unit), .repostDeleted(let unit), .unitAcknowledged(let unit, _),
             .measureApplied(let unit, _), .measureLifted(let unit, _), .measureRetained(let unit, _, _, _):
            unit
        default: nil
        }
    }
}
