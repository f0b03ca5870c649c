import LedgerCalendar
import LedgerCrypto

extension EntryState {
    /// The digest kept of a debtor's id_number (see `debtorDigest`).
    package static func digest(of debtor: Debtor) -> String { Hex.encode(SHA256.hash(Array(debtor.idNumber.utf8))) }

    /// The state after `event` (already checked by `LedgerRules`), starting from `state`.
    package static func applying(_ event: Event, seq: Int64, to state: EntryState?) -> EntryState? {
        guard let entry = event.entry else { return state }
        var next: EntryState
        if let state {
            next = state
        } else {
            switch event.body {
            case let .riskNoticeIssued(court, caseNumber, debtor), let .inclusionDecided(court, caseNumber, debtor, _, _, _):
                next = EntryState(entry: entry, court: court, caseNumber: caseNumber, debtor: debtor.name, status: .noticed)
            default:
                return nil
            }
        }
        next.lastSeq = seq
        let at = event.at.epochMilliseconds
        switch event.body {
        case .riskNoticeIssued(_, _, let debtor):
            next.noticed = true
            if next.debtorDigest == nil { next.debtorDigest = digest(of: debtor) }
        case let .inclusionDecided(_, caseNumber, debtor, grounds, isPublic, termMonths):
            next.included = true
            next.isPublic = isPublic
            next.caseNumber = caseNumber
            next.debtor = debtor.name
            if next.debtorDigest == nil { next.debtorDigest = digest(of: debtor) }
            // SPC art. 2: grounds 2–6 carry a term of two years unless the decision sets one.
            if grounds.contains(where: Ground.withTerm.contains) { next.termMonths = termMonths ?? 24 }
            next.marks["included"] = at
            if !next.exited { next.status = .listed }
        case .decisionServed: next.served = true
        case .entryPublished: next.published = true
        case .employerNotified(let unit):
            if !next.employers.contains(unit) { next.employers.append(unit) }
            next.marks["push:" + unit] = next.marks["push:" + unit] ?? at
        case .pushedToUnit(let unit):
            if !next.units.contains(unit) { next.units.append(unit) }
            next.marks["push:" + unit] = next.marks["push:" + unit] ?? at
        case let .measureApplied(unit, measure):
            next.marks["measure:\(unit):\(measure)"] = at
            next.measures.removeAll { $0.unit == unit && $0.measure == measure }
            next.measures.append(Measure(unit: unit, measure: measure, status: "applied", until: nil))
        case .repostRegistered(let unit):
            next.reposts.removeAll { $0.unit == unit }
            next.reposts.append(Repost(unit: unit, deleted: false))
        case .correctionRequested(_, let ground, _):
            next.correctionPending = true
            next.correctionGround = ground ?? .shouldNotBeListed
            next.marks["correction_requested"] = at
            next.status = .correctionPending
        case .correctionDecided(let outcome):
            next.correctionPending = false
            next.lastCorrectionOutcome = outcome
            next.rejectionServed = false
            next.marks["correction_decided"] = at
            next.status = .listed
        case .rejectionServed:
            next.rejectionServed = true
        case .personalDataErased:
            next.personalDataErased = true
        case let .entryCorrected(corrections, _):
            // SPC art. 9 ¶2 更正: the projection shows the corrected values.
            for correction in corrections {
                switch correction.field {
                case "case": next.caseNumber = correction.value
                case "debtor.name": next.debtor = correction.value
                case "debtor.id_number": next.debtorDigest = Hex.encode(SHA256.hash(Array(correction.value.utf8)))
                default: break
                }
            }
        case .termExtended(let months, _):
            next.termMonths = (next.termMonths ?? 24) + months
        case .reconsiderationRequested(let court, _):
            next.reconsiderationPending = true
            next.reconsiderationCourt = court
            next.marks["reconsideration_requested"] = at
            next.status = .correctionPending
        case .reconsiderationDecided(let outcome):
            next.reconsiderationPending = false
            next.lastCorrectionOutcome = outcome
            next.status = .listed
        case .obligationDischarged(let basis): next.discharge = basis.rawValue
        case .entryShielded:
            if !next.exited { next.marks["exited"] = at }
            next.status = .shielded
            next.correctionPending = false
            next.reconsiderationPending = false
        case .entryRevoked:
            if !next.exited { next.marks["exited"] = at }
            next.status = .revoked
            next.correctionPending = false
            next.reconsiderationPending = false
        case .exitPublished: next.exitPublished = true
        case .unitNotifiedOfExit(let unit):
            if !next.notifiedOfExit.contains(unit) { next.notifiedOfExit.append(unit) }
            next.marks["exit_notice:" + unit] = next.marks["exit_notice:" + unit] ?? at
        case let .unitAcknowledged(unit, act):
            // Remembered for the unit's to-do and for measuring its response; it opens and
            // closes no obligation (SPEC §3: "its response is measured, not its duty").
            let key = EntryState.acknowledgementKey(act, unit: unit)
            if !next.acknowledged.contains(key) { next.acknowledged.append(key) }
        case let .measureLifted(unit, measure):
            if let i = next.measures.firstIndex(where: { $0.unit == unit && $0.measure == measure }) {
                next.measures[i].status = "lifted"
                next.measures[i].until = nil
            }
        case let .measureRetained(unit, measure, _, until):
            if let i = next.measures.firstIndex(where: { $0.unit == unit && $0.measure == measure }) {
                next.measures[i].status = "retained"
                next.measures[i].until = until.description
            }
        case .repostDeleted(let unit):
            if let i = next.reposts.firstIndex(where: { $0.unit == unit }) { next.reposts[i].deleted = true }
        case .complaintReceived, .complaintResolved, .breachFlagged, .recordAnnulled:
            break
        }
        return next
    }
}
