import LedgerCalendar
/// What the ledger knows besides the entry itself when it judges an event.
package struct RuleContext: Sendable {
    /// The ledger's clock: `at` may not lie beyond it (plus the allowed skew).
    package var now: Instant
    /// The complaint named by a complaint event: nil when unknown, else whether it is resolved.
    package var complaintResolved: Bool?
    /// Whether the obligation named by `breach_flagged` has been flagged before.
    package var obligationAlreadyFlagged = false
    /// Whether the entry named by a complaint exists.
    package var complaintEntryExists = true
    /// The status at `at` of the obligation named by `breach_flagged`, derived from the facts
    /// effective then; nil when there is no such obligation.
    package var flaggedObligationStatus: ObligationStatus?

    package init(now: Instant, complaintResolved: Bool? = nil, obligationAlreadyFlagged: Bool = false, complaintEntryExists: Bool = true) {
        self.now = now
        self.complaintResolved = complaintResolved
        self.obligationAlreadyFlagged = obligationAlreadyFlagged
        self.complaintEntryExists = complaintEntryExists
    }
}

/// The refusal rules of SPEC §3 and docs/design.md: what cannot be a fact.
package enum LedgerRules {
    /// Clerks' clocks drift: an `at` up to this far ahead of the ledger's clock is accepted.
    package static let allowedClockSkewMilliseconds: Int64 = 5 * 60_000

    /// Throws when `event` cannot be a fact, given the entry's state before it (nil: unknown entry).
    package static func check(_ event: Event, entry state: EntryState?, context: RuleContext) throws(InputError) {
        if event.at.epochMilliseconds > context.now.epochMilliseconds + allowedClockSkewMilliseconds {
            throw InputError(field: "at", "\(event.at) is in the future (the ledger's clock reads \(context.now.utcDescription)); record facts once they have happened",
                             refusal: .inFuture)
        }
        let actorKind = Party.kind(of: event.actor) ?? ""
        switch event.body {
        case .complaintReceived, .complaintResolved:
            guard actorKind == "court" || actorKind == "unit" else {
                throw InputError(field: "actor", "complaints are recorded by a court or a unit, not \(event.actor)")
            }
            if event.entry != nil && !context.complaintEntryExists {
                throw InputError(field: "entry", "entry \"\(event.entry!)\" does not exist")
            }
            if case .complaintReceived(let complaint, _) = event.body, context.complaintResolved != nil {
                throw InputError(field: "complaint", "complaint \"\(complaint)\" was already received")
            }
            if case .complaintResolved(let complaint, _, _) = event.body {
                guard let resolved = context.complaintResolved else {
                    throw InputError(field: "complaint", "complaint \"\(complaint)\" was never received")
                }
                if resolved { throw InputError(field: "complaint", "complaint \"\(complaint)\" is already resolved") }
            }
            return
        case .breachFlagged(let obligation):
            guard actorKind == "system" else {
                throw InputError(field: "actor", "breach_flagged is written by the alert runner (system:CODE), not \(event.actor)")
            }
            guard state != nil else { throw InputError(field: "entry", "entry \"\(event.entry ?? "")\" does not exist") }
            guard obligation.hasPrefix((event.entry ?? "") + "/R") else {
                throw InputError(field: "obligation", "\"\(obligation)\" is not an obligation of entry \"\(event.entry ?? "")\"")
            }
            if context.obligationAlreadyFlagged {
                throw InputError(field: "obligation", "\"\(obligation)\" was already flagged")
            }
            guard let status = context.flaggedObligationStatus else {
                throw InputError(field: "obligation", "\"\(obligation)\" is not an obligation of entry \"\(event.entry ?? "")\" (list the entry's obligations to see which exist)")
            }
            guard status == .breached else {
                throw InputError(field: "obligation", "\"\(obligation)\" is \(status.rawValue) at \(event.at), not breached; only a breach is flagged")
            }
            return
        default:
            break
        }

        let entryName = event.entry ?? ""
        guard let state else {
            switch event.body {
            case .riskNoticeIssued(let court, _, _), .inclusionDecided(let court, _, _, _, _, _):
                guard event.actor == court else {
                    throw InputError(field: "actor", "the deciding court records its own entries: actor is \(event.actor) but court is \(court)")
                }
                return
            default:
                throw InputError(field: "entry", "entry \"\(entryName)\" does not exist; an entry begins with risk_notice_issued or inclusion_decided")
            }
        }
        try checkActor(event, state: state, actorKind: actorKind)
        try checkTransition(event, state: state)
    }

    private static func checkActor(_ event: Event, state: EntryState, actorKind: String) throws(InputError) {
        switch event.body {
        case .recordAnnulled:
            break  // the annulled event's actor or the entry's court: Annulment.check, which sees the history
        case .reconsiderationDecided:
            guard let court = state.reconsiderationCourt, event.actor == court else {
                throw InputError(field: "actor", "only the higher court named in the reconsideration request (\(state.reconsiderationCourt ?? "none yet")) decides it, not \(event.actor)")
            }
        case .measureApplied(let unit, _), .measureLifted(let unit, _), .measureRetained(let unit, _, _, _),
             .repostRegistered(let unit), .repostDeleted(let unit):
            guard actorKind == "unit" else {
                throw InputError(field: "actor", "\(event.type.rawValue) is recorded by the unit itself, not \(event.actor)")
            }
            guard unit == event.actor else {
                throw InputError(field: "unit", "a unit records only its own measures and reposts: unit is \(unit) but actor is \(event.actor)")
            }
        case .unitAcknowledged(let unit, _):
            // SPEC §3: `unit:X` records unit_acknowledged for itself only. The messages keep the
            // field and prefix that `EventInput.isNotYourAct` reads as a 403.
            guard actorKind == "unit" else {
                throw InputError(field: "actor", "unit_acknowledged is recorded by the unit itself, not \(event.actor)")
            }
            guard unit == event.actor else {
                throw InputError(field: "unit", "a unit records only its own acknowledgements: unit is \(unit) but actor is \(event.actor)")
            }
        default:
            guard event.actor == state.court else {
                throw InputError(field: "actor", "\(event.type.rawValue) is an act of the entry's court \(state.court), not \(event.actor)")
            }
        }
    }

    private static func checkTransition(_ event: Event, state: EntryState) throws(InputError) {
        func refuse(_ problem: String, field: String? = nil) -> InputError {
            InputError(field: field ?? "entry", "entry \"\(state.entry)\" \(problem)")
        }
        func requireIncluded() throws(InputError) {
            guard state.included else { throw refuse("has no inclusion decision yet (it is \(state.status.rawValue))") }
        }
        func requireNotExited() throws(InputError) {
            guard !state.exited else { throw refuse("is already \(state.status.rawValue)") }
        }
        func requireExited() throws(InputError) {
            guard state.exited else { throw refuse("is not shielded or revoked (it is \(state.status.rawValue))") }
        }
        /// SPEC §3: an act dated before the act it answers cannot be a fact.
        func requireAfter(_ answered: AnsweredAct) throws(InputError) {
            guard let then = state.marks[answered.mark], event.at.epochMilliseconds < then else { return }
            let answeredAt = Instant(epochMilliseconds: then, offsetMinutes: Instant.beijingOffsetMinutes)
            throw InputError(field: "at", "\(event.at) is before the \(answered.englishName) it answers (\(answeredAt)); an act cannot precede the act it answers",
                             refusal: .precedesAnswered(answered, answeredAt: answeredAt))
        }
        switch event.body {
        case .riskNoticeIssued(let court, _, _):
            // A notice recorded late (the entry was opened by its inclusion) is still a fact;
            // a second notice is not.
            guard !state.noticed else { throw refuse("already has a risk notice") }
            guard court == state.court else { throw refuse("belongs to \(state.court), not \(court)", field: "court") }
        case let .inclusionDecided(court, caseNumber, debtor, _, _, _):
            guard !state.included else { throw refuse("already has an inclusion decision") }
            guard court == state.court else { throw refuse("belongs to \(state.court), not \(court)", field: "court") }
            // The inclusion answers the risk notice: it must name the same case and debtor.
            if state.noticed {
                guard caseNumber == state.caseNumber else {
                    throw refuse("has a risk notice for case \(state.caseNumber), not \(caseNumber); an inclusion names the case of its notice", field: "case")
                }
                guard EntryState.digest(of: debtor) == state.debtorDigest else {
                    throw refuse("has a risk notice naming another debtor (id_number differs); an inclusion names the debtor of its notice", field: "debtor.id_number")
                }
            }
        case .decisionServed, .entryPublished, .pushedToUnit, .repostRegistered, .obligationDischarged, .employerNotified:
            try requireIncluded(); try requireNotExited()
            try requireAfter(.inclusion)
        case .termExtended(let months, _):
            try requireIncluded(); try requireNotExited()
            try requireAfter(.inclusion)
            guard let term = state.termMonths else {
                throw refuse("has no inclusion term to extend (SPC art. 2: only grounds 2–6 carry one)", field: "months")
            }
            guard term + months <= 60 else {
                throw InputError(field: "months", "\(months) months would make the term \(term + months) months; SPC art. 2 allows at most 60 in all (\(60 - term) more)",
                                 refusal: .termTooLong(months: months, total: term + months, remaining: 60 - term))
            }
        case .entryCorrected(let corrections, _):
            try requireIncluded()
            try requireAfter(.inclusion)
            if state.personalDataErased, let field = corrections.first(where: { $0.field.hasPrefix("debtor.") })?.field {
                throw refuse("had its personal data erased; a correction of \(field) would store it again", field: "corrections")
            }
        case .personalDataErased:
            try checkErasure(event, state: state)
        case .rejectionServed:
            guard state.lastCorrectionOutcome == .rejected, !state.correctionPending, !state.reconsiderationPending else {
                throw refuse("has no rejected correction whose rejection could be served")
            }
            guard !state.rejectionServed else { throw refuse("already has the rejection served") }
            try requireAfter(.rejection)
        case .measureApplied(let unit, let measure):
            try requireIncluded(); try requireNotExited()
            guard state.holders.contains(unit) else { throw refuse("was never pushed to \(unit)", field: "unit") }
            try requireAfter(.push(unit: unit))
            if state.measures.contains(where: { $0.unit == unit && $0.measure == measure && $0.status != "lifted" }) {
                throw refuse("already has \(measure) applied by \(unit)", field: "measure")
            }
        case .correctionRequested:
            try requireIncluded(); try requireNotExited()
            guard !state.correctionPending && !state.reconsiderationPending else { throw refuse("has a correction or reconsideration pending") }
            try requireAfter(.inclusion)
        case .correctionDecided:
            guard state.correctionPending else { throw refuse("has no pending correction request") }
            try requireAfter(.correctionRequest)
        case .reconsiderationRequested(let court, _):
            guard state.lastCorrectionOutcome == .rejected, !state.correctionPending, !state.reconsiderationPending else {
                throw refuse("has no rejected correction to reconsider")
            }
            guard court != state.court else { throw refuse("reconsideration goes to the next-higher court, not \(court) itself", field: "court") }
            try requireNotExited()
            try requireAfter(.rejection)
        case .reconsiderationDecided:
            guard state.reconsiderationPending else { throw refuse("has no pending reconsideration") }
            try requireAfter(.reconsiderationRequest)
        case .entryShielded:
            try requireIncluded()
            guard !state.exited else { throw refuse("is already \(state.status.rawValue)") }
            try requireAfter(.inclusion)
        case .entryRevoked:
            try requireIncluded()
            guard state.status != .revoked else { throw refuse("is already revoked") }
            try requireAfter(.inclusion)
        case .exitPublished:
            try requireExited()
            try requireAfter(.exit)
        case .unitNotifiedOfExit(let unit):
            try requireExited()
            guard state.holders.contains(unit) else { throw refuse("was never pushed to \(unit)", field: "unit") }
            try requireAfter(.exit)
        case .measureLifted(let unit, let measure), .measureRetained(let unit, let measure, _, _):
            guard state.measures.contains(where: { $0.unit == unit && $0.measure == measure && $0.status != "lifted" }) else {
                throw refuse("has no \(measure) applied by \(unit) that is still in force", field: "measure")
            }
            try requireAfter(.measure(unit: unit, measure: measure))
            if case .measureRetained(_, _, _, let until) = event.body {
                try requireExited()
                let day = event.at.beijingDay
                guard until >= day else {
                    throw InputError(field: "until", "\(until) is before the day of the retention (\(day))", refusal: .retentionEndsBeforeIt(until: until, day: day))
                }
            }
        case .unitAcknowledged(let unit, .push):
            // Only a unit the entry was pushed to holds it (an employer notice is not a push).
            guard state.units.contains(unit) else { throw refuse("was never pushed to \(unit)", field: "unit") }
            try requireAfter(.push(unit: unit))
        case .unitAcknowledged(let unit, .exitNotice):
            guard state.notifiedOfExit.contains(unit) else { throw refuse("never had \(unit) notified of its exit", field: "unit") }
            try requireAfter(.exitNotice(unit: unit))
        case .repostDeleted(let unit):
            guard state.reposts.contains(where: { $0.unit == unit && !$0.deleted }) else {
                throw refuse("has no repost by \(unit) still up", field: "unit")
            }
        case .complaintReceived, .complaintResolved, .breachFlagged, .recordAnnulled:
            break
        }
    }

    /// SPEC §7: personal data is erased once the entry is shielded or revoked, or its
    /// inclusion term (SPC art. 2) has ended; once.
    private static func checkErasure(_ event: Event, state: EntryState) throws(InputError) {
        guard !state.personalDataErased else {
            throw InputError(field: "entry", "entry \"\(state.entry)\" already had its personal data erased")
        }
        var termEnded = false
        if let term = state.termMonths, let included = state.marks["included"] {
            let end = Instant(epochMilliseconds: included, offsetMinutes: Instant.beijingOffsetMinutes).beijingDay.addingMonths(term)
            termEnded = event.at.beijingDay > end
        }
        guard state.exited || termEnded else {
            throw InputError(field: "entry", "entry \"\(state.entry)\" is \(state.status.rawValue): personal data is erased only once the entry is shielded or revoked or its inclusion term has ended (SPEC §7)")
        }
        if state.exited, let exited = state.marks["exited"], event.at.epochMilliseconds < exited {
            throw InputError(field: "at", "\(event.at) is before the entry's exit; an erasure follows the exit it answers")
        }
    }
}
