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
    case rejectionServed = "rejection_served"
    case entryCorrected = "entry_corrected"
    case reconsiderationRequested = "reconsideration_requested"
    case reconsiderationDecided = "reconsideration_decided"
    case obligationDischarged = "obligation_discharged"
    case termExtended = "term_extended"
    case entryShielded = "entry_shielded"
    case entryRevoked = "entry_revoked"
    case exitPublished = "exit_published"
    case unitNotifiedOfExit = "unit_notified_of_exit"
    case unitAcknowledged = "unit_acknowledged"
    case measureLifted = "measure_lifted"
    case measureRetained = "measure_retained"
    case repostDeleted = "repost_deleted"
    case complaintReceived = "complaint_received"
    case complaintResolved = "complaint_resolved"
    case breachFlagged = "breach_flagged"
    case recordAnnulled = "record_annulled"
    case personalDataErased = "personal_data_erased"

    /// The type's own fields, required ones first, as `record --help` and error messages list them.
    package var fields: [FieldSpec] {
        switch self {
        case .riskNoticeIssued: [.court, .caseNumber, .debtor]
        case .inclusionDecided: [.court, .caseNumber, .debtor, .grounds, .isPublic, .termMonths]
        case .exitPublished: []
        case .decisionServed, .rejectionServed: [.method]
        case .entryPublished: [.channels]
        case .employerNotified, .pushedToUnit, .repostRegistered, .unitNotifiedOfExit, .repostDeleted: [.unit]
        case .measureApplied, .measureLifted: [.unit, .measure]
        case .unitAcknowledged: [.unit, .acknowledgedAct]
        case .measureRetained: [.unit, .measure, .legalBasis, .until]
        case .correctionRequested: [.optionalReason, .ground, .postedOn]
        case .correctionDecided, .reconsiderationDecided: [.outcome]
        case .entryCorrected: [.corrections, .correctionReason]
        case .reconsiderationRequested: [.court, .postedOn]
        case .obligationDischarged: [.basis]
        case .termExtended: [.months, .extensionReason]
        case .entryShielded: [.optionalReason]
        case .entryRevoked: [.revocationReason]
        case .complaintReceived: [.complaint, .concerns]
        case .complaintResolved: [.complaint, .finding, .complainantTold]
        case .breachFlagged: [.obligation]
        case .recordAnnulled: [.annuls, .annulmentReason]
        case .personalDataErased: [.erasureReason]
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
    static let termMonths = FieldSpec(name: "term_months", required: false,
                                      accepts: "a whole number of months, 24 to 60, only when the grounds include one of " + Ground.withTerm.map(\.rawValue).joined(separator: ", "))
    static let method = FieldSpec(name: "method", required: false, accepts: ServiceMethod.allCases.map(\.rawValue).joined(separator: ", ") + " (default in_person)")
    static let ground = FieldSpec(name: "ground", required: false, accepts: CorrectionGround.allCases.map(\.rawValue).joined(separator: ", ") + " (default should_not_be_listed)")
    static let postedOn = FieldSpec(name: "posted_on", required: false, accepts: "the date YYYY-MM-DD the application was posted (交邮)")
    static let corrections = FieldSpec(name: "corrections", required: true,
                                       accepts: "an object of " + Correction.fields.joined(separator: ", ") + " → the corrected value")
    static let correctionReason = FieldSpec(name: "reason", required: true, accepts: "why the information was inaccurate")
    static let months = FieldSpec(name: "months", required: true, accepts: "a whole number of months, 12 to 36")
    static let extensionReason = FieldSpec(name: "reason", required: true, accepts: "why the term is extended (SPC art. 2)")
    static let concerns = FieldSpec(name: "concerns", required: false, accepts: "the court or unit complained of, court:CODE or unit:CODE")
    static let complainantTold = FieldSpec(name: "complainant_told", required: false, accepts: "the date YYYY-MM-DD the complainant was told the result")
    static let annuls = FieldSpec(name: "annuls", required: true, accepts: "the seq of an earlier event of the same entry")
    static let erasureReason = FieldSpec(name: "reason", required: true, accepts: "why the personal data is erased (e.g. PIPL art. 47: purpose served)")
    static let annulmentReason = FieldSpec(name: "reason", required: true, accepts: "the clerical error being undone")
    static let channels = FieldSpec(name: "channels", required: false, accepts: "a list of channel names")
    static let unit = FieldSpec(name: "unit", required: true, accepts: "a unit, unit:CODE")
    static let acknowledgedAct = FieldSpec(name: "of", required: true, accepts: AcknowledgedAct.allCases.map(\.rawValue).joined(separator: " or "))
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

    /// SPC art. 2: grounds 2–6 of art. 1 carry an inclusion term; ground 1 does not.
    package static let withTerm: [Ground] = allCases.filter { $0 != .ableButRefuses }
}

/// How a decision reached the debtor (Civil Procedure Law arts. 85–95).
package enum ServiceMethod: String, CaseIterable, Sendable {
    case inPerson = "in_person"
    case post
    case electronic
    /// 公告送达 (art. 95): deemed served 30 days after the notice (60 before 2022-01-01).
    case publicNotice = "public_notice"
}

/// What a correction application says is wrong (SPC arts. 9, 11, 12).
package enum CorrectionGround: String, CaseIterable, Sendable {
    case shouldNotBeListed = "should_not_be_listed"
    case inaccurate
    case shouldBeDeleted = "should_be_deleted"
}

/// One corrected field of `entry_corrected` (SPC art. 9 ¶2 更正).
package struct Correction: Sendable, Equatable {
    package static let fields = ["case", "debtor.name", "debtor.id_number", "debtor.legal_representative"]
    package var field: String
    package var value: String
    package init(field: String, value: String) {
        self.field = field
        self.value = value
    }
}

package enum Outcome: String, CaseIterable, Sendable, Codable { case upheld, rejected }

/// The seven bases of SPC art. 10 ¶1 for deleting an entry.
package enum DischargeBasis: String, CaseIterable, Sendable {
    case fullPerformance = "full_performance"             // (一) 已履行
    case settlementPerformed = "settlement_performed"     // (二) 执行和解协议已履行完毕
    case creditorRequest = "creditor_request"             // (三) 申请执行人书面申请删除
    case noAssetsFound = "no_assets_found"               // (四) 终本后两次查询无财产
    case executionSuspended = "execution_suspended"       // (五) 中止执行
    case notEnforced = "not_enforced"                     // (六) 不予执行
    case executionTerminated = "execution_terminated"     // (七) 终结执行
}

package enum RevocationReason: String, CaseIterable, Sendable {
    case correction, reconsideration, discharge
    case termEnded = "term_ended"
    case earlyDeletion = "early_deletion"
    case error
}

/// What a unit says it received (`unit_acknowledged`'s `of`): the entry pushed to it, or the
/// notice of its exit. Acknowledging creates no duty; it is what lets a unit's response be measured.
package enum AcknowledgedAct: String, CaseIterable, Sendable {
    case push
    case exitNotice = "exit_notice"
}

package enum DebtorKind: String, CaseIterable, Sendable { case person, organization }

/// The debtor named by a notice or an inclusion decision.
package struct Debtor: Sendable, Equatable {
    package var kind: DebtorKind
    package var name: String
    package var idNumber: String
    package var legalRepresentative: String?
}
