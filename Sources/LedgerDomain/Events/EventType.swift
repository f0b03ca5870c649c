/// The event vocabulary of SPEC §3.
package enum EventType: String, CaseIterable, Sendable {
    case riskNoticeIssued = "risk_notice_issued"
    case inclusionDecided = "inclusion_decided"
    case decisionServed = "decision_served"
    case entryPublished = "entry_published"
    case employerNotified = "employer_notified"
    case pushedToUnit = "pushed_to_unit"
    case measureApplied = "measure_applied"
    case repostRegistered = "repost_registered"
    case correctionRequested = "correction_requested"
    case correctionDecided = "correction_decided"
    case reconsiderationRequested = "reconsideration_requested"
    case reconsiderationDecided = "reconsideration_decided"
    case obligationDischarged = "obligation_discharged"
    case entryShielded = "entry_shielded"
    case entryRevoked = "entry_revoked"
    case exitPublished = "exit_published"
    case unitNotifiedOfExit = "unit_notified_of_exit"
    case measureLifted = "measure_lifted"
    case measureRetained = "measure_retained"
    case repostDeleted = "repost_deleted"
    case complaintReceived = "complaint_received"
    case complaintResolved = "complaint_resolved"
    case breachFlagged = "breach_flagged"

    /// The type's own fields, required ones first, as `record --help` and error messages list them.
    package var fields: [FieldSpec] {
        switch self {
        case .riskNoticeIssued: [.court, .caseNumber, .debtor]
        case .inclusionDecided: [.court, .caseNumber, .debtor, .grounds, .isPublic, .termMonths]
        case .decisionServed, .exitPublished: []
        case .entryPublished: [.channels]
        case .employerNotified, .pushedToUnit, .repostRegistered, .unitNotifiedOfExit, .repostDeleted: [.unit]
        case .measureApplied, .measureLifted: [.unit, .measure]
        case .measureRetained: [.unit, .measure, .legalBasis, .until]
        case .correctionRequested: [.optionalReason]
        case .correctionDecided, .reconsiderationDecided: [.outcome]
        case .reconsiderationRequested: [.court]
        case .obligationDischarged: [.basis]
        case .entryShielded: [.optionalReason]
        case .entryRevoked: [.revocationReason]
        case .complaintReceived: [.complaint]
        case .complaintResolved: [.complaint, .finding]
        case .breachFlagged: [.obligation]
        }
    }

    /// Complaints may stand alone; every other event belongs to an entry.
    package var entryIsOptional: Bool { self == .complaintReceived || self == .complaintResolved }
    /// The types that may open a new entry.
    package var beginsEntry: Bool { self == .riskNoticeIssued || self == .inclusionDecided }

    package static let allNames = allCases.map(\.rawValue).joined(separator: ", ")
}

/// One field of an event type: its JSON name, whether it is required and what it accepts.
package struct FieldSpec: Sendable, Equatable {
    package let name: String
    package let required: Bool
    package let accepts: String

    static let court = FieldSpec(name: "court", required: true, accepts: "a court, court:CODE")
    static let caseNumber = FieldSpec(name: "case", required: true, accepts: "the case number, e.g. (2021)琼9030执1号")
    static let debtor = FieldSpec(name: "debtor", required: true,
                                  accepts: #"{"kind": "person"|"organization", "name", "id_number", "legal_representative" (organizations)}"#)
    static let grounds = FieldSpec(name: "grounds", required: true, accepts: "a non-empty list of: " + Ground.allCases.map(\.rawValue).joined(separator: ", "))
    static let isPublic = FieldSpec(name: "public", required: true, accepts: "true or false")
    static let termMonths = FieldSpec(name: "term_months", required: false, accepts: "a whole number of months, 1 to 60")
    static let channels = FieldSpec(name: "channels", required: false, accepts: "a list of channel names")
    static let unit = FieldSpec(name: "unit", required: true, accepts: "a unit, unit:CODE")
    static let measure = FieldSpec(name: "measure", required: true, accepts: "the measure's name, e.g. credit_restriction")
    static let legalBasis = FieldSpec(name: "legal_basis", required: true, accepts: "the law or clause that allows keeping the measure")
    static let until = FieldSpec(name: "until", required: true, accepts: "a date YYYY-MM-DD")
    static let optionalReason = FieldSpec(name: "reason", required: false, accepts: "free text")
    static let outcome = FieldSpec(name: "outcome", required: true, accepts: "upheld or rejected")
    static let basis = FieldSpec(name: "basis", required: true, accepts: DischargeBasis.allCases.map(\.rawValue).joined(separator: ", "))
    static let revocationReason = FieldSpec(name: "reason", required: true, accepts: RevocationReason.allCases.map(\.rawValue).joined(separator: ", "))
    static let complaint = FieldSpec(name: "complaint", required: true, accepts: "the complaint's id")
    static let finding = FieldSpec(name: "finding", required: true, accepts: "what the investigation found")
    static let obligation = FieldSpec(name: "obligation", required: true, accepts: "an obligation id, ENTRY/RULE/SEQ…")
}

package enum Ground: String, CaseIterable, Sendable {
    case ableButRefuses = "able_but_refuses"
    case obstruction
    case evasion
    case falsePropertyReport = "false_property_report"
    case consumptionOrderBreach = "consumption_order_breach"
    case settlementBreach = "settlement_breach"
}

package enum Outcome: String, CaseIterable, Sendable, Codable { case upheld, rejected }

package enum DischargeBasis: String, CaseIterable, Sendable {
    case fullPerformance = "full_performance"
    case settlementPerformed = "settlement_performed"
    case executionTerminated = "execution_terminated"
}

package enum RevocationReason: String, CaseIterable, Sendable {
    case correction, reconsideration, discharge, error
}

package enum DebtorKind: String, CaseIterable, Sendable { case person, organization }

/// The debtor named by a notice or an inclusion decision.
package struct Debtor: Sendable, Equatable {
    package var kind: DebtorKind
    package var name: String
    package var idNumber: String
    package var legalRepresentative: String?
}
