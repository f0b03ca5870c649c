extension EntryState {
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
        switch event.body {
        case .riskNoticeIssued:
            next.noticed = true
        case let .inclusionDecided(_, caseNumber, debtor, _, isPublic, _):
            next.included = true
            next.isPublic = isPublic
            next.caseNumber = caseNumber
            next.debtor = debtor.name
            if !next.exited { next.status = .listed }
        case .decisionServed: next.served = true
        case .entryPublished: next.published = true
        case .employerNotified(let unit): if !next.employers.contains(unit) { next.employers.append(unit) }
        case .pushedToUnit(let unit): if !next.units.contains(unit) { next.units.append(unit) }
        case let .measureApplied(unit, measure):
            next.measures.removeAll { $0.unit == unit && $0.measure == measure }
            next.measures.append(Measure(unit: unit, measure: measure, status: "applied", until: nil))
        case .repostRegistered(let unit):
            next.reposts.removeAll { $0.unit == unit }
            next.reposts.append(Repost(unit: unit, deleted: false))
        case .correctionRequested:
            next.correctionPending = true
            next.status = .correctionPending
        case .correctionDecided(let outcome):
            next.correctionPending = false
            next.lastCorrectionOutcome = outcome
            next.status = .listed
        case .reconsiderationRequested(let court):
            next.reconsiderationPending = true
            next.reconsiderationCourt = court
            next.status = .correctionPending
        case .reconsiderationDecided(let outcome):
            next.reconsiderationPending = false
            next.lastCorrectionOutcome = outcome
            next.status = .listed
        case .obligationDischarged(let basis): next.discharge = basis.rawValue
        case .entryShielded:
            next.status = .shielded
            next.correctionPending = false
            next.reconsiderationPending = false
        case .entryRevoked:
            next.status = .revoked
            next.correctionPending = false
            next.reconsiderationPending = false
        case .exitPublished: next.exitPublished = true
        case .unitNotifiedOfExit(let unit): if !next.notifiedOfExit.contains(unit) { next.notifiedOfExit.append(unit) }
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
        case .complaintReceived, .complaintResolved, .breachFlagged:
            break
        }
        return next
    }
}
