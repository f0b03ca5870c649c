package import LedgerCalendar

/// Derives every obligation of R1–R7 (docs/design.md) from one entry's events. Pure: the
/// profile and calendar are data, and time enters only through the events' own `at`.
package struct ObligationEngine: Sendable {
    package let profile: PolicyProfile
    package let calendar: OfficialCalendar

    package init(profile: PolicyProfile, calendar: OfficialCalendar) {
        self.profile = profile
        self.calendar = calendar
    }

    /// The obligations of one entry, given all its events in seq order.
    package func obligations(of history: [RecordedEvent]) -> [Obligation] {
        // Annulled events (record_annulled) count as never appended.
        let events = Annulment.effective(history)
        guard let first = events.first, let entry = first.event.entry else { return [] }
        var derivation = Derivation(engine: self, entry: entry, events: events)
        derivation.run()
        return derivation.obligations
    }
}

/// One pass over an entry's events, opening obligations at their triggers.
private struct Derivation {
    let engine: ObligationEngine
    let entry: String
    let events: [RecordedEvent]
    var obligations: [Obligation] = []
    var court = ""

    init(engine: ObligationEngine, entry: String, events: [RecordedEvent]) {
        self.engine = engine
        self.entry = entry
        self.events = events
    }

    mutating func run() {
        var inclusion: RecordedEvent?
        var exit: RecordedEvent?
        var lastCorrectionRequest: RecordedEvent?
        var holders: [String] = []
        var published = false
        var reposts: [String] = []
        var measures: [String: [String]] = [:]  // unit → measures in force
        var notified: Set<String> = []

        for (position, recorded) in events.enumerated() {
            let later = events[(position + 1)...]
            let event = recorded.event
            switch event.body {
            case .riskNoticeIssued(let decidingCourt, _, _):
                if court.isEmpty { court = decidingCourt }
            case .inclusionDecided(let decidingCourt, _, _, _, _, _):
                if court.isEmpty { court = decidingCourt }
                guard inclusion == nil else { break }
                inclusion = recorded
                let noticed = events.contains {
                    if case .riskNoticeIssued = $0.event.body { return $0.event.at.epochMilliseconds <= event.at.epochMilliseconds }
                    return false
                }
                if !noticed {
                    add(rule: "R1", duty: "precondition", obligor: court, trigger: recorded, due: nil, dueProblem: nil,
                        met: nil, clause: "R1: a risk notice (风险提示通知) must precede inclusion")
                }
                openTermEnd(inclusion: recorded, later: later)
            case .decisionServed(let method):
                // spc-2017 has no correction window (SPC art. 11 sets no time limit): the
                // profile leaves the period out and `open` opens nothing.
                open(rule: "R2", duty: "correction_window", obligor: "debtor", trigger: recorded,
                     fromDay: Self.servedDay(recorded.event.at.beijingDay, method: method), later: later) {
                    if case .correctionRequested = $0.body { return true } else { return false }
                }
            case .correctionRequested:
                lastCorrectionRequest = recorded
                open(rule: "R3", duty: "correction_review", obligor: court, trigger: recorded, later: later) {
                    if case .correctionDecided = $0.body { return true } else { return false }
                }
            case .rejectionServed(let method):
                // SPC art. 12: 自决定书送达之日起十日内 — from service of the rejection, not the rejection.
                open(rule: "R2", duty: "reconsideration_window", obligor: "debtor", trigger: recorded,
                     fromDay: Self.servedDay(recorded.event.at.beijingDay, method: method), later: later) {
                    if case .reconsiderationRequested = $0.body { return true } else { return false }
                }
            case .correctionDecided(.rejected):
                break
            case .correctionDecided(.upheld):
                let from = engine.profile.correctAfterUpheld.countedFrom == .request ? (lastCorrectionRequest ?? recorded) : recorded
                let meets = upheldCorrectionMet(request: lastCorrectionRequest)
                open(rule: "R3", duty: "correct_after_upheld", obligor: court, trigger: recorded, countFrom: from, later: later, met: meets)
            case .reconsiderationRequested(let higherCourt, _):
                open(rule: "R3", duty: "reconsideration_review", obligor: higherCourt, trigger: recorded, later: later) {
                    if case .reconsiderationDecided = $0.body { return true } else { return false }
                }
            case .reconsiderationDecided(.upheld):
                open(rule: "R3", duty: "reconsideration_correct", obligor: court, trigger: recorded, later: later,
                     met: upheldCorrectionMet(request: lastCorrectionRequest))
            case .reconsiderationDecided(.rejected):
                break
            case .obligationDischarged:
                // 法释〔2017〕7号 第十条第二款: an entry with an inclusion term is deleted when the
                // term ends, not on discharge; profiles without a term always apply R4 here.
                if let inclusion, hasTerm(inclusion), engine.profile.dischargeExit.excludesTermEntries == true { break }
                open(rule: "R4", duty: "discharge_exit", obligor: court, trigger: recorded, later: later, met: isExit)
            case .entryPublished:
                published = true
            case .pushedToUnit(let unit), .employerNotified(let unit):
                if !holders.contains(unit) { holders.append(unit) }
            case .repostRegistered(let unit):
                if !reposts.contains(unit) { reposts.append(unit) }
            case .repostDeleted(let unit):
                if exit == nil { reposts.removeAll { $0 == unit } }
            case let .measureApplied(unit, measure):
                if !measures[unit, default: []].contains(measure) { measures[unit, default: []].append(measure) }
            case let .measureLifted(unit, measure):
                if !notified.contains(unit) { measures[unit]?.removeAll { $0 == measure } }
            case .entryShielded, .entryRevoked:
                guard exit == nil else { break }
                exit = recorded
                if published {
                    open(rule: "R5", duty: "exit_publish", obligor: court, trigger: recorded, later: later) {
                        if case .exitPublished = $0.body { return true } else { return false }
                    }
                }
                for unit in holders {
                    open(rule: "R5", duty: "exit_notify", obligor: court, trigger: recorded, suffix: "/" + unit, later: later) {
                        if case .unitNotifiedOfExit(unit) = $0.body { return true } else { return false }
                    }
                }
                for unit in reposts {
                    open(rule: "R7", duty: "repost_delete", obligor: unit, trigger: recorded, suffix: "/" + unit, later: later) {
                        if case .repostDeleted(unit) = $0.body { return true } else { return false }
                    }
                }
            case .unitNotifiedOfExit(let unit):
                guard exit != nil, !notified.contains(unit) else { break }
                notified.insert(unit)
                for measure in measures[unit] ?? [] {
                    openLift(unit: unit, measure: measure, trigger: recorded, exitSeq: exit!.seq)
                }
            default:
                break
            }
        }
    }

    /// The day a decision counts as served: its `at`, or for service by public notice (公告送达,
    /// Civil Procedure Law art. 95) 30 days after the notice — 60 for notices before
    /// 2022-01-01, the text in force until the 2021 amendment. Plain calendar days: the
    /// deemed day is a fact, not the end of a period, so it does not move off a rest day.
    static func servedDay(_ day: BeijingDay, method: ServiceMethod?) -> BeijingDay {
        guard method == .publicNotice else { return day }
        return day.adding(days: day < BeijingDay(iso: "2022-01-01")! ? 60 : 30)
    }

    /// What meets an upheld correction (SPEC §1): revocation, or under a profile whose
    /// `correct_after_upheld` is `met_by_ground` (spc-2017, arts. 9, 11, 12), the act the
    /// request's ground calls for.
    func upheldCorrectionMet(request: RecordedEvent?) -> (Event) -> Bool {
        guard engine.profile.correctAfterUpheld.metByGround == true,
              case let .correctionRequested(_, ground, _)? = request?.event.body else { return isRevocation }
        switch ground ?? .shouldNotBeListed {
        case .shouldNotBeListed: return isRevocation
        case .inaccurate: return { if case .entryCorrected = $0.body { true } else { false } }
        case .shouldBeDeleted: return isExit
        }
    }

    func isRevocation(_ event: Event) -> Bool {
        if case .entryRevoked = event.body { return true } else { return false }
    }

    func isExit(_ event: Event) -> Bool {
        switch event.body {
        case .entryShielded, .entryRevoked: true
        default: false
        }
    }

    /// Opens the obligation of profile period `duty`, met by the first later event matching `met`.
    mutating func open(rule: String, duty: String, obligor: String, trigger: RecordedEvent, countFrom: RecordedEvent? = nil,
                       fromDay: BeijingDay? = nil, suffix: String = "", later: ArraySlice<RecordedEvent>, met: (Event) -> Bool) {
        guard let period = engine.profile.period(duty) else { return }
        let (due, problem) = dueDay(from: fromDay ?? (countFrom ?? trigger).event.at.beijingDay, period: period.period)
        var clause = period.clause
        if let fromDay, fromDay != trigger.event.at.beijingDay {
            clause += " Served by public notice on \(trigger.event.at.beijingDay): deemed served \(fromDay) (Civil Procedure Law art. 95)."
        }
        add(rule: rule, duty: duty, obligor: obligor, trigger: trigger, suffix: suffix, due: due, dueProblem: problem,
            met: later.first { met($0.event) }, clause: clause)
    }

    /// R6 for one measure is two duties (SPEC §1; county opinion §4(2)5: lift promptly, and
    /// only where truly needed retain with a basis and an end day — so the decision is itself due):
    /// `unit_lift`, 3 working days from the exit notice, met by the first lift *or* retention;
    /// and, for each retention, `lift_after_retention`, due its `until` day, met by the lift (or
    /// by a renewed retention recorded by then, itself with a basis and an end day).
    mutating func openLift(unit: String, measure: String, trigger: RecordedEvent, exitSeq: Int64) {
        let period = engine.profile.unitLift
        let (due, problem) = dueDay(from: trigger.event.at.beijingDay, period: period.period)
        // The unit's acts on this measure since the exit (a retention may precede its notice).
        let acts = events.filter { candidate in
            guard candidate.seq > exitSeq else { return false }
            switch candidate.event.body {
            case let .measureRetained(u, m, _, _), let .measureLifted(u, m): return u == unit && m == measure
            default: return false
            }
        }
        // A lift recorded before the unit's own notice already took the measure out (see run()).
        let decided = acts.first { candidate in
            if case .measureLifted = candidate.event.body { return candidate.seq > trigger.seq }
            return true
        }
        add(rule: "R6", duty: "unit_lift", obligor: unit, trigger: trigger, suffix: "/\(unit)/\(measure)", due: due,
            dueProblem: problem, met: decided, clause: period.clause)
        for (index, retention) in acts.enumerated() {
            guard case let .measureRetained(_, _, legalBasis, until) = retention.event.body else { continue }
            // After the first lift nothing is retained any more.
            if acts[..<index].contains(where: { if case .measureLifted = $0.event.body { true } else { false } }) { break }
            let next = acts[(index + 1)...].first
            add(rule: "R6", duty: "lift_after_retention", obligor: unit, trigger: retention, suffix: "/\(unit)/\(measure)",
                due: until, dueProblem: nil, met: next,
                clause: "retained under \(legalBasis) until \(until); county opinion (2018), 完善失信被执行人名单制度 (R6): a measure kept needs a stated legal basis and an explicit end date")
        }
    }

    /// Whether the profile gives this inclusion a term (SPC art. 2: grounds 2–6; the decoder refuses `term_months` on other grounds).
    func hasTerm(_ inclusion: RecordedEvent) -> Bool {
        guard let term = engine.profile.inclusionTermMonths, engine.profile.termEndDelete != nil,
              case let .inclusionDecided(_, _, _, grounds, _, _) = inclusion.event.body else { return false }
        guard let applies = term.appliesToGrounds else { return true }
        return grounds.contains { applies.contains($0.rawValue) }
    }

    /// Deletion within 3 working days after the inclusion term ends (SPC arts. 2, 10 ¶2; both
    /// profiles, since art. 10 ¶2 binds every court).
    mutating func openTermEnd(inclusion: RecordedEvent, later: ArraySlice<RecordedEvent>) {
        guard hasTerm(inclusion), let term = engine.profile.inclusionTermMonths, let period = engine.profile.termEndDelete,
              case let .inclusionDecided(_, _, _, _, _, termMonths) = inclusion.event.body else { return }
        // SPC art. 2: an extension moves the term's end (the decoder keeps each within 12–36 and
        // the rules keep the total within 60 months).
        let extensions = later.reduce(0) { sum, candidate in
            if case .termExtended(let months, _) = candidate.event.body { sum + months } else { sum }
        }
        let months = (termMonths ?? term.months) + extensions
        let termEnd = inclusion.event.at.beijingDay.addingMonths(months)
        // The duty arises when the term ends, unless the entry left the list before.
        let exitedBefore = later.contains { isExit($0.event) && $0.event.at.beijingDay <= termEnd }
        guard !exitedBefore else { return }
        let (due, problem) = dueDay(from: termEnd, period: period.period)
        // The trigger is the inclusion decision that set the term; the duty is listed from the
        // term's end (`arisesAt`).
        var obligation = Obligation(
            id: "\(entry)/R4/\(inclusion.seq)", rule: "R4", duty: "term_end_delete", entry: entry, obligor: court,
            triggerSeq: inclusion.seq, triggerAt: inclusion.event.at, due: due, dueProblem: problem, metSeq: nil, metAt: nil,
            calendarVersion: engine.calendar.identity, clause: "term ends \(termEnd) (\(months) months); \(term.clause); \(period.clause)")
        obligation.arisesAt = Instant.endOfBeijingDay(termEnd)
        if let met = later.first(where: { isExit($0.event) }) {
            obligation.metSeq = met.seq
            obligation.metAt = met.event.at
        }
        obligations.append(obligation)
    }

    func dueDay(from day: BeijingDay, period: Period) -> (BeijingDay?, String?) {
        do {
            return (try engine.calendar.due(from: day, period: period), nil)
        } catch {
            return (nil, error.description)
        }
    }

    mutating func add(rule: String, duty: String, obligor: String, trigger: RecordedEvent, suffix: String = "",
                      due: BeijingDay?, dueProblem: String?, met: RecordedEvent?, clause: String) {
        var obligation = Obligation(
            id: "\(entry)/\(rule)/\(trigger.seq)\(suffix)", rule: rule, duty: duty, entry: entry, obligor: obligor,
            triggerSeq: trigger.seq, triggerAt: trigger.event.at, due: due, dueProblem: dueProblem,
            metSeq: met?.seq, metAt: met?.event.at, calendarVersion: engine.calendar.identity, clause: clause)
        // A debtor's application posted by the window's last day is in time (Civil Procedure
        // Law art. 85 ¶4, 交邮): it is judged by its posting day, not by its receipt.
        switch met?.event.body {
        case let .correctionRequested(_, _, postedOn?), let .reconsiderationRequested(_, postedOn?): obligation.metOn = postedOn
        default: break
        }
        obligations.append(obligation)
    }
}
